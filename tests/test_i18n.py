"""Every string of the extension's templates and code has a Vietnamese translation."""
from __future__ import annotations

from pathlib import Path

import ckan
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
OWN_PO = ROOT / "i18n" / "vi" / "LC_MESSAGES" / "ckanext-longan_opendata.po"
CKAN_PO = Path(ckan.__file__).parent / "i18n" / "vi" / "LC_MESSAGES" / "ckan.po"
METHODS = [
    ("**/templates/**.html", "ckan.lib.extract:extract_ckan"),
    ("**.py", "python"),
]
SOURCES = [ROOT / "ckanext" / "longan_opendata", ROOT / "harvesters"]


def _translated(path: Path) -> set[str]:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}


def _extracted() -> dict[str, str]:
    found: dict[str, str] = {}
    for source in SOURCES:
        for filename, lineno, message, _, _ in extract_from_dir(
                str(source), METHODS, keywords={"_": None, "ungettext": (1, 2),
                                                "ngettext": (1, 2)}):
            msgid = message if isinstance(message, str) else message[0]
            if msgid:
                found.setdefault(msgid, f"{source.name}/{filename}:{lineno}")
    return found


def test_every_message_has_a_vietnamese_translation():
    messages = _extracted()
    # the extraction itself works, for code and for templates
    assert "Give an email address or a phone number" in messages
    assert "Datasets under this licence" in messages
    known = _translated(OWN_PO) | _translated(CKAN_PO)
    missing = {msgid: where for msgid, where in messages.items() if msgid not in known}
    assert missing == {}, "add these to i18n/vi/LC_MESSAGES/ckanext-longan_opendata.po"


def test_own_catalogue_has_no_empty_or_fuzzy_entries():
    with OWN_PO.open("rb") as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
