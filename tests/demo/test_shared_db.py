"""``ckan longan seed-shared-db``: the demo shared database, deterministic, read-only reader."""
from __future__ import annotations

import psycopg2
import pytest
from ckan.cli.cli import ckan

from ckanext.longan_opendata.demo import shared_db

from .conftest import SECRETS


def test_seed_command_builds_a_deterministic_database(cli, shared_database):
    url = shared_db.owner_url(shared_database["name"])
    result = cli.invoke(ckan, ["longan", "seed-shared-db", "--rows", "1234", "--db-url", url,
                               "--secrets-file", str(SECRETS)])
    assert result.exit_code == 0, result.output
    assert "dich_vu_cong.ho_so: 1234" in result.output
    conn = shared_db.connect(url, str(SECRETS))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT md5(string_agg(t::text, ',' ORDER BY ma_xa, nam)) "
                        "FROM thong_ke.dan_so_theo_xa t")
            first = cur.fetchone()[0]
            cur.execute("SELECT count(*) FILTER (WHERE dan_so IS NULL), count(DISTINCT ma_huyen) "
                        "FROM thong_ke.dan_so_theo_xa")
            nulls, districts = cur.fetchone()
            cur.execute("""SELECT c.relname, c.relkind, n.nspname,
                                  EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid
                                          AND i.indisprimary)
                           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname IN ('thong_ke', 'dich_vu_cong')
                             AND c.relkind IN ('r', 'v')""")
            relations = {name: (kind, schema, pk) for name, kind, schema, pk in cur.fetchall()}
    finally:
        conn.close()
    assert nulls > 0 and districts == 15
    assert relations["v_dan_so_theo_huyen"][0] == "v"
    assert relations["Sản lượng nông nghiệp"] == ("r", "thong_ke", False)
    assert relations["luong_mua_thang"][2] is False
    assert relations["ho_so"] == ("r", "dich_vu_cong", True)
    # refreshing gives the same data
    result = cli.invoke(ckan, ["longan", "seed-shared-db", "--rows", "3000", "--db-url", url,
                               "--secrets-file", str(SECRETS)])
    assert result.exit_code == 0, result.output
    conn = shared_db.connect(url, str(SECRETS))
    with conn.cursor() as cur:
        cur.execute("SELECT md5(string_agg(t::text, ',' ORDER BY ma_xa, nam)) "
                    "FROM thong_ke.dan_so_theo_xa t")
        assert cur.fetchone()[0] == first
    conn.close()


def test_the_reader_role_can_only_read(shared_database):
    conn = psycopg2.connect(host="127.0.0.1", user=shared_db.READER,
                            password=shared_database["reader_password"],
                            dbname=shared_database["name"])
    try:
        with conn.cursor() as cur:
            cur.execute('SELECT count(*) FROM thong_ke."Sản lượng nông nghiệp"')
            assert cur.fetchone()[0] > 0
        for statement in ("DELETE FROM thong_ke.truong_hoc",
                          "CREATE TABLE thong_ke.x (a int)"):
            with pytest.raises(psycopg2.Error), conn.cursor() as cur:
                cur.execute(statement)
            conn.rollback()
    finally:
        conn.close()


def test_seed_without_roles_gives_a_clear_error(cli):
    result = cli.invoke(ckan, ["longan", "seed-shared-db", "--db-url",
                               "postgresql://longan_khong_ton_tai@127.0.0.1:5432/x",
                               "--secrets-file", "/nonexistent"])
    assert result.exit_code != 0
    assert "shared-db-roles" in result.output and "Traceback" not in result.output
