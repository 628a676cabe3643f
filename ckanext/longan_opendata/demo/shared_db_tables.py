"""The tables of the demo shared database (:mod:`.shared_db`): their definitions and their rows.

Everything here is data, made deterministically so that a test or a benchmark sees the same
database on every machine: the communes of Long An before 1 July 2025, the tables' DDL, the rows
of the small tables (also served by the demo LGSP service, :mod:`.lgsp`) and the statement that
generates the large table ``dich_vu_cong.ho_so`` in the server. The figures are illustrative:
shaped like the province's publications, not official statistics.
"""
from __future__ import annotations

from typing import Any

Row = tuple[Any, ...]

# (district code, district, [communes]) — Long An before 1 July 2025; commune codes illustrative
DISTRICTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("794", "Thành phố Tân An", ("Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 5",
                                 "Phường 6", "Phường 7", "Phường Tân Khánh", "Phường Khánh Hậu",
                                 "Xã Hướng Thọ Phú", "Xã Nhơn Thạnh Trung", "Xã Lợi Bình Nhơn",
                                 "Xã Bình Tâm", "Xã An Vĩnh Ngãi")),
    ("795", "Thị xã Kiến Tường", ("Phường 1", "Phường 2", "Phường 3", "Xã Tuyên Thạnh",
                                  "Xã Bình Hiệp", "Xã Thạnh Trị")),
    ("796", "Huyện Tân Hưng", ("Thị trấn Tân Hưng", "Xã Hưng Điền", "Xã Vĩnh Thạnh",
                               "Xã Vĩnh Đại")),
    ("797", "Huyện Vĩnh Hưng", ("Thị trấn Vĩnh Hưng", "Xã Khánh Hưng", "Xã Tuyên Bình")),
    ("798", "Huyện Mộc Hóa", ("Thị trấn Bình Phong Thạnh", "Xã Tân Lập", "Xã Bình Hòa Tây")),
    ("799", "Huyện Tân Thạnh", ("Thị trấn Tân Thạnh", "Xã Hậu Thạnh Đông", "Xã Nhơn Hòa")),
    ("800", "Huyện Thạnh Hóa", ("Thị trấn Thạnh Hóa", "Xã Thạnh Phước", "Xã Tân Đông")),
    ("801", "Huyện Đức Huệ", ("Thị trấn Đông Thành", "Xã Mỹ Quý Đông", "Xã Mỹ Thạnh Tây")),
    ("802", "Huyện Đức Hòa", ("Thị trấn Hậu Nghĩa", "Thị trấn Hiệp Hòa", "Thị trấn Đức Hòa",
                              "Xã Đức Hòa Hạ", "Xã Hựu Thạnh", "Xã Đức Lập Thượng")),
    ("803", "Huyện Bến Lức", ("Thị trấn Bến Lức", "Xã Thạnh Đức", "Xã Nhựt Chánh",
                              "Xã Lương Hòa", "Xã Mỹ Yên", "Xã Phước Lợi")),
    ("804", "Huyện Thủ Thừa", ("Thị trấn Thủ Thừa", "Xã Mỹ An", "Xã Nhị Thành")),
    ("805", "Huyện Tân Trụ", ("Thị trấn Tân Trụ", "Xã Bình Lãng", "Xã Nhựt Ninh")),
    ("806", "Huyện Cần Đước", ("Thị trấn Cần Đước", "Xã Long Hựu Đông", "Xã Tân Lân",
                               "Xã Phước Đông")),
    ("807", "Huyện Cần Giuộc", ("Thị trấn Cần Giuộc", "Xã Phước Lý", "Xã Long Hậu",
                                "Xã Tân Kim", "Xã Mỹ Lộc")),
    ("808", "Huyện Châu Thành", ("Thị trấn Tầm Vu", "Xã Hòa Phú", "Xã Bình Quới")),
)

