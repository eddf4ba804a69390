"""The ops console's plumbing: the live event view, the summary's shapes and the page.

Generic on purpose: nothing here imports a service. `services/ops.py` fills the summary from
the services' tables and mounts the routes (CONTRACT §6).
"""
