"""The words (``_full_text``) of a large harvested table, computed once per repeated value.

``to_tsvector`` parses every row's text (the default parser costs ~15 µs for a row of this
Vietnamese text), yet harvested tables repeat their values: agencies, procedures, states, commune
codes. The words of a row are the concatenation (``tsvector || tsvector``) of the words of its
text columns, so the words of each repeated value are computed once, in a lookup joined to the
rows; a value missing from the lookup (a unique code, a value the sample did not see) is parsed
in its row, and consecutive parsed columns in one ``to_tsvector`` call as before.

The result is the same ``tsvector`` as ``to_tsvector(config, concat_ws(' ', columns…))``:
the same lexemes and positions (``||`` shifts the positions of its right operand by the last
position of its left one), for a configuration whose dictionaries drop no word, such as
``simple`` (``ckan.datastore.default_fts_lang`` here). A configuration with stop words (``english``)
gives the same lexemes, so ``q`` finds the same rows, but a stop word ending a column is no
longer counted in the positions of the next ones (``ts_rank`` of a several-word ``q`` may
differ a little). A row with a ``<`` in its text is parsed whole: only an XML tag
(``<a href="x y">``) is a token with a space in it, so only then could a token span two columns.

Which values repeat is learnt from a sample of the table's pages (``TABLESAMPLE SYSTEM``): a
column gets a lookup when values seen at least twice cover at least half of its sampled
values; the lookup holds the most frequent of them (``MAX_VALUES``).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from psycopg2 import sql

SAMPLE_PAGES = 300  # ~15 000 rows of ho_so, as many pages as ANALYZE reads for 100 columns' stats
MAX_VALUES = 5_000  # per column: a hash of this size costs next to nothing per row
MIN_COVERED = 0.5  # share of the sampled values that repeated values must cover


@dataclass(frozen=True)
class Lookup:
    """The words of the repeated values of one column."""

    column: str
    values: list[str]
    words: list[str]  # tsvector text, in the order of ``values``


def repeated_values(cur: Any, table: str, columns: list[str]) -> dict[str, list[str]]:
    """The values of ``columns`` that repeat in a sample of ``table``'s pages, the most
    frequent first, for the columns where they cover at least ``MIN_COVERED`` of the sample."""
    if not columns:
        return {}
    cur.execute("SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int",
                (sql.Identifier(table).as_string(cur),))
    pages = cur.fetchone()[0] or 1
    percent = min(100.0, 100.0 * SAMPLE_PAGES / pages)
    pairs = sql.SQL(", ").join(sql.SQL("({}, {})").format(sql.Literal(i), sql.Identifier(c))
                               for i, c in enumerate(columns))
    cur.execute(sql.SQL(
        "WITH s AS MATERIALIZED (SELECT {cols} FROM {t} TABLESAMPLE SYSTEM (%s) REPEATABLE (0)), "
        "v AS (SELECT k, v, count(*) AS n FROM s, LATERAL (VALUES {pairs}) AS x(k, v) "
        "WHERE v IS NOT NULL GROUP BY k, v) "
        "SELECT k, NULL, sum(n) FROM v GROUP BY k UNION ALL "
        "SELECT k, v, n FROM v WHERE n > 1").format(
        cols=sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        t=sql.Identifier(table), pairs=pairs), (percent,))
    sampled: dict[int, int] = {}
    repeated: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for k, value, n in cur.fetchall():
        if value is None:
            sampled[k] = int(n)
        else:
            repeated[k].append((int(n), value))
    found = {}
    for k, counts in repeated.items():
        if sum(n for n, _v in counts) >= MIN_COVERED * sampled[k]:
            counts.sort(key=lambda nv: -nv[0])
            found[columns[k]] = [v for _n, v in counts[:MAX_VALUES]]
    return found


def lookups(cur: Any, table: str, columns: list[str], config: str) -> list[Lookup]:
    """A :class:`Lookup` for each column of ``columns`` whose values repeat."""
    found = []
    for column, values in repeated_values(cur, table, columns).items():
        cur.execute("SELECT to_tsvector(%s::regconfig, v)::text FROM unnest(%s::text[]) "
                    "WITH ORDINALITY AS u(v, i) ORDER BY i", (config, values))
        found.append(Lookup(column, values, [r[0] for r in cur.fetchall()]))
    return found


def words_by_value(text_columns: list[str], config: str, found: list[Lookup],
                   alias: str = "t") -> tuple[sql.Composable, sql.Composable]:
    """(the words of a row of ``alias``, the joins of the lookups it reads) for a
    ``SELECT … FROM table AS alias {joins}``: equal to ``to_tsvector(config, concat_ws(' ',
    text_columns…))``, never NULL."""
    cfg = sql.SQL("{}::regconfig").format(sql.Literal(config))
    row = sql.Identifier(alias)
    by_column = {lk.column: (sql.Identifier(f"_words_{i}"), lk) for i, lk in enumerate(found)}

    def parsed(names: list[str]) -> sql.Composable:
        return sql.SQL("to_tsvector({}, concat_ws(' ', {}))").format(
            cfg, sql.SQL(", ").join(sql.SQL("{}.{}").format(row, sql.Identifier(n))
                                    for n in names))

    pieces: list[sql.Composable] = []
    run: list[str] = []  # consecutive columns without a lookup: parsed together
    for name in text_columns:
        if name not in by_column:
            run.append(name)
            continue
        if run:
            pieces.append(parsed(run))
            run = []
        lookup_id = by_column[name][0]
        pieces.append(sql.SQL("coalesce({}.w, to_tsvector({}, {}.{}), ''::tsvector)").format(
            lookup_id, cfg, row, sql.Identifier(name)))
    if run:
        pieces.append(parsed(run))
    if not found:
        return parsed(text_columns) if text_columns else sql.SQL("''::tsvector"), sql.SQL("")
    whole = parsed(text_columns)
    words = sql.SQL("CASE WHEN strpos(concat_ws(' ', {}), '<') > 0 THEN {} ELSE {} END").format(
        sql.SQL(", ").join(sql.SQL("{}.{}").format(row, sql.Identifier(n)) for n in text_columns),
        whole, sql.SQL(" || ").join(pieces))
    joins = sql.SQL(" ").join(
        sql.SQL("LEFT JOIN unnest({}::text[], {}::tsvector[]) AS {}(v, w) ON {}.v = {}.{}").format(
            sql.Literal(lk.values), sql.Literal(lk.words), lookup_id, lookup_id, row,
            sql.Identifier(lk.column))
        for lookup_id, lk in by_column.values())
    return words, joins
