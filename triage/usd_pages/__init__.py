"""The USD's pages (CONTRACT §9): the worklist at `/usd` and the case page at `/usd/cases/{id}`,
served by the process that serves the case API (triage, and `vroegsignaal run`)."""

from triage.usd_pages.routes import register, router

__all__ = ["register", "router"]