TABLES = (
    ("thong_ke", "dan_so_theo_xa"),
    ("thong_ke", "truong_hoc"),
    ("thong_ke", "co_so_y_te"),
    ("thong_ke", "doanh_nghiep_dang_ky"),
    ("thong_ke", "Sản lượng nông nghiệp"),
    ("thong_ke", "luong_mua_thang"),
    ("dich_vu_cong", "thong_ke_truc_tuyen"),
    ("dich_vu_cong", "ho_so"),
    ("thong_ke", "chi_tieu_kinh_te_xa_hoi"),
)
VIEWS = (("thong_ke", "v_dan_so_theo_huyen"),)


def communes() -> list[tuple[str, str, str, str]]:
    """(commune code, commune, district code, district), in a fixed order."""
    found = []
    code = 27_685
    for district_code, district, names in DISTRICTS:
        for name in names:
            found.append((f"{code:05d}", name, district_code, district))
            code += 3
    return found


SCHEMA_SQL = """
CREATE TABLE thong_ke.dan_so_theo_xa (
    ma_xa text NOT NULL, ten_xa text NOT NULL, ma_huyen text NOT NULL, ten_huyen text NOT NULL,
    nam integer NOT NULL, dan_so integer, dan_so_nam integer, dan_so_nu integer,
    dien_tich_km2 numeric(8, 2), mat_do_dan_so numeric(10, 1),
    PRIMARY KEY (ma_xa, nam));
COMMENT ON TABLE thong_ke.dan_so_theo_xa IS
    'Dân số trung bình phân theo xã, phường, thị trấn và năm';

CREATE TABLE thong_ke.truong_hoc (
    ma_truong text PRIMARY KEY, ten_truong text NOT NULL, cap_hoc text NOT NULL,
    loai_hinh text NOT NULL, ma_xa text, ten_huyen text NOT NULL, so_lop integer,
    so_hoc_sinh integer, so_giao_vien integer, ngay_thanh_lap date, dat_chuan_quoc_gia boolean);
COMMENT ON TABLE thong_ke.truong_hoc IS 'Danh sách trường học';

CREATE TABLE thong_ke.co_so_y_te (
    ma_co_so text PRIMARY KEY, ten_co_so text NOT NULL, loai_hinh text NOT NULL,
    ten_huyen text NOT NULL, dia_chi text, so_giuong_benh integer, so_bac_si integer,
    kinh_do numeric(9, 6), vi_do numeric(9, 6));
COMMENT ON TABLE thong_ke.co_so_y_te IS 'Cơ sở y tế';

CREATE TABLE thong_ke.doanh_nghiep_dang_ky (
    ma_so_thue text PRIMARY KEY, ten_doanh_nghiep text NOT NULL, loai_hinh text NOT NULL,
    nganh_nghe_chinh text, ten_huyen text NOT NULL, von_dieu_le_trieu_dong numeric(14, 0),
    so_lao_dong integer, ngay_dang_ky date NOT NULL);
COMMENT ON TABLE thong_ke.doanh_nghiep_dang_ky IS 'Doanh nghiệp đăng ký thành lập mới';

CREATE TABLE thong_ke."Sản lượng nông nghiệp" (
    nam integer NOT NULL, ten_huyen text NOT NULL, cay_trong text NOT NULL,
    dien_tich_gieo_trong_ha numeric(10, 1), san_luong_tan numeric(12, 1),
    nang_suat_ta_ha numeric(6, 1));
COMMENT ON TABLE thong_ke."Sản lượng nông nghiệp" IS
    'Diện tích và sản lượng cây trồng chính (lúa, thanh long, khóm, mía, rau)';

CREATE TABLE thong_ke.luong_mua_thang (
    tram_quan_trac text NOT NULL, thang date NOT NULL, luong_mua_mm numeric(6, 1),
    so_ngay_mua integer);
COMMENT ON TABLE thong_ke.luong_mua_thang IS
    'Lượng mưa tháng tại các trạm (bảng không có khóa chính)';

CREATE TABLE dich_vu_cong.thong_ke_truc_tuyen (
    thang date NOT NULL, co_quan text NOT NULL, linh_vuc text NOT NULL,
    so_ho_so_tiep_nhan integer NOT NULL, so_ho_so_truc_tuyen integer NOT NULL,
    ty_le_dung_han numeric(5, 2), cap_nhat_luc timestamp NOT NULL,
    PRIMARY KEY (thang, co_quan, linh_vuc));
COMMENT ON TABLE dich_vu_cong.thong_ke_truc_tuyen IS 'Thống kê dịch vụ công trực tuyến theo tháng';

CREATE TABLE dich_vu_cong.ho_so (
    id bigint PRIMARY KEY, ma_ho_so text NOT NULL, thu_tuc text NOT NULL, linh_vuc text NOT NULL,
    co_quan text NOT NULL, ma_xa text, ngay_nop date NOT NULL, thoi_diem_tra_ket_qua timestamp,
    trang_thai text NOT NULL, le_phi_dong numeric(12, 0), truc_tuyen boolean NOT NULL);
COMMENT ON TABLE dich_vu_cong.ho_so IS 'Hồ sơ thủ tục hành chính (bảng lớn, dùng để đo hiệu năng)';

CREATE TABLE thong_ke.chi_tieu_kinh_te_xa_hoi (
    nam integer NOT NULL, ma_huyen text NOT NULL, ten_huyen text NOT NULL,
    chi_tieu text NOT NULL, don_vi_tinh text NOT NULL, gia_tri numeric(14, 1),
    PRIMARY KEY (nam, ma_huyen, chi_tieu)) PARTITION BY RANGE (nam);
COMMENT ON TABLE thong_ke.chi_tieu_kinh_te_xa_hoi IS
    'Niên giám thống kê: chỉ tiêu kinh tế – xã hội chủ yếu phân theo huyện (phân vùng theo năm)';
""" + "".join(
    f"CREATE TABLE thong_ke.chi_tieu_kinh_te_xa_hoi_{y} PARTITION OF "
    f"thong_ke.chi_tieu_kinh_te_xa_hoi FOR VALUES FROM ({y}) TO ({y + 1});\n"
    for y in range(2020, 2025))

