"""Which lookups the full-text job joins (harvesters/words.py ``plan``), from sampled rows."""
from __future__ import annotations

import uuid

import pytest

from ckanext.longan_opendata.harvesters import datastore_tables, full_text, words

COLUMNS = ["ma", "co_quan", "thu_tuc", "ghi_chu"]


def _rows(count: int, note=lambda g: "x") -> list[tuple]:
    return [(f"HS{g}", None if g % 4 == 0 else f"cq{g % 3}", f"tt{g % 2}", note(g))
            for g in range(count)]


def test_a_run_of_repeating_columns_gets_one_lookup_of_its_tuples():
    [lookup] = words.plan(COLUMNS, _rows(400))
    assert lookup.columns == ("co_quan", "thu_tuc", "ghi_chu")
    assert (None, "tt0", "x") in lookup.keys and len(set(lookup.keys)) == len(lookup.keys)


def test_a_unique_column_splits_the_runs_and_gets_no_lookup():
    rows = [(a, b, f"u{g}", d) for g, (a, b, _c, d) in enumerate(_rows(400))]
    found = words.plan(COLUMNS, rows)
    assert [lk.columns for lk in found] == [("co_quan",), ("ghi_chu",)]
    assert None not in [k[0] for k in found[0].keys]  # a lone NULL needs no lookup


def test_tuples_that_do_not_repeat_give_a_lookup_per_column():
    rows = [(f"HS{g}", f"cq{g % 7}", f"tt{(g // 7) % 60}", "x") for g in range(400)]
    found = words.plan(COLUMNS, rows)
    assert [lk.columns for lk in found] == [("co_quan",), ("thu_tuc",), ("ghi_chu",)]


def test_values_the_parser_could_join_across_columns_or_too_long_are_never_keys():
    long = "y" * (words.MAX_CHARS + 1)
    rows = _rows(400, note=lambda g: ("<b", long, "\x01", "x", "x", "x", "x", "x")[g % 8])
    [lookup] = words.plan(["ma", "co_quan", "thu_tuc", "ghi_chu"], rows)
    notes = {k[-1] for k in lookup.keys}
    assert notes == {"x"}


def test_a_lookup_keeps_the_most_frequent_keys_within_its_size(monkeypatch):
    monkeypatch.setattr(words, "MAX_LOOKUP_CHARS", 10)
    rows = [(f"HS{g}", "a" * 4 if g % 3 else "b" * 4, "x", "x") for g in range(300)]
    [lookup] = words.plan(COLUMNS, rows)
    assert lookup.columns == ("co_quan", "thu_tuc", "ghi_chu")
    assert lookup.keys == [("aaaa", "x", "x")]


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("own_index", [False, True])
def test_the_job_gives_every_row_the_words_of_the_whole_row_whatever_the_column_names(own_index):
    """Columns named as the lookups' own columns, NULLs, an all-NULL row, "\\x01" (the key of a
    NULL), a '%': the words by value equal ``to_tsvector`` of the whole row, whether the table is
    written again or (with an index of its own) filled by UPDATE."""
    table = f"_kiem_thu_words_{uuid.uuid4().hex[:8]}"
    raw = datastore_tables.write_engine().raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(f'CREATE TABLE "{table}" (_id serial PRIMARY KEY, _full_text tsvector, '
                        '"w" text, "k0" text, "Mixed Case" text, so int)')
            cur.execute(
                f'INSERT INTO "{table}" ("w", "k0", "Mixed Case", so) SELECT '
                "CASE WHEN g % 5 = 0 THEN NULL ELSE 'Sở ' || (g % 3) END, "
                "CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN E'\\x01' ELSE 'Cấp phép' END, "
                "CASE WHEN g % 60 = 0 THEN NULL WHEN g % 2 = 0 THEN 'Tăng 5%' "
                "ELSE 'Đã trả kết quả' END, g FROM generate_series(1, 600) g")
            if own_index:
                cur.execute(f'CREATE INDEX ON "{table}" (so)')
        raw.commit()
        assert full_text.fill_words(table) == 600
        with raw.cursor() as cur:
            cur.execute(f'SELECT count(*) FROM "{table}" WHERE _full_text IS DISTINCT FROM '
                        f"to_tsvector(%s, concat_ws(' ', \"w\", \"k0\", \"Mixed Case\"))",
                        (datastore_tables.fts_lang(),))
            assert cur.fetchone()[0] == 0
            found = words.lookups(cur, table, ["w", "k0", "Mixed Case"])
            assert [lk.columns for lk in found] == [("w", "k0", "Mixed Case")]
    finally:
        raw.rollback()
        with raw.cursor() as cur:
            cur.execute(f'DROP TABLE IF EXISTS "{table}"')
        raw.commit()
        raw.close()
