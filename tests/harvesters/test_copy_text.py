"""The COPY text a PostgreSQL source streams: only the types whose ``::text`` differs from their
COPY text are cast, and the stream (the content hash of every table harvested before) is byte for
byte the one of every column cast to text."""
from __future__ import annotations

import io

import psycopg2
import pytest
from psycopg2 import sql as pgsql

from ckanext.longan_opendata.demo import shared_db
from ckanext.longan_opendata.harvesters.sql_source import columns_of, copy_out_sql, relation

# every type the harvester maps, and those whose cast to text is not their output function
CREATE = """
CREATE DOMAIN kiem_thu.co_khong AS boolean;
CREATE DOMAIN kiem_thu.co_khong_2 AS kiem_thu.co_khong;
CREATE TABLE kiem_thu.kieu_du_lieu (
    so_nho int2, so int4, so_lon int8, thap_phan numeric, thuc float4, thuc_kep float8,
    tien money, ngay date, thoi_diem timestamp, thoi_diem_tz timestamptz, co bool,
    co_mien kiem_thu.co_khong, co_mien_2 kiem_thu.co_khong_2, chu text, chu_doi varchar(20),
    chu_co_dinh char(6), ten name, ky_tu "char", dia_chi inet, mang cidr, tai_lieu xml,
    json_ jsonb, danh_sach_co bool[], khoang interval, nhi_phan bytea, ma uuid);
INSERT INTO kiem_thu.kieu_du_lieu VALUES
    (1, 2, 3, 1.50, 1.1, 0.1, 12.5, '2024-02-29', '2024-01-01 08:30:00.5',
     '2024-01-01 01:30:00+00', true, false, true, E'Xã Mỹ Yên\\t\\\\ \\n', 'Tân An',
     'ab', 'ten', 'x', '10.0.0.1', '10.0.0.0/8',
     '<?xml version="1.0"?><a>Long An</a>', '{"b": [1, true]}', '{t,f,NULL}',
     '1 day 02:00', '\\x00ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (-1, 0, 9223372036854775807, -0.000001, 'NaN', '-Infinity', -3, 'infinity', '-infinity',
     '2024-06-30 23:59:59.999999+07', false, true, false, '', '', 'đủ sáu', 'tên',
     'y', '::1', '2001:db8::/32', '<a/>', '[]', '{}', '-1 mon', '\\x', NULL);
"""
ITEM = {"schema": "kiem_thu", "table": "kieu_du_lieu"}


def _copy_before(columns, tz) -> pgsql.Composable:
    """The statement of the harvester before: every column cast to text."""
    exprs = [pgsql.SQL("({} AT TIME ZONE 'Asia/Ho_Chi_Minh')::text" if c.id in tz
                       else "{}::text").format(pgsql.Identifier(c.id)) for c in columns]
    return pgsql.SQL("COPY (SELECT {} FROM ({}) AS _longan_q) TO STDOUT").format(
        pgsql.SQL(", ").join(exprs), relation(ITEM))


def _stream(conn, statement: pgsql.Composable) -> bytes:
    out = io.BytesIO()
    conn.cursor().copy_expert(statement.as_string(conn), out)
    conn.rollback()
    return out.getvalue()


@pytest.fixture()
def typed_table(owner_conn, scratch_schema) -> None:
    with owner_conn.cursor() as cur:
        cur.execute(CREATE)


@pytest.mark.usefixtures("typed_table")
def test_only_the_types_whose_text_differs_are_cast_and_the_stream_is_unchanged(
        shared_database):
    conn = psycopg2.connect(host="127.0.0.1", user=shared_db.READER,
                            dbname=shared_database["name"],
                            password=shared_database["reader_password"])
    try:
        with conn.cursor() as cur:
            columns, _comment, tz, casts = columns_of(cur, ITEM)
        conn.rollback()
        assert tz == ["thoi_diem_tz"]
        assert sorted(casts) == sorted(["co", "co_mien", "co_mien_2", "chu_doi", "chu_co_dinh",
                                        "ten", "ky_tu", "dia_chi", "mang", "tai_lieu"])
        now = _stream(conn, copy_out_sql(ITEM, columns, tz, casts))
        assert now == _stream(conn, _copy_before(columns, tz))
        assert now == _stream(conn, copy_out_sql(ITEM, columns, tz))  # None: all cast
        first = now.split(b"\n")[0].split(b"\t")
        assert first[10:13] == [b"true", b"false", b"true"]  # boolean as before, not t/f
        assert b"ab    " not in now and b"\tab\t" in now  # character(n) as before, unpadded
    finally:
        conn.close()
