"""Signal ingest: corporations post signals; each is stored with its event before it is answered.

Rooms: `domain/` judges (pure: the signal models, body hash, accepted / duplicate / conflict,
the status a case gives); `service` holds the use cases; `repository` is the only module on
`tables`; `received` is a signal as kept and as announced; `committer` shares one write between
concurrent posts (group commit); `consumer` and `api` are thin.
"""