VIEW_SQL = """
CREATE VIEW thong_ke.v_dan_so_theo_huyen AS
    SELECT ma_huyen, ten_huyen, nam, sum(dan_so)::integer AS dan_so,
           sum(dien_tich_km2) AS dien_tich_km2
    FROM thong_ke.dan_so_theo_xa GROUP BY ma_huyen, ten_huyen, nam;
COMMENT ON VIEW thong_ke.v_dan_so_theo_huyen IS 'Dân số trung bình phân theo huyện (khung nhìn)';
"""

PROCEDURES = (
    ("Cấp giấy chứng nhận đăng ký hộ kinh doanh", "Đăng ký kinh doanh",
     "Phòng Tài chính - Kế hoạch", 100_000),
    ("Đăng ký khai sinh", "Hộ tịch", "UBND xã", 0),
    ("Cấp bản sao trích lục hộ tịch", "Hộ tịch", "UBND xã", 8_000),
    ("Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", "Phòng Quản lý đô thị", 75_000),
    ("Đăng ký biến động quyền sử dụng đất", "Đất đai", "Văn phòng đăng ký đất đai", 50_000),
    ("Cấp phiếu lý lịch tư pháp", "Tư pháp", "Sở Tư pháp", 200_000),
    ("Đăng ký thành lập doanh nghiệp", "Đăng ký kinh doanh", "Sở Kế hoạch và Đầu tư", 50_000),
    ("Cấp giấy phép lái xe", "Giao thông", "Sở Giao thông vận tải", 135_000),
)
STATES = ("Đã trả kết quả", "Đã trả kết quả", "Đã trả kết quả", "Đang xử lý", "Trả lại hồ sơ")
CROPS = (("Lúa", 60.0, 52_000), ("Thanh long", 250.0, 800), ("Khóm", 180.0, 1_200),
         ("Mía", 700.0, 900), ("Rau các loại", 190.0, 1_500))
