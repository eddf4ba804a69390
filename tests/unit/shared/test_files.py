"""Data files are owner-only, and a folder we did not make is never changed (found: a database
file directly under /tmp made /tmp itself 0700, which stopped PostgreSQL on the machine)."""

from __future__ import annotations

from pathlib import Path

from shared.files import private_dir, private_file


def test_a_new_folder_and_file_are_owner_only(tmp_path: Path) -> None:
    made = private_file(tmp_path / "var" / "data" / "vs.sqlite3")
    assert oct(made.stat().st_mode & 0o777) == "0o600"
    assert oct(made.parent.stat().st_mode & 0o777) == "0o700"


def test_a_folder_that_exists_is_left_as_it_is(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    private_file(shared / "vs.sqlite3")
    private_dir(shared)
    assert oct(shared.stat().st_mode & 0o7777) == "0o1777"
    assert oct((shared / "vs.sqlite3").stat().st_mode & 0o777) == "0o600"
