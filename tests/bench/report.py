"""The results table: each figure beside its same-run baseline, the ratio and the target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    metric: str
    ours: float | None
    baseline: float | None = None
    unit: str = ""
    target: str = ""
    met: bool | None = None
    digits: int = 0

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline

    def cells(self) -> list[str]:
        ratio = self.ratio
        met = {True: "yes", False: "**NO**", None: ""}[self.met]
        return [
            self.metric,
            self._figure(self.ours),
            self._figure(self.baseline),
            f"{ratio:.2f}×" if ratio is not None else "",
            self.target,
            met,
        ]

    def _figure(self, value: float | None) -> str:
        if value is None:
            return "–"
        return f"{value:,.{self.digits}f}{' ' + self.unit if self.unit else ''}"


HEADER = ["metric", "ours", "baseline", "ratio", "target", "met?"]


def markdown_table(rows: Sequence[Row]) -> str:
    lines = [HEADER, ["---"] * len(HEADER), *(row.cells() for row in rows)]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
