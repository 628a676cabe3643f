"""The full-text job of a large harvested table (issue 13, item 2) against the COPY, interleaved.

    .venv/bin/python bench/bench_full_text.py -c test-NAME.ini [--rows 1000000] [--rounds 2]
        [--workers 2] [--no-check]

Needs the demo shared database ``longan_shared_bench_<site>`` that bench/bench_harvest.py seeds
(``dich_vu_cong.ho_so``, at least ``--rows`` rows). In each round, in the DataStore database:

- ``copy`` (the baseline): the rows ``COPY``-ed from the source (``COPY TO STDOUT`` → pipe →
  ``COPY FROM``), as the harvester loads them;
- a table shaped as the loader leaves a large one (``_id`` primary key, ``_full_text`` empty, the
  DataStore's trigger, frozen rows), filled by ``full_text.fill_words`` (what makes it searchable
  by ``q``; the text search configuration of ``ckan.datastore.default_fts_lang``):
  ``whole rows``: every row parsed whole (``to_tsvector(concat_ws(…))``, the job before this
  issue); ``by value``: the words of each repeated value computed once
  (harvesters/words.py); the two in alternate order from round to round;
- ``index``: ``full_text.index_full_text`` after the second (the DataStore's index method,
  ``CONCURRENTLY``, then ``VACUUM ANALYZE``): a speed matter, ``q`` finds the rows before it.

With ``--workers 0``, also the CPU seconds of the PostgreSQL backends (source and DataStore,
read in /proc when PostgreSQL runs on this machine) of each, as multiples of the COPY's: a
figure a shared machine's load disturbs less than the seconds.

Unless ``--no-check``, the first round checks that ``by value`` (its second) gave every row the same
``tsvector`` as ``to_tsvector(config, concat_ws(' ', text columns))`` (so ``@@`` of any query
finds the same rows, and ranks them the same). Prints seconds and multiples of the COPY of the
same round, and the load average.
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
PLAIN = "_bench_fts_plain"
TABLE = "_bench_fts_harvested"


def _harvested_table(dst) -> None:
    """``TABLE`` as ``loader.load`` leaves a large table: the rows of ``PLAIN``, ``_id``
    primary key, ``_full_text`` empty, the DataStore's trigger, the rows frozen (COPY FREEZE)."""
    names = ", ".join(c.split()[0] for c in HO_SO_COLUMNS.split(", "))
    dst.autocommit = True
    with dst.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cur.execute(f"CREATE TABLE {TABLE} (_id serial PRIMARY KEY, _full_text tsvector, "
                    f"{HO_SO_COLUMNS})")
        cur.execute(f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM {PLAIN} ORDER BY id")
        cur.execute(f"CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON {TABLE} "
                    "FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()")
        cur.execute(f"VACUUM (FREEZE) {TABLE}")
    dst.autocommit = False


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _backends_cpu(databases: tuple[str, ...]) -> float:
    """CPU seconds so far of the PostgreSQL backends (on this machine) connected to
    ``databases``; 0 when /proc does not show them. Parallel workers are gone (and uncounted)
    by the time this is read: meaningful with ``--workers 0``."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes().decode(errors="replace")
            if command.startswith("postgres:") and any(d in command for d in databases):
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue
    return total


def _mismatches(dst, config: str) -> int:
    """Rows of ``TABLE`` whose words differ from ``to_tsvector`` of the whole row."""
    with dst.cursor() as cur:
        cur.execute("SET max_parallel_workers_per_gather = 2")
        cur.execute(f"SELECT count(*) FROM {TABLE} WHERE _full_text IS DISTINCT FROM "
                    f"to_tsvector(%s::regconfig, concat_ws(' ', {', '.join(TEXT_COLUMNS)}))",
                    (config,))
        found = cur.fetchone()[0]
    dst.rollback()
    return found


def one_round(src, dst, rows: int, workers: int, number: int, check: bool) -> dict[str, float]:
    from ckanext.longan_opendata.harvesters import datastore_tables, full_text

    databases = (src.info.dbname, dst.info.dbname)
    cpu = _backends_cpu(databases)
    out = {"copy": timed_copy(src, dst, PLAIN,
                              f"SELECT * FROM dich_vu_cong.ho_so WHERE id <= {rows}",
                              HO_SO_COLUMNS)}
    cpus = {"copy cpu": _backends_cpu(databases) - cpu}
    variants = [("whole rows", False), ("by value", True)]
    for label, by_value in variants if number % 2 == 0 else variants[::-1]:
        _harvested_table(dst)
        cpu = _backends_cpu(databases)
        out[label] = _timed(lambda b=by_value: full_text.fill_words(TABLE, workers, by_value=b))
        cpus[label + " cpu"] = _backends_cpu(databases) - cpu
    out["index"] = _timed(lambda: full_text.index_full_text(TABLE))
    if workers == 0 and cpus["copy cpu"] > 0:
        out.update(cpus)
    if check:
        print(f"  rows whose words differ from to_tsvector of the whole row: "
              f"{_mismatches(dst, datastore_tables.fts_lang())} of {rows:,}", flush=True)
    return out


def _base(figures: dict[str, float], key: str) -> float:
    """What ``key`` is a multiple of: the COPY's seconds, or its backends' CPU seconds."""
    return figures["copy cpu"] if key.endswith(" cpu") else figures["copy"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args()

    import psycopg2
    from bench_harvest import SECRETS, _db_name, _setup
    from sqlalchemy.engine import make_url

    from ckanext.longan_opendata.demo import shared_db
    from ckanext.longan_opendata.harvesters import datastore_tables

    tk, _user, _org = _setup(str(Path(args.config).resolve()))
    src = psycopg2.connect(host="127.0.0.1", user=shared_db.READER,
                           dbname=_db_name(tk.config.get("ckan.site_id")),
                           password=shared_db.read_secrets(SECRETS)[shared_db.READER_PW_KEY])
    url = make_url(tk.config.get("ckan.datastore.write_url"))
    dst = psycopg2.connect(host=url.host, port=url.port or 5432, user=url.username,
                           password=url.password, dbname=url.database)
    print(f"text search configuration {datastore_tables.fts_lang()}, index "
          f"{tk.config.get('ckan.datastore.default_fts_index_method')}, {args.workers} workers",
          flush=True)
    print(f"load average before: {os.getloadavg()}", flush=True)
    rounds = []
    for number in range(args.rounds):
        rounds.append(one_round(src, dst, args.rows, args.workers, number,
                                check=not args.no_check and number == 0))
        figures = rounds[-1]
        print(f"round {number + 1}: " + ", ".join(
            f"{k} {v:.1f} s ({v / _base(figures, k):.2f}x)" for k, v in figures.items())
            + f"; load average {os.getloadavg()[0]:.2f}", flush=True)
    with dst.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cur.execute(f"DROP TABLE IF EXISTS {PLAIN}")
    dst.commit()
    print(f"load average after: {os.getloadavg()}")
    print(f"median of {args.rounds} rounds, {args.rows:,} rows, as multiples of the COPY of "
          "the same round (searchable = the job's words filled; goal <= 2x):")
    for key in rounds[0]:
        seconds = statistics.median(r[key] for r in rounds)
        ratio = statistics.median(r[key] / _base(r, key) for r in rounds)
        print(f"  {key:<16} {seconds:6.1f} s  {ratio:5.2f}x")
    print("  by value / whole rows: "
          f"{statistics.median(r['by value'] / r['whole rows'] for r in rounds):.2f}")


if __name__ == "__main__":
    main()
