"""Triage: groups signals per household into one case, scores, routes and watches its deadline.

Rooms: `domain/` decides (pure); `service` holds the use cases (load, decide, save with events);
`repository` is the only module on `tables` (row mapping in `case_rows`); `case_file` and
`case_events` are the case as kept and as announced; `consumer`, `api` and `workers` are thin.
"""
