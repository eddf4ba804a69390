"""Triage: groups signals per household into one case, scores it as time passes, routes it,
watches its deadline, and keeps the family's housing plan and crisis shelter stay.

Rooms: `domain/` decides (pure: the case, scoring, families first, decisions, the shelter
catalogue); the use cases are in `service` (signals, reads), `casework_service` (contact
attempts, housing plans, outcome), `watch_service` (deadline watch, re-assessment over time)
and `shelter_service`; `repository` and `shelter_repository` are the only modules on `tables`
(row mapping in `case_rows`, `housing_rows`, `decision_rows`); `case_file` and `case_events`
are the case as kept and as announced; `household_contacts` is the one place contact data is
opened; `consumer`, `api`, `shelter_api` and `workers` are thin.
"""