SCHOOL_LEVELS = ("Mầm non", "Tiểu học", "Trung học cơ sở", "Trung học phổ thông")
HEALTH_KINDS = ("Bệnh viện đa khoa", "Trung tâm y tế", "Trạm y tế", "Phòng khám đa khoa khu vực")
BUSINESS = (("Công ty TNHH", "Sản xuất hàng may mặc"), ("Công ty cổ phần", "Chế biến nông sản"),
            ("Doanh nghiệp tư nhân", "Bán buôn gạo"), ("Công ty TNHH", "Kho bãi và logistics"),
            ("Công ty cổ phần", "Xây dựng công trình dân dụng"), ("Hợp tác xã", "Trồng thanh long"))
FIRM_NAMES = ("Phú Long", "Mekong Xanh", "Tân Thành", "Hưng Phát", "Đồng Tháp Mười")
STATIONS = ("Tân An", "Mộc Hóa", "Bến Lức", "Cần Giuộc")


POPULATION_COLUMNS = ["ma_xa", "ten_xa", "ma_huyen", "ten_huyen", "nam", "dan_so", "dan_so_nam",
                      "dan_so_nu", "dien_tich_km2", "mat_do_dan_so"]
SCHOOL_COLUMNS = ["ma_truong", "ten_truong", "cap_hoc", "loai_hinh", "ma_xa", "ten_huyen", "so_lop",
                  "so_hoc_sinh", "so_giao_vien", "ngay_thanh_lap", "dat_chuan_quoc_gia"]
ONLINE_COLUMNS = ["thang", "co_quan", "linh_vuc", "so_ho_so_tiep_nhan", "so_ho_so_truc_tuyen",
                  "ty_le_dung_han", "cap_nhat_luc"]


def population_rows() -> list[tuple[Any, ...]]:
    """Rows of ``thong_ke.dan_so_theo_xa`` (also served by the demo LGSP service)."""
    units = communes()
    pop = []
    for i, (code, name, dcode, district) in enumerate(units):
        area = round(8 + (i * 37 % 61) + (i % 7) * 0.37, 2)
        base = 7_000 + (i * 7_919) % 23_000
        for year in range(2019, 2025):
            total = base + (year - 2019) * (45 + i % 50)
            male = total * 49 // 100
            missing = (i + year) % 23 == 0  # some communes have not reported yet
            pop.append((code, name, dcode, district, year, None if missing else total,
                        None if missing else male, None if missing else total - male,
                        area, None if missing else round(total / area, 1)))
    return pop


