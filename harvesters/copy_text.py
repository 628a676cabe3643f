"""Rows of Python values (an API's JSON, a non-PostgreSQL database's rows) as PostgreSQL COPY
text, hashed as they are produced (:class:`CopyTextStream`), and a pass-through reader that hashes
a COPY stream (:class:`HashingReader`)."""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from .loader import Column


def _copy_escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_INT = re.compile(r"^[+-]?\d+$")


def convert(value: Any, kind: str) -> str:
    """One value as PostgreSQL COPY text for a column of type ``kind``; ValueError if it is not."""
    if value is None or value == "":
        return "\\N"
    if kind == "text":
        if isinstance(value, dict | list):
            return _copy_escape(json.dumps(value, ensure_ascii=False, sort_keys=True))
        return _copy_escape(str(value))
    if kind in ("int4", "int8"):
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, str) and _INT.match(value.strip()):
            number = int(value.strip())
            if kind == "int4" and not -2**31 <= number < 2**31:
                raise ValueError
            return str(number)
        raise ValueError
    if kind in ("numeric", "float8"):
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int | float | decimal.Decimal):
            return str(value)
        return str(decimal.Decimal(str(value).strip()))  # raises InvalidOperation (a ValueError)
    if kind == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, str) and _DATE.match(value):
            return dt.date.fromisoformat(value).isoformat()
        raise ValueError
    if kind == "timestamp":
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, str) and _DATETIME.match(value):
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat(sep=" ")
        if isinstance(value, str) and _DATE.match(value):
            return value
        raise ValueError
    if kind == "bool":
        if isinstance(value, bool):
            return "t" if value else "f"
        if str(value).lower() in ("true", "t", "1", "yes", "có"):
            return "t"
        if str(value).lower() in ("false", "f", "0", "no", "không"):
            return "f"
        raise ValueError
    return _copy_escape(str(value))


@dataclass
class RowProblem:
    row: int
    column: str
    value: Any
    kind: str


class CopyTextStream:
    """A file-like ``read(size)`` over rows of Python values, as PostgreSQL COPY text.

    It hashes what it produces (``sha256``) and collects the rows whose values do not fit their
    column types (``problems``; those rows are left out of the stream).
    """

    def __init__(self, columns: list[Column], rows: Iterable[Any], start_row: int = 1):
        self.columns = columns
        self._rows: Iterator[Any] = iter(rows)
        self._buffer = bytearray()
        self.sha256 = hashlib.sha256()
        self.problems: list[RowProblem] = []
        self.count = 0
        self._row_number = start_row - 1

    def _line(self, row: Any) -> bytes | None:
        self._row_number += 1
        cells = []
        for i, column in enumerate(self.columns):
            value = row.get(column.id) if isinstance(row, dict) else row[i]
            try:
                cells.append(convert(value, column.type))
            except (ValueError, ArithmeticError):
                self.problems.append(RowProblem(self._row_number, column.id, value, column.type))
                return None
        return ("\t".join(cells) + "\n").encode("utf-8")

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            try:
                row = next(self._rows)
            except StopIteration:
                break
            line = self._line(row)
            if line is not None:
                self._buffer += line
                self.sha256.update(line)
                self.count += 1
        if size < 0:
            size = len(self._buffer)
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def drain(self) -> None:
        """Consume everything (hash and problems only)."""
        while self.read(1 << 20):
            pass


class HashingReader:
    """Wraps a binary file: ``read`` passes the bytes through and hashes them."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        self.bytes += len(data)
        return data
