"""Data files are readable by their owner only (CONTRACT §10): personal data lives in them."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def private_dir(path: Path) -> Path:
    """Creates `path` (and parents) owner-only if it is missing. A folder that exists is left as
    it is: it may be shared (never chmod a folder we did not make, such as /tmp)."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        path.chmod(PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: Path) -> Path:
    """Makes sure `path` exists owner-only before a library opens it (SQLite gives its -wal and
    -shm files the database file's permissions)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    os.close(fd)
    path.chmod(PRIVATE_FILE)
    return path


def write_private(path: Path, text: str) -> None:
    """Writes a new owner-only file; refuses to overwrite one that exists."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "w") as out:
        out.write(text)
