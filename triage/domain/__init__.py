"""Triage domain: the pure core that scores, routes and tracks a household's case.

No framework, database or bus imports here; adapters around it do the I/O.
"""
