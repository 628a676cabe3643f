"""The words (``_full_text``) of a large harvested table, computed once per repeated value.

``to_tsvector`` parses every row's text (the default parser costs ~15 µs for a row of this
Vietnamese text), yet harvested tables repeat their values: agencies, procedures, states, commune
codes. The words of a row are the concatenation (``tsvector || tsvector``) of the words of its
text columns, so the words of each repeated value are computed once, in a lookup joined to the
rows; columns without a lookup (a unique code) are parsed in each row, consecutive ones in one
``to_tsvector`` call as before, and a row whose value the lookup lacks (the sample did not see
it) is parsed whole.

The result is the same ``tsvector`` as ``to_tsvector(config, concat_ws(' ', columns…))``:
the same lexemes and positions (``||`` shifts the positions of its right operand by the last
position of its left one), for a configuration whose dictionaries drop no word, such as
``simple`` (``ckan.datastore.default_fts_lang`` here). A configuration with stop words (``english``)
gives the same lexemes, so ``q`` finds the same rows, but a stop word ending a column is no
longer counted in the positions of the next ones (``ts_rank`` of a several-word ``q`` may
differ a little). A row with a ``<`` in its text is parsed whole (such values are kept out of
the lookups): only an XML tag
(``<a href="x y">``) is a token with a space in it, so only then could a token span two columns.

Which values repeat is learnt from a sample of the table's pages (``TABLESAMPLE SYSTEM``): a
column repeats when values seen at least twice cover at least half of the sampled rows. A run of
consecutive repeating columns gets one lookup of its tuples when they repeat as well (one join,
no ``||``: agency, procedure and field go together), else a lookup per column; a lookup holds
the most frequent keys (``MAX_VALUES``). The planner is kept from a merge join (sorting the
table) for the lookups: they are hashed.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from psycopg2 import sql

SAMPLE_PAGES = 300  # ~15 000 rows of ho_so, as many pages as ANALYZE reads for 100 columns' stats
MAX_VALUES = 5_000  # per lookup: a hash of this size costs next to nothing per row
MAX_LOOKUP_CHARS = 1_000_000  # per lookup: its keys are written in the statement
MAX_CHARS = 2_000  # a longer value (from the sample, fetched cut) is never in a lookup
MIN_COVERED = 0.5  # share of the sampled rows that the repeated keys must cover
NULL_KEY = "\x01"  # a NULL in the key of a lookup of several columns; a value with it is never
# in a lookup (keys stay unique), and a value "\x01" joins a NULL's key: the same words (none,
# no position: a blank to the parser)


@dataclass(frozen=True)
class Lookup:
    """The words of the repeated values of one column, or of the repeated tuples of a run of
    consecutive columns (``keys[i][j]`` the value of ``columns[j]``, ``None`` for NULL)."""

    columns: tuple[str, ...]
    keys: list[tuple[str | None, ...]]


def _sample(cur: Any, table: str, columns: list[str]) -> list[tuple[str | None, ...]]:
    """The text columns of the rows of a sample of ``table``'s pages, each cut after
    ``MAX_CHARS``."""
    cur.execute("SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int",
                (sql.Identifier(table).as_string(cur),))
    pages = cur.fetchone()[0] or 1
    cur.execute(sql.SQL("SELECT {} FROM {} TABLESAMPLE SYSTEM ({}) REPEATABLE (0)").format(
        sql.SQL(", ").join(sql.SQL("left({}, {})").format(sql.Identifier(c),
                                                          sql.Literal(MAX_CHARS + 1))
                           for c in columns),
        sql.Identifier(table), sql.Literal(min(100.0, 100.0 * SAMPLE_PAGES / pages))))
    return cur.fetchall()


def _repeated(keys: list[Any], rows: int) -> list[Any] | None:
    """The keys seen at least twice, the most frequent first, if they cover ``MIN_COVERED`` of
    the ``rows`` sampled; else None."""
    counts = Counter(keys)
    repeated = [(n, k) for k, n in counts.items() if n > 1]
    if not rows or sum(n for n, _k in repeated) < MIN_COVERED * rows:
        return None
    repeated.sort(key=lambda nk: -nk[0])
    kept, chars = [], 0
    for _n, k in repeated[:MAX_VALUES]:
        chars += sum(len(v) for v in (k if isinstance(k, tuple) else (k,)) if isinstance(v, str))
        if chars > MAX_LOOKUP_CHARS:
            break
        kept.append(k)
    return kept


class _Unique:
    """A sampled value never put in a lookup (too long, or with a ``<``: see words_by_value)."""


def plan(columns: list[str], rows: list[tuple[str | None, ...]]) -> list[Lookup]:
    """The lookups worth joining for the text ``columns`` of a table, from ``rows`` of it: a
    run of consecutive columns whose values repeat gets one lookup of its tuples when they
    repeat too (one join and no ``||`` for the run), else one lookup per column."""
    def key(value: str | None) -> Any:
        if value is not None and (len(value) > MAX_CHARS or "<" in value or NULL_KEY in value):
            return _Unique()
        return value

    keyed = [tuple(key(v) for v in row) for row in rows]
    repeats = [_repeated([r[i] for r in keyed], len(keyed)) is not None
               for i in range(len(columns))]
    runs: list[list[int]] = []
    for i, repeating in enumerate(repeats):
        if repeating and runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        elif repeating:
            runs.append([i])
    found = []
    for run in runs:
        tuples = _repeated([tuple(r[i] for i in run) for r in keyed], len(keyed))
        if len(run) > 1 and tuples:
            found.append(Lookup(tuple(columns[i] for i in run), tuples))
            continue
        for i in run:
            values = [v for v in _repeated([r[i] for r in keyed], len(keyed)) or []
                      if v is not None]
            if values:
                found.append(Lookup((columns[i],), [(v,) for v in values]))
    return found


def lookups(cur: Any, table: str, columns: list[str]) -> list[Lookup]:
    """The :func:`plan` of ``table`` from a sample of its pages."""
    return plan(columns, _sample(cur, table, columns)) if columns else []


def _words_of_keys(cur: Any, lookup: Lookup, cfg: sql.Composable) -> list[str]:
    """The words (tsvector text) of each key of ``lookup``."""
    arrays = [[k[j] for k in lookup.keys] for j in range(len(lookup.columns))]
    names = sql.SQL(", ").join(sql.Identifier(f"c{j}") for j in range(len(arrays)))
    cur.execute(sql.SQL(
        "SELECT to_tsvector({}, concat_ws(' ', {}))::text FROM unnest({}) WITH ORDINALITY "
        "AS u({}, i) ORDER BY i").format(
        cfg, names, sql.SQL(", ").join(sql.SQL("%s::text[]") for _a in arrays), names), arrays)
    return [r[0] for r in cur.fetchall()]


def words_by_value(cur: Any, text_columns: list[str], config: str, found: list[Lookup],
                   alias: str = "t") -> tuple[sql.Composable, sql.Composable]:
    """(the words of a row of ``alias``, the joins of the ``found`` lookups it reads) for a
    ``SELECT … FROM table AS alias {joins}``: equal to ``to_tsvector(config, concat_ws(' ',
    text_columns…))``, never NULL."""
    cfg = sql.SQL("{}::regconfig").format(sql.Literal(config))
    row = sql.Identifier(alias)

    def column(name: str) -> sql.Composable:
        return sql.SQL("{}.{}").format(row, sql.Identifier(name))

    def parsed(names: list[str]) -> sql.Composable:
        return sql.SQL("to_tsvector({}, concat_ws(' ', {}))").format(
            cfg, sql.SQL(", ").join(column(n) for n in names))

    if not found:
        return parsed(text_columns) if text_columns else sql.SQL("''::tsvector"), sql.SQL("")
    starting = {lk.columns[0]: (sql.Identifier(f"_words_{i}"), lk) for i, lk in enumerate(found)}
    pieces: list[sql.Composable] = []
    hits: list[sql.Composable] = []  # every lookup found its key (or a lone column is NULL)
    joins: list[sql.Composable] = []
    run: list[str] = []  # consecutive columns without a lookup: parsed together
    i = 0
    while i < len(text_columns):
        if text_columns[i] not in starting:
            run.append(text_columns[i])
            i += 1
            continue
        if run:
            pieces.append(parsed(run))
            run = []
        lookup_id, lk = starting[text_columns[i]]
        i += len(lk.columns)
        pieces.append(sql.SQL("coalesce({}.w, ''::tsvector)").format(lookup_id))
        hits.append(sql.SQL("({}.w IS NOT NULL OR {} IS NULL)").format(
            lookup_id, column(lk.columns[0])) if len(lk.columns) == 1
            else sql.SQL("{}.w IS NOT NULL").format(lookup_id))
        joins.append(_join(cur, lk, lookup_id, cfg, column))
    if run:
        pieces.append(parsed(run))
    # the values of a lookup have no '<' (see plan): a parsed column with one, the row is
    # parsed whole, as is a row whose values are not all in the lookups
    no_tag = [sql.SQL("strpos(coalesce({}, ''), '<') = 0").format(column(n))
              for n in text_columns if n not in {c for lk in found for c in lk.columns}]
    words = sql.SQL("CASE WHEN {} THEN {} ELSE {} END").format(
        sql.SQL(" AND ").join(hits + no_tag), sql.SQL(" || ").join(pieces),
        parsed(text_columns))
    return words, sql.SQL(" ").join(joins)


def _join(cur: Any, lk: Lookup, lookup_id: sql.Identifier, cfg: sql.Composable,
          column: Any) -> sql.Composable:
    """``LEFT JOIN`` of the keys and words of ``lk``: ``lookup_id(k0, k1…, w)``."""
    names = [sql.Identifier(f"k{j}") for j in range(len(lk.columns))]
    arrays = []
    conditions = []
    for j, name in enumerate(lk.columns):
        values = [k[j] for k in lk.keys]
        with_null = None in values
        arrays.append(sql.SQL("{}::text[]").format(
            sql.Literal([NULL_KEY if v is None else v for v in values])))
        conditions.append(sql.SQL("{}.{} = {}").format(
            lookup_id, names[j], sql.SQL("coalesce({}, {})").format(
                column(name), sql.Literal(NULL_KEY)) if with_null else column(name)))
    arrays.append(sql.SQL("{}::tsvector[]").format(sql.Literal(_words_of_keys(cur, lk, cfg))))
    return sql.SQL("LEFT JOIN unnest({}) AS {}({}, w) ON {}").format(
        sql.SQL(", ").join(arrays), lookup_id, sql.SQL(", ").join(names),
        sql.SQL(" AND ").join(conditions))
