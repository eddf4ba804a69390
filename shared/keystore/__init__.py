"""The key store (CONTRACT §10): each household's data key, wrapped under VS_PII_KEY, in a
database of its own (`VS_KEYSTORE_URL`; embedded: `keys.sqlite3` in VS_DATA_DIR), so a backup of
the data holds no key to it. Purging a household deletes its key: every copy of its data — rows,
the event stream, dead letters, backups of the data — can no longer be opened with any key the
system holds. Back the key store up separately, and keep those backups no longer than a day:
a key-store backup from before a purge would reopen what the purge erased.
"""

from shared.keystore.keys import HouseholdKeys

__all__ = ["HouseholdKeys"]
