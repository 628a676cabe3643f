"""The DataStore tables the harvesters write: the write engine, the names the DataStore gives
tables and indexes, and the words (``_full_text``) of a row as the DataStore's ``q`` finds them.
Shared by the load (:mod:`.loader`) and the full-text job (:mod:`.full_text`)."""
from __future__ import annotations

import hashlib

import ckan.plugins.toolkit as tk
from psycopg2 import sql


def write_engine():
    """The DataStore's write engine (its ``ckan.datastore.write_url``)."""
    from ckanext.datastore.backend.postgres import get_write_engine

    return get_write_engine()


def index_name(resource_id: str, field_str: str) -> str:
    """The name the DataStore gives an index (``_generate_index_name`` of its backend)."""
    return hashlib.sha1((resource_id + field_str).encode("utf-8")).hexdigest()  # noqa: S324


def table_exists(resource_id: str) -> bool:
    with write_engine().connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = %s",
                        (resource_id,))
            return cur.fetchone() is not None


def drop_table(resource_id: str) -> None:
    engine = write_engine()
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(
                sql.Identifier(resource_id)))
            cur.execute("DELETE FROM _table_stats WHERE resource_id = %s", (resource_id,))
        raw.commit()
    finally:
        raw.close()


def fts_lang() -> str:
    """The text search configuration of the DataStore's ``q`` (``plainto_tsquery(lang, q)``):
    ``ckan.datastore.default_fts_lang``. The words of a harvested table are computed with the
    same one, so that a ``q`` finds them whatever the database's default configuration."""
    return tk.config.get("ckan.datastore.default_fts_lang") or "english"


def full_text_expr(text_columns: list[str]) -> sql.Composable:
    """``_full_text`` of a row: the words of its text columns (NULL-safe), in the text search
    configuration of :func:`fts_lang`."""
    if not text_columns:
        return sql.SQL("NULL::tsvector")
    return sql.SQL("to_tsvector({}::regconfig, concat_ws(' ', {}))").format(
        sql.Literal(fts_lang()), sql.SQL(", ").join(sql.Identifier(c) for c in text_columns))


def fts_method() -> sql.SQL:
    """The index method of ``_full_text``: the DataStore's ``default_fts_index_method``."""
    method = tk.config.get("ckan.datastore.default_fts_index_method") or "gist"
    return sql.SQL(method if method in ("gist", "gin") else "gist")
