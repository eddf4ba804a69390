"""A progress bar for long CLI work (export, report over many months) on stderr.

Why stderr and only on a terminal (or when asked): stdout carries the report or export, which
is piped into files and other tools; a bar there would corrupt it, and in a log it is noise.
"""

from __future__ import annotations

import sys
import time
from typing import Final, TextIO

WIDTH: Final = 30


class ProgressBar:
    """`update(done, total)` redraws at most ten times a second; `close()` ends the line."""

    def __init__(self, label: str, *, enabled: bool | None = None, stream: TextIO | None = None):
        self._stream = stream or sys.stderr
        self.enabled = self._stream.isatty() if enabled is None else enabled
        self._label = label
        self._drawn_at = 0.0
        self._drawn = False

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._drawn_at < 0.1:
            return
        self._drawn_at = now
        self._stream.write("\r" + render(self._label, done, total))
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn:
            self._stream.write("\n")
            self._stream.flush()


def render(label: str, done: int, total: int) -> str:
    """`label [#######-------]  12/40  30%`; an empty total reads as done."""
    share = 1.0 if total <= 0 else min(done / total, 1.0)
    filled = round(share * WIDTH)
    return f"{label} [{'#' * filled}{'-' * (WIDTH - filled)}] {done}/{total} {share:4.0%}"
