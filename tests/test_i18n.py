"""Every string of the extension's templates and code has a Vietnamese translation, and no text is
written as a "tiếng Việt / English" pair in code any more (each language comes from the catalogue).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import ckan
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
OWN_PO = ROOT / "i18n" / "vi" / "LC_MESSAGES" / "ckanext-longan_opendata.po"
CKAN_PO = Path(ckan.__file__).parent / "i18n" / "vi" / "LC_MESSAGES" / "ckan.po"
METHODS = [
    ("**/templates/**.html", "ckan.lib.extract:extract_ckan"),
    ("**/templates/**.txt", "ckan.lib.extract:extract_ckan"),
    ("**.py", "python"),
]
SOURCES = [ROOT / "ckanext" / "longan_opendata", ROOT / "harvesters"]
#: ``_``/``ungettext`` of CKAN; ``Message`` and ``say`` (ckanext.longan_opendata.lang); the
#: harvesters' ``err`` (its second argument)
KEYWORDS = {"_": None, "ungettext": (1, 2), "ngettext": (1, 2), "Message": None, "err": (2,),
            "say": None}
#: the argument that is a msgid, per function name
MSGID_ARG = {"_": 0, "ungettext": 0, "ngettext": 0, "Message": 0, "err": 1, "say": 0}
#: functions that used to take a Vietnamese and an English text (content such as the demo
#: catalogue's ``title``/``title_en`` pairs is data, not a message)
PAIR_CALLS = {"err", "Finding", "ApiError", "ConfigError", "LoadError"}
VIETNAMESE = re.compile("[ăâđêôơưạảãàáậầấẩẫắằặẳẵẹẻẽèéệềếểễịỉĩìíọỏõòóộồốổỗợờớởỡụủũùúựừứửữỵỷỹỳý]",
                        re.IGNORECASE)


def _translated(path: Path) -> set[str]:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}


def _extracted() -> dict[str, str]:
    found: dict[str, str] = {}
    for source in SOURCES:
        for filename, lineno, message, _, _ in extract_from_dir(
                str(source), METHODS, keywords=KEYWORDS):
            msgid = message if isinstance(message, str) else message[0]
            if msgid:
                found.setdefault(msgid, f"{source.name}/{filename}:{lineno}")
    return found


def test_every_message_has_a_vietnamese_translation():
    messages = _extracted()
    # the extraction itself works, for code and for templates
    assert "Give an email address or a phone number" in messages
    assert "Datasets under this licence" in messages
    # the harvesters' errors (err's second argument, Message), their CLI and the e-mails
    assert "must be an http(s) URL" in messages
    assert "cannot connect to the source database (%(error)s)" in messages
    assert "closed stuck job %(id)s" in messages
    assert "Dataset awaiting review: %(title)s" in messages
    known = _translated(OWN_PO) | _translated(CKAN_PO)
    missing = {msgid: where for msgid, where in messages.items() if msgid not in known}
    assert missing == {}, "add these to i18n/vi/LC_MESSAGES/ckanext-longan_opendata.po"


def test_own_catalogue_has_no_empty_or_fuzzy_entries():
    with OWN_PO.open("rb") as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []


def _python_files() -> list[Path]:
    return sorted(p for source in SOURCES for p in source.rglob("*.py"))


def _text(node: ast.AST) -> str | None:
    """A string literal or f-string as text (``{}`` for each value)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _is_pair(text: str) -> bool:
    """"tiếng Việt / English": Vietnamese letters on one side of " / ", none on the other."""
    for left, right in ((a, b) for a, _, b in [text.partition(" / ")] if _ == " / "):
        if VIETNAMESE.search(left) and not VIETNAMESE.search(right) and re.search(
                "[A-Za-z]{3}", right):
            return True
    return False


def _docstrings(tree: ast.AST) -> set[int]:
    """The docstrings (documentation may show both languages side by side)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            found.add(id(body[0].value))
    return found


def _pairs_in(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        text = _text(node)
        if text is not None and id(node) not in docs and _is_pair(text):
            found.append((node.lineno, text[:80]))
        name = isinstance(node, ast.Call) and (
            getattr(node.func, "id", None) or getattr(node.func, "attr", None))
        if name in PAIR_CALLS:  # the old err(key, "vi", "en"): two languages as arguments
            texts = [_text(a) or "" for a in node.args]
            for vi, en in zip(texts, texts[1:], strict=False):
                if VIETNAMESE.search(vi) and en and not VIETNAMESE.search(en) and \
                        re.search("[A-Za-z]{3} [A-Za-z]{2}", en):
                    found.append((node.lineno, f"{vi[:40]} | {en[:40]}"))
    return found


def _bad_msgids_in(tree: ast.AST) -> list[tuple[int, str]]:
    """A msgid must be an English literal: an f-string or a Vietnamese text is never found in
    the catalogue."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        index = MSGID_ARG.get(name or "")
        if index is None or len(node.args) <= index:
            continue
        arg = node.args[index]
        if isinstance(arg, ast.JoinedStr) or (
                isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                and VIETNAMESE.search(arg.value)):
            found.append((node.lineno, f"{name}({ast.unparse(arg)[:60]})"))
    return found


def test_the_scan_finds_what_it_looks_for():
    """The checks below can fail: a pair, an old-style err and an f-string msgid are found."""
    sample = ast.parse(
        'x = f"lỗi {n} / error {n}"\n'
        'raise err("url", "URL không hợp lệ", "invalid URL")\n'
        'y = tk._(f"{n} datasets")\n'
        'z = "10 km / năm"\n')  # no Vietnamese before the slash: not a pair
    assert [line for line, _ in _pairs_in(sample)] == [1, 2]
    assert [line for line, _ in _bad_msgids_in(sample)] == [2, 3]


def test_no_vietnamese_english_pair_is_left_in_code():
    found = {f"{path.relative_to(ROOT)}:{line}": text for path in _python_files()
             for line, text in _pairs_in(ast.parse(path.read_text(encoding="utf-8")))}
    assert found == {}, "use tk._ / Message / err with an English msgid and the catalogue"


def test_every_msgid_in_code_is_an_english_literal():
    found = {f"{path.relative_to(ROOT)}:{line}": call for path in _python_files()
             for line, call in _bad_msgids_in(ast.parse(path.read_text(encoding="utf-8")))}
    assert found == {}
