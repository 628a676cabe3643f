"""Whether a resource's bytes are its declared format, from a bounded prefix.

:func:`verify` is given the first bytes of the file (at most
``ckanext.longan_opendata.linkcheck.max_bytes``) and whether that is the whole file:

- CSV: text (UTF-8, UTF-16 with a BOM or Windows-1258), not an HTML or XML page, parsed by
  Python's ``csv`` with the same number of columns on every row (a cut last line is ignored);
- JSON (and GeoJSON): parses; a cut file must be a valid beginning of a JSON document;
- XLSX: a whole file opens with openpyxl; a file larger than the limit must start as an OOXML
  zip (``[Content_Types].xml`` or ``xl/`` in its first entries);
- XLS, PDF, ZIP, XML: their signature.

Other formats are not checked (``None``).
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile

__all__ = ["CHECKED", "normalise", "verify"]

_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml|<!--)", re.IGNORECASE)
_ALIASES = {"TEXT/CSV": "CSV", "APPLICATION/JSON": "JSON", "GEOJSON": "JSON",
            "APPLICATION/GEO+JSON": "JSON",
            "APPLICATION/VND.OPENXMLFORMATS-OFFICEDOCUMENT.SPREADSHEETML.SHEET": "XLSX",
            "APPLICATION/VND.MS-EXCEL": "XLS", "APPLICATION/PDF": "PDF",
            "APPLICATION/ZIP": "ZIP", "TEXT/XML": "XML", "APPLICATION/XML": "XML"}
_SIGNATURES = {"XLS": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), "PDF": (b"%PDF-",),
               "ZIP": (b"PK\x03\x04", b"PK\x05\x06")}


def normalise(declared: str | None) -> str:
    """``.csv``, ``csv``, ``text/csv`` → ``CSV``; GeoJSON counts as JSON."""
    name = (declared or "").strip().lstrip(".").upper()
    return _ALIASES.get(name, name)


def _text(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1258")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:  # a prefix may cut a UTF-8 character in two
            if encoding == "utf-8-sig" and exc.start >= len(data) - 3:
                return data[:exc.start].decode(encoding)
    return None


def _csv(data: bytes, complete: bool) -> str | None:
    if _HTML.match(data):
        return "an HTML or XML page, not CSV"
    text = _text(data)
    if text is None or "\x00" in text:
        return "not text"
    lines = text.splitlines(keepends=True)
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    try:
        dialect = csv.Sniffer().sniff("".join(lines[:20]), delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [row for row in csv.reader(lines, dialect) if row]
    except csv.Error as exc:
        return f"CSV does not parse: {exc}"
    if not rows:
        return "empty file"
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        return f"rows of {min(widths)} to {max(widths)} columns"
    return None


def _json(data: bytes, complete: bool) -> str | None:
    text = _text(data)
    if text is None:
        return "not text"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        stripped = text.lstrip()
        cut_inside = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        if complete or not stripped.startswith(("{", "[")) or not cut_inside:
            return f"JSON does not parse: {exc.msg} (position {exc.pos})"
    return None


def _xlsx(data: bytes, complete: bool) -> str | None:
    if not data.startswith(b"PK\x03\x04"):
        return "not a zip file, so not XLSX"
    if not complete:
        return None if b"[Content_Types].xml" in data or b"xl/" in data else "not an XLSX zip"
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return f"XLSX does not open: {exc}"
    return None


def _signature(name: str, data: bytes) -> str | None:
    return None if data.startswith(_SIGNATURES[name]) else f"not {name} (wrong signature)"


def _xml(data: bytes) -> str | None:
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:100].lower()
    if start.startswith(b"<") and not start.startswith((b"<!doctype html", b"<html")):
        return None
    return "not XML"


#: the formats :func:`verify` checks
CHECKED = frozenset({"CSV", "JSON", "XLSX", "XML", *_SIGNATURES})


def verify(declared: str | None, data: bytes, complete: bool) -> tuple[bool | None, str | None]:
    """Whether ``data`` (the file, or its first bytes when ``complete`` is False) is the
    ``declared`` format.

    :returns: ``(format_ok, why_not)``; ``format_ok`` is None when the format is not checked
    """
    name = normalise(declared)
    if name not in CHECKED:
        return None, None
    if not data:
        return False, "empty file"
    if name == "CSV":
        error = _csv(data, complete)
    elif name == "JSON":
        error = _json(data, complete)
    elif name == "XLSX":
        error = _xlsx(data, complete)
    elif name == "XML":
        error = _xml(data)
    else:
        error = _signature(name, data)
    return error is None, error
