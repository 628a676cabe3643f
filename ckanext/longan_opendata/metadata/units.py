"""Administrative units before and after the reform of 1 July 2025.

Official codes and the old→new mapping come from the maintained ``vietnamadminunits`` library
(its 63-province table, its 34-province table and its 2025 converter), never typed by hand.
Units are identified on the portal by ``<era>-<official code>``:

- ``old-80`` Long An province before 1 July 2025, ``old-794`` one of its 15 district-level units,
  ``old-27685`` one of its communes;
- ``new-80`` Tây Ninh province (which Long An joined), ``new-27694`` one of its communes.

Within an era, province (2 digits), district (3) and commune (5) codes never collide, and the
era prefix keeps the old and new province codes apart (both are 80).
"""
from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import vietnamadminunits

OLD, NEW = "old", "new"
LEGACY_PROVINCE_KEY = "tinhlongan"   # Long An, before 1 July 2025
CURRENT_PROVINCE_KEY = "tinhtayninh"  # Tây Ninh, since 1 July 2025


@dataclass(frozen=True)
class Unit:
    code: str                 # e.g. "old-794"
    name: str                 # official name, e.g. "Thành phố Tân An"
    level: str                # "province" | "district" | "commune"
    era: str                  # OLD | NEW
    parent: str | None = None  # code of the enclosing unit
    successors: tuple[str, ...] = field(default=())  # new-era units (old units only)

    @property
    def official_code(self) -> str:
        return self.code.split("-", 1)[1]

    def full_name(self) -> str:
        """Name with its parent, so that the many "Phường 1" are told apart."""
        parent = catalogue().get(self.parent) if self.parent else None
        if parent and parent.level != "province":
            return f"{self.name}, {parent.name}"
        return self.name


def _data_dir() -> Path:
    return Path(vietnamadminunits.__file__).parent / "data"


def _rows(sql: str, *params: str) -> list[sqlite3.Row]:
    with sqlite3.connect(_data_dir() / "dataset.db") as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


@functools.cache
def catalogue() -> dict[str, Unit]:
    """Every unit of Long An (old) and Tây Ninh (new), by portal code."""
    converter = json.loads((_data_dir() / "converter_2025.json").read_text(encoding="utf-8"))
    new_rows = _rows(
        "SELECT DISTINCT provinceCode, province, wardCode, ward, wardKey FROM admin_units "
        "WHERE provinceKey = ?", CURRENT_PROVINCE_KEY)
    new_province = f"{NEW}-{new_rows[0]['provinceCode']}"
    new_by_key = {r["wardKey"]: f"{NEW}-{r['wardCode']}" for r in new_rows}
    successors = _successors(converter, new_by_key)

    units: dict[str, Unit] = {
        new_province: Unit(new_province, new_rows[0]["province"], "province", NEW)}
    for r in new_rows:
        code = f"{NEW}-{r['wardCode']}"
        units[code] = Unit(code, r["ward"], "commune", NEW, new_province)

    old_rows = _rows(
        "SELECT DISTINCT provinceCode, province, districtCode, district, districtKey, "
        "wardCode, ward, wardKey FROM admin_units_legacy WHERE provinceKey = ?",
        LEGACY_PROVINCE_KEY)
    old_province = f"{OLD}-{old_rows[0]['provinceCode']}"
    by_district: dict[str, set[str]] = {}
    for r in old_rows:
        district, code = f"{OLD}-{r['districtCode']}", f"{OLD}-{r['wardCode']}"
        key = f"{LEGACY_PROVINCE_KEY}_{r['districtKey']}_{r['wardKey']}"
        after = tuple(sorted(successors.get(key, ())))
        units[code] = Unit(code, r["ward"], "commune", OLD, district, after)
        by_district.setdefault(district, set()).update(after)
        if district not in units:
            units[district] = Unit(district, r["district"], "district", OLD, old_province)
    for district, after in by_district.items():
        d = units[district]
        units[district] = Unit(d.code, d.name, d.level, OLD, d.parent, tuple(sorted(after)))
    units[old_province] = Unit(old_province, old_rows[0]["province"], "province", OLD, None,
                               (new_province,))
    return units


def _successors(converter: dict, new_by_key: dict[str, str]) -> dict[str, set[str]]:
    """Old commune key ``province_district_ward`` → codes of the new communes it went into."""
    found: dict[str, set[str]] = {}
    merged = converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(CURRENT_PROVINCE_KEY, {})
    for new_key, old_keys in merged.items():
        for old_key in old_keys:
            if new_key in new_by_key:
                found.setdefault(old_key, set()).add(new_by_key[new_key])
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(CURRENT_PROVINCE_KEY, {})
    for old_key, parts in divided.items():
        for part in parts:
            if part["newWardKey"] in new_by_key:
                found.setdefault(old_key, set()).add(new_by_key[part["newWardKey"]])
    return found


def get(code: str) -> Unit | None:
    return catalogue().get(code)


def name(code: str) -> str:
    """Display name of a unit code (the code itself if unknown)."""
    unit = get(code)
    return unit.full_name() if unit else code


def current_units(codes: list[str]) -> set[str]:
    """The new-era units a list of (old or new) codes covers, with their province."""
    result: set[str] = set()
    for code in codes:
        unit = get(code)
        if unit is None:
            continue
        result.update(unit.successors if unit.era == OLD else (code,))
    for code in list(result):
        parent = get(code).parent if get(code) else None
        if parent:
            result.add(parent)
    return result


def legacy_units(codes: list[str]) -> set[str]:
    """The old-era units a list of codes names, with their district and province."""
    result: set[str] = set()
    for code in codes:
        unit = get(code)
        while unit is not None and unit.era == OLD:
            result.add(unit.code)
            unit = get(unit.parent) if unit.parent else None
    return result