def school_rows() -> list[tuple[Any, ...]]:
    """Rows of ``thong_ke.truong_hoc`` (also served by the demo LGSP service)."""
    units = communes()
    schools = []
    for i, (code, name, _dcode, district) in enumerate(units):
        for j, level in enumerate(SCHOOL_LEVELS):
            if level == "Trung học phổ thông" and i % 3:
                continue
            pupils = 180 + (i * 53 + j * 101) % 900
            founded = None if (i + j) % 11 == 0 else f"{1975 + (i * 7 + j * 5) % 45}-09-05"
            schools.append((
                f"LA{code}{j}",
                f"Trường {level} {name.removeprefix('Xã ').removeprefix('Thị trấn ')}",
                level, "Tư thục" if (i + j) % 17 == 0 else "Công lập", code, district,
                pupils // 30 + 1, pupils, pupils // 18 + 2, founded, (i + j) % 4 == 0))
    return schools


def online_rows() -> list[tuple[Any, ...]]:
    """Rows of ``dich_vu_cong.thong_ke_truc_tuyen`` (also served by the demo LGSP service)."""
    online = []
    agencies = sorted({p[2] for p in PROCEDURES})
    fields_ = sorted({p[1] for p in PROCEDURES})
    for year in range(2023, 2026):
        for month in range(1, 13):
            for a, agency in enumerate(agencies):
                for f, field in enumerate(fields_):
                    if (a + f) % 3:
                        continue
                    received = 40 + (a * 97 + f * 31 + month * 13 + year) % 700
                    online.append((
                        f"{year}-{month:02d}-01", agency, field, received,
                        received * (40 + (a + month + year) % 55) // 100,
                        None if (a + f + month) % 17 == 0 else round(
                            88 + (a * 3 + f + month) % 12 + 0.25 * (month % 4), 2),
                        f"{year}-{month:02d}-28 17:{(a * 7 + f) % 60:02d}:00"))
    return online


def health_rows() -> list[Row]:
    """Rows of ``thong_ke.co_so_y_te``: a hospital, centre and clinic per district, a station per
    commune."""
    health = []
    n = 0
    for i, (dcode, district, names) in enumerate(DISTRICTS):
        short = district.split(" ", 1)[1].removeprefix("phố ").removeprefix("xã ")
        for j, kind in enumerate(HEALTH_KINDS):
            for k, commune in enumerate(names if kind == "Trạm y tế" else names[:1]):
                n += 1
                beds = None if kind == "Trạm y tế" and k % 2 else 5 + (i * 31 + j * 97) % 300
                health.append((
                    f"YT{dcode}{n:04d}", f"{kind} {commune if kind == 'Trạm y tế' else short}",
                    kind, district, f"{commune}, {district}, tỉnh Long An", beds,
                    1 + (i * 7 + j * 3 + k) % 40,
                    round(106.2 + (i * 0.041 + k * 0.003) % 0.6, 6),
                    round(10.4 + (i * 0.033 + k * 0.002) % 0.6, 6)))
    return health


def firm_rows() -> list[Row]:
    """Rows of ``thong_ke.doanh_nghiep_dang_ky``: 240 enterprises."""
    firms = []
    for i in range(240):
        kind, trade = BUSINESS[i % len(BUSINESS)]
        district = DISTRICTS[(i * 7) % len(DISTRICTS)][1]
        firms.append((
            f"11{(1_000_000 + i * 7_919) % 10_000_000:08d}",
            f"{kind} {FIRM_NAMES[i % len(FIRM_NAMES)]} {i + 1}",
            kind, None if i % 19 == 0 else trade, district,
            None if i % 13 == 0 else 500 + (i * 337) % 50_000, 3 + (i * 11) % 400,
            f"{2019 + i % 6}-{1 + i % 12:02d}-{1 + (i * 3) % 28:02d}"))
    return firms


def crop_rows() -> list[Row]:
    """Rows of ``thong_ke."Sản lượng nông nghiệp"``: crops by district and year."""
    crops = []
    for year in range(2020, 2025):
        for i, (_dcode, district, _names) in enumerate(DISTRICTS):
            for j, (crop, yield_ta, area) in enumerate(CROPS):
                if (i + j) % 4 == 3:
                    continue  # not grown there
                ha = round(area * (0.3 + (i * 13 + j) % 10 / 10) * (1 + (year - 2020) * 0.01), 1)
                ys = round(yield_ta * (0.9 + ((i + year) % 5) / 25), 1)
                crops.append((year, district, crop, ha,
                              None if (i + j + year) % 29 == 0 else round(ha * ys / 10, 1), ys))
    return crops


def rain_rows() -> list[Row]:
    """Rows of ``thong_ke.luong_mua_thang``: monthly rainfall by station."""
    rain = []
    for s, station in enumerate(STATIONS):
        for year in range(2022, 2025):
            for month in range(1, 13):
                wet = 5 <= month <= 11
                mm = None if (s + month + year) % 31 == 0 else round(
                    (220 if wet else 15) + (s * 17 + month * 29 + year) % 90 * 1.1, 1)
                rain.append((station, f"{year}-{month:02d}-01", mm,
                             (18 if wet else 3) + (s + month) % 6))
    return rain


INDICATORS = (("Dân số trung bình", "người", 60_000), ("Tổng sản phẩm trên địa bàn", "tỷ đồng",
              9_000), ("Số doanh nghiệp đang hoạt động", "doanh nghiệp", 400),
              ("Diện tích gieo trồng lúa", "ha", 12_000))


def yearbook_rows() -> list[Row]:
    """Rows of the yearly partitioned ``thong_ke.chi_tieu_kinh_te_xa_hoi`` (2020–2024)."""
    found = []
    for year in range(2020, 2025):
        for i, (dcode, district, _names) in enumerate(DISTRICTS):
            for j, (name, unit, base) in enumerate(INDICATORS):
                value = base * (0.6 + (i * 7 + j * 3) % 9 / 10) * (1 + (year - 2020) * 0.04)
                found.append((year, dcode, district, name, unit,
                              None if (i + j + year) % 37 == 0 else round(value, 1)))
    return found


def small_tables() -> list[tuple[str, list[str], list[Row]]]:
    """(table as SQL, columns, rows) of each table loaded row by row, in loading order."""
    return [
        ("thong_ke.dan_so_theo_xa", POPULATION_COLUMNS, population_rows()),
        ("thong_ke.truong_hoc", SCHOOL_COLUMNS, school_rows()),
        ("dich_vu_cong.thong_ke_truc_tuyen", ONLINE_COLUMNS, online_rows()),
        ("thong_ke.co_so_y_te",
         ["ma_co_so", "ten_co_so", "loai_hinh", "ten_huyen", "dia_chi", "so_giuong_benh",
          "so_bac_si", "kinh_do", "vi_do"], health_rows()),
        ("thong_ke.doanh_nghiep_dang_ky",
         ["ma_so_thue", "ten_doanh_nghiep", "loai_hinh", "nganh_nghe_chinh", "ten_huyen",
          "von_dieu_le_trieu_dong", "so_lao_dong", "ngay_dang_ky"], firm_rows()),
        ('thong_ke."Sản lượng nông nghiệp"',
         ["nam", "ten_huyen", "cay_trong", "dien_tich_gieo_trong_ha", "san_luong_tan",
          "nang_suat_ta_ha"], crop_rows()),
        ("thong_ke.luong_mua_thang",
         ["tram_quan_trac", "thang", "luong_mua_mm", "so_ngay_mua"], rain_rows()),
        ("thong_ke.chi_tieu_kinh_te_xa_hoi",
         ["nam", "ma_huyen", "ten_huyen", "chi_tieu", "don_vi_tinh", "gia_tri"],
         yearbook_rows()),
    ]


#: ``dich_vu_cong.ho_so``, generated in the server (fast, deterministic); parameters from
#: :func:`large_table_parameters`
LARGE_TABLE_SQL = """
INSERT INTO dich_vu_cong.ho_so
SELECT g,
       'H' || to_char(g, 'FM000000000'),
       (%(procs)s::text[])[1 + g %% %(np)s],
       (%(fields)s::text[])[1 + g %% %(np)s],
       (%(agencies)s::text[])[1 + g %% %(np)s],
       CASE WHEN g %% 41 = 0 THEN NULL ELSE (%(units)s::text[])[1 + g %% %(nu)s] END,
       DATE '2023-01-01' + (g * 7919 %% 1000)::int,
       CASE WHEN (%(states)s::text[])[1 + g %% %(ns)s] = 'Đang xử lý' THEN NULL
            ELSE TIMESTAMP '2023-01-01 08:00' + (g * 7919 %% 1000) * interval '1 day'
                 + (3 + g %% 10) * interval '1 day' + (g %% 480) * interval '1 minute'
       END,
       (%(states)s::text[])[1 + g %% %(ns)s],
       (%(fees)s::numeric[])[1 + g %% %(np)s],
       g %% 3 <> 0
FROM generate_series(1::bigint, %(rows)s) AS g
"""


def large_table_parameters(rows: int) -> dict[str, Any]:
    """The parameters of :data:`LARGE_TABLE_SQL` for ``rows`` rows."""
    units = [code for code, *_ in communes()]
    return {
        "procs": [p[0] for p in PROCEDURES], "fields": [p[1] for p in PROCEDURES],
        "agencies": [p[2] for p in PROCEDURES], "fees": [p[3] for p in PROCEDURES],
        "np": len(PROCEDURES), "units": units, "nu": len(units), "states": list(STATES),
        "ns": len(STATES), "rows": rows,
    }
