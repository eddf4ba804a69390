"""A strict reader over a parsed TOML table: every error names the dotted key it is about.

Unknown keys are refused too, so a typo in a published policy never silently drops a weight.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import NoReturn

from triage.domain.errors import PolicyError


class TomlTable:
    """One table of the policy file, read key by key with type and range checks."""

    def __init__(self, data: Mapping[str, object], path: str, source: str) -> None:
        self._data = data
        self._path = path
        self._source = source
        self._read: set[str] = set()

    def key_path(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def fail(self, key: str, message: str) -> NoReturn:
        raise PolicyError(f"policy {self._source}: '{self.key_path(key)}' {message}")

    def has(self, key: str) -> bool:
        return key in self._data

    def _get(self, key: str) -> object:
        self._read.add(key)
        if key not in self._data:
            self.fail(key, "is missing")
        return self._data[key]

    def integer(self, key: str, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"must be a whole number, got {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            self.fail(key, f"must be {bound}, got {value}")
        return value

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, got {value!r}")
        return value

    def number(self, key: str, *, minimum: float = 0.0, strictly_above: bool = False) -> float:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"must be a number, got {value!r}")
        if value < minimum or (strictly_above and value == minimum):
            self.fail(key, f"must be {'>' if strictly_above else '>='} {minimum}, got {value}")
        return float(value)

    def string(self, key: str, *, options: Collection[str] | None = None) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"must be a non-empty string, got {value!r}")
        if options is not None and value not in options:
            self.fail(key, f"must be one of {sorted(options)}, got {value!r}")
        return value

    def strings(self, key: str, *, options: Collection[str]) -> frozenset[str]:
        value = self._get(key)
        if not isinstance(value, list) or not value:
            self.fail(key, f"must be a non-empty list, got {value!r}")
        for item in value:
            if item not in options:
                self.fail(key, f"items must be one of {sorted(options)}, got {item!r}")
        return frozenset(str(item) for item in value)

    def table(self, key: str) -> TomlTable:
        value = self._get(key)
        if not isinstance(value, dict):
            self.fail(key, f"must be a table, got {value!r}")
        return TomlTable(value, self.key_path(key), self._source)

    def tables(self, key: str) -> list[TomlTable]:
        value = self._get(key)
        if not isinstance(value, list) or not value:
            self.fail(key, "must be a non-empty list of tables")
        tables: list[TomlTable] = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                self.fail(f"{key}[{index}]", f"must be a table, got {item!r}")
            tables.append(TomlTable(item, f"{self.key_path(key)}[{index}]", self._source))
        return tables

    def done(self) -> None:
        """Refuse keys nobody read: they are typos or weights this code does not know."""
        unknown = sorted(set(self._data) - self._read)
        if unknown:
            self.fail(unknown[0], "is not a known key")
