"""Variants of the DataStore full text of a harvested table (issue 13, item 2), interleaved.

    .venv/bin/python bench/bench_full_text.py -c test-NAME.ini [--rows 1000000] [--rounds 2]

Needs the demo shared database ``longan_shared_bench_<site>`` that bench/bench_harvest.py seeds
(``dich_vu_cong.ho_so``, at least ``--rows`` rows). In each round, in the DataStore database:

- baseline: the rows ``COPY``-ed from the source (``COPY TO STDOUT`` → pipe → ``COPY FROM``);
- for each text search configuration (``english``, today's: the database's default and
  CKAN's ``default_fts_lang``; ``simple``; ``longan_vi`` = ``simple`` + ``unaccent``):
  ``words``: the table written again with ``to_tsvector(config, …)`` (``CREATE TABLE … AS``
  with the parallel workers of the full-text job: what makes a table searchable), then the
  GiST and the GIN index of those words; ``source``: the words computed in the source's
  ``COPY`` SELECT and carried by the stream into a ``tsvector`` column (one COPY, searchable at
  commit).

Prints seconds and multiples of the baseline COPY of the same round, and the load average.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_harvest import HO_SO_COLUMNS, timed_copy  # noqa: E402

TEXT_COLUMNS = ("ma_ho_so", "thu_tuc", "linh_vuc", "co_quan", "ma_xa", "trang_thai")
CONFIGS = ("english", "simple", "longan_vi")


def _words(config: str) -> str:
    return f"to_tsvector('{config}', concat_ws(' ', {', '.join(TEXT_COLUMNS)}))"


def _timed(cur, statement: str) -> float:
    started = time.perf_counter()
    cur.execute(statement)
    return time.perf_counter() - started


def _ensure_longan_vi(conn) -> None:
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cur.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'longan_vi'")
        if not cur.fetchone():
            cur.execute("CREATE TEXT SEARCH CONFIGURATION longan_vi (COPY = simple); "
                        "ALTER TEXT SEARCH CONFIGURATION longan_vi ALTER MAPPING FOR "
                        "hword, hword_part, word WITH unaccent, simple")
    conn.commit()


def one_round(src, dst, rows: int, workers: int) -> dict[str, float]:
    out = {"copy": timed_copy(src, dst, "_bench_fts_copy",
                               f"SELECT * FROM dich_vu_cong.ho_so WHERE id <= {rows}",
                               HO_SO_COLUMNS)}
    with dst.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS _bench_fts_plain")
        cur.execute("ALTER TABLE _bench_fts_copy RENAME TO _bench_fts_plain")
    dst.commit()
    for config in CONFIGS:
        with dst.cursor() as cur:
            cur.execute("SET max_parallel_workers_per_gather = %s", (str(workers),))
            cur.execute("SET maintenance_work_mem = '256MB'")
            cur.execute("DROP TABLE IF EXISTS _bench_fts_words")
            out[f"{config} words"] = _timed(
                cur, f"CREATE TABLE _bench_fts_words AS SELECT *, {_words(config)} AS _full_text "
                     "FROM _bench_fts_plain")
            dst.commit()
            for method in ("gist", "gin"):
                out[f"{config} {method}"] = _timed(
                    cur, f"CREATE INDEX _bench_fts_{method} ON _bench_fts_words USING {method} "
                         "(_full_text)")
                dst.commit()
            cur.execute("DROP TABLE _bench_fts_words")
        dst.commit()
        if config != "longan_vi":  # the source would need unaccent as well
            out[f"{config} source"] = timed_copy(
                src, dst, "_bench_fts_copy",
                f"SELECT *, {_words(config)} FROM dich_vu_cong.ho_so WHERE id <= {rows}",
                HO_SO_COLUMNS + ", _full_text tsvector")
    with dst.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS _bench_fts_copy")
        cur.execute("DROP TABLE IF EXISTS _bench_fts_plain")
    dst.commit()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import psycopg2
    from bench_harvest import SECRETS, _db_name, _setup
    from sqlalchemy.engine import make_url

    from ckanext.longan_opendata.demo import shared_db

    tk, _user, _org = _setup(str(Path(args.config).resolve()))
    src = psycopg2.connect(host="127.0.0.1", user=shared_db.READER,
                           dbname=_db_name(tk.config.get("ckan.site_id")),
                           password=shared_db.read_secrets(SECRETS)[shared_db.READER_PW_KEY])
    url = make_url(tk.config.get("ckan.datastore.write_url"))
    dst = psycopg2.connect(host=url.host, port=url.port or 5432, user=url.username,
                           password=url.password, dbname=url.database)
    _ensure_longan_vi(dst)
    print(f"load average before: {os.getloadavg()}", flush=True)
    rounds = []
    for number in range(args.rounds):
        rounds.append(one_round(src, dst, args.rows, args.workers))
        figures = rounds[-1]
        print(f"round {number + 1}: " + ", ".join(
            f"{k} {v:.1f} s ({v / figures['copy']:.1f}x)" for k, v in figures.items()),
            flush=True)
    print(f"load average after: {os.getloadavg()}")
    print(f"median of {args.rounds} rounds, {args.rows:,} rows, as multiples of the COPY of "
          "the same round:")
    for key in rounds[0]:
        seconds = statistics.median(r[key] for r in rounds)
        ratio = statistics.median(r[key] / r["copy"] for r in rounds)
        print(f"  {key:<16} {seconds:6.1f} s  {ratio:5.2f}x")


if __name__ == "__main__":
    main()
