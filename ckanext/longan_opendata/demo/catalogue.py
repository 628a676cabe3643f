"""Demo content for a fresh portal: Long An's agencies and ~30 datasets with DataStore tables.

The figures are illustrative (marked so in every dataset), generated deterministically in the
shape of the province's real publications: by district before 1 July 2025, by commune after it.
Loading is idempotent: what exists already is left as it is.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata.metadata import slug, units

ILLUSTRATIVE = "\n\n_Dữ liệu minh họa của cổng thử nghiệm._"
YEARS = range(2019, 2025)

AGENCIES = (
    ("cuc-thong-ke", "Chi cục Thống kê tỉnh Long An", "Số liệu thống kê kinh tế – xã hội."),
    ("so-y-te", "Sở Y tế", "Cơ sở y tế, khám chữa bệnh, tiêm chủng."),
    ("so-giao-duc-va-dao-tao", "Sở Giáo dục và Đào tạo", "Mạng lưới trường học, học sinh."),
    ("so-nong-nghiep-va-moi-truong", "Sở Nông nghiệp và Môi trường",
     "Nông nghiệp, thủy sản, đất đai, tài nguyên nước và môi trường."),
    ("so-tai-chinh", "Sở Tài chính", "Ngân sách, đầu tư và đăng ký doanh nghiệp."),
    ("van-phong-ubnd-tinh", "Văn phòng Ủy ban nhân dân tỉnh",
     "Cổng dịch vụ công và hệ thống thông tin giải quyết thủ tục hành chính."),
    ("so-xay-dung", "Sở Xây dựng", "Giao thông, xây dựng và đô thị."),
    ("so-cong-thuong", "Sở Công Thương", "Công nghiệp, thương mại, năng lượng."),
)

Row = dict[str, Any]


@dataclass(frozen=True)
class Spec:
    title: str
    title_en: str
    org: str
    themes: tuple[str, ...]
    frequency: str
    by: str  # "district" (before 2025), "commune" (current), "province"
    columns: tuple[tuple[str, str], ...]  # the first is the unit column
    make: Callable[[random.Random, str, int], dict[str, Any]]
    tags: tuple[str, ...] = ()


def _counts(**ranges: tuple[int, int]) -> Callable[[random.Random, str, int], dict[str, Any]]:
    """Row maker: each column a random count in its range, growing ~3% a year."""
    def make(rng: random.Random, unit: str, year: int) -> dict[str, Any]:
        growth = 1 + 0.03 * (year - YEARS.start)
        return {col: int(rng.randint(lo, hi) * growth) for col, (lo, hi) in ranges.items()}
    return make


def _spec(title, title_en, org, themes, frequency, by, tags, **ranges) -> Spec:
    columns = (("don_vi", "text"), ("nam", "int"), *((c, "int") for c in ranges))
    return Spec(title, title_en, org, tuple(themes), frequency, by, columns, _counts(**ranges),
                tuple(tags))


SPECS: tuple[Spec, ...] = (
    _spec("Dân số trung bình phân theo huyện", "Average population by district", "cuc-thong-ke",
          ["dan-cu-xa-hoi"], "annual", "district", ["dân số", "thống kê"],
          dan_so=(60_000, 260_000), nam_gioi=(30_000, 130_000)),
    _spec("Mật độ dân số phân theo huyện", "Population density by district", "cuc-thong-ke",
          ["dan-cu-xa-hoi"], "annual", "district", ["dân số"], nguoi_km2=(150, 1_800)),
    _spec("Lao động từ 15 tuổi trở lên đang làm việc", "Employed labour force aged 15+",
          "cuc-thong-ke", ["dan-cu-xa-hoi", "kinh-te"], "annual", "district", ["lao động"],
          lao_dong=(30_000, 150_000)),
    _spec("Số hộ nghèo và cận nghèo", "Poor and near-poor households", "cuc-thong-ke",
          ["dan-cu-xa-hoi"], "annual", "district", ["an sinh xã hội"],
          ho_ngheo=(50, 900), ho_can_ngheo=(80, 1_200)),
    _spec("Tổng sản phẩm trên địa bàn theo ngành kinh tế", "Gross regional product by sector",
          "cuc-thong-ke", ["kinh-te"], "annual", "province", ["GRDP"],
          nong_nghiep_ty_dong=(25_000, 32_000), cong_nghiep_ty_dong=(60_000, 90_000),
          dich_vu_ty_dong=(35_000, 50_000)),
    _spec("Cơ sở khám chữa bệnh và giường bệnh", "Health facilities and hospital beds",
          "so-y-te", ["y-te"], "annual", "district", ["y tế", "bệnh viện"],
          so_co_so=(8, 40), so_giuong_benh=(60, 900)),
    _spec("Nhân lực y tế", "Health workforce", "so-y-te", ["y-te"], "annual", "district",
          ["bác sĩ", "y tế"], bac_si=(20, 300), dieu_duong=(40, 600)),
    _spec("Tỷ lệ tiêm chủng mở rộng cho trẻ em", "Childhood immunisation coverage", "so-y-te",
          ["y-te"], "annual", "commune", ["tiêm chủng"], tre_duoc_tiem=(80, 900)),
    _spec("Số ca sốt xuất huyết theo tháng", "Dengue fever cases by month", "so-y-te",
          ["y-te"], "monthly", "district", ["dịch bệnh", "sốt xuất huyết"], so_ca=(0, 120)),
    _spec("Danh sách trường học và số học sinh", "Schools and pupils",
          "so-giao-duc-va-dao-tao", ["giao-duc"], "annual", "district", ["trường học"],
          so_truong=(15, 70), so_hoc_sinh=(5_000, 45_000)),
    _spec("Giáo viên phổ thông theo cấp học", "School teachers by level",
          "so-giao-duc-va-dao-tao", ["giao-duc"], "annual", "district", ["giáo viên"],
          tieu_hoc=(200, 1_200), trung_hoc_co_so=(150, 900), trung_hoc_pho_thong=(60, 500)),
    _spec("Kết quả thi tốt nghiệp trung học phổ thông", "Upper-secondary graduation results",
          "so-giao-duc-va-dao-tao", ["giao-duc"], "annual", "district", ["thi tốt nghiệp"],
          thi_sinh=(400, 3_500), tot_nghiep=(380, 3_450)),
    _spec("Diện tích và sản lượng lúa", "Rice area and output",
          "so-nong-nghiep-va-moi-truong", ["nong-nghiep"], "annual", "district",
          ["lúa gạo", "nông nghiệp"],
          dien_tich_ha=(5_000, 90_000), san_luong_tan=(30_000, 520_000)),
    _spec("Diện tích và sản lượng thanh long", "Dragon fruit area and output",
          "so-nong-nghiep-va-moi-truong", ["nong-nghiep"], "annual", "district",
          ["thanh long", "trái cây"], dien_tich_ha=(10, 9_000), san_luong_tan=(100, 250_000)),
    _spec("Đàn gia súc, gia cầm", "Livestock and poultry", "so-nong-nghiep-va-moi-truong",
          ["nong-nghiep"], "annual", "district", ["chăn nuôi"],
          bo=(2_000, 30_000), heo=(5_000, 90_000), gia_cam_nghin_con=(100, 2_500)),
    _spec("Sản lượng thủy sản nuôi trồng", "Aquaculture output", "so-nong-nghiep-va-moi-truong",
          ["nong-nghiep"], "annual", "district", ["thủy sản", "tôm"], san_luong_tan=(200, 25_000)),
    _spec("Hiện trạng sử dụng đất", "Land use", "so-nong-nghiep-va-moi-truong",
          ["moi-truong"], "annual", "district", ["đất đai"],
          dat_nong_nghiep_ha=(8_000, 45_000), dat_phi_nong_nghiep_ha=(1_000, 12_000)),
    _spec("Chất lượng nước mặt tại các điểm quan trắc", "Surface water quality monitoring",
          "so-nong-nghiep-va-moi-truong", ["moi-truong"], "quarterly", "district",
          ["quan trắc", "nước mặt"], chi_so_wqi=(40, 95)),
    _spec("Thu gom chất thải rắn sinh hoạt", "Household solid waste collected",
          "so-nong-nghiep-va-moi-truong", ["moi-truong"], "annual", "commune", ["rác thải"],
          tan_ngay=(5, 120)),
    _spec("Doanh nghiệp đăng ký thành lập mới", "Newly registered enterprises", "so-tai-chinh",
          ["kinh-te"], "monthly", "district", ["doanh nghiệp"],
          so_doanh_nghiep=(5, 160), von_dang_ky_ty_dong=(20, 3_000)),
    _spec("Thu chi ngân sách nhà nước trên địa bàn", "State budget revenue and spending",
          "so-tai-chinh", ["kinh-te"], "annual", "province", ["ngân sách"],
          thu_ty_dong=(15_000, 24_000), chi_ty_dong=(14_000, 23_000)),
    _spec("Dự án đầu tư được cấp chủ trương", "Approved investment projects", "so-tai-chinh",
          ["kinh-te"], "quarterly", "district", ["đầu tư", "FDI"],
          du_an_trong_nuoc=(0, 30), du_an_fdi=(0, 20)),
    _spec("Thủ tục hành chính trực tuyến toàn trình", "Fully online administrative procedures",
          "van-phong-ubnd-tinh", ["hanh-chinh"], "monthly", "province", ["dịch vụ công"],
          thu_tuc_toan_trinh=(900, 1_400), thu_tuc_mot_phan=(300, 700)),
    _spec("Hồ sơ trực tuyến tiếp nhận và giải quyết", "Online dossiers received and resolved",
          "van-phong-ubnd-tinh", ["hanh-chinh"], "monthly", "commune", ["hồ sơ trực tuyến"],
          tiep_nhan=(50, 2_500), dung_han=(45, 2_450)),
    _spec("Mức độ hài lòng của người dân", "Citizen satisfaction", "van-phong-ubnd-tinh",
          ["hanh-chinh"], "quarterly", "province", ["chỉ số hài lòng"], diem_phan_tram=(80, 99)),
    _spec("Tai nạn giao thông đường bộ", "Road traffic accidents", "so-xay-dung",
          ["giao-thong", "tu-phap"], "monthly", "district", ["giao thông"],
          so_vu=(0, 25), so_nguoi_chet=(0, 12)),
    _spec("Chiều dài đường giao thông nông thôn", "Rural road length", "so-xay-dung",
          ["giao-thong"], "annual", "district", ["đường bộ"], km_duong=(120, 900)),
    _spec("Giấy phép xây dựng đã cấp", "Building permits issued", "so-xay-dung", ["giao-thong"],
          "monthly", "commune", ["xây dựng"], giay_phep=(0, 80)),
    _spec("Điện thương phẩm tiêu thụ", "Electricity sold", "so-cong-thuong", ["nang-luong"],
          "annual", "district", ["điện"], trieu_kwh=(120, 2_600)),
    _spec("Chợ và siêu thị", "Markets and supermarkets", "so-cong-thuong", ["kinh-te"],
          "irregular", "district", ["thương mại"], cho=(4, 30), sieu_thi=(0, 8)),
    _spec("Điện mặt trời mái nhà đã đấu nối", "Rooftop solar connected", "so-cong-thuong",
          ["nang-luong", "khoa-hoc-cong-nghe"], "annual", "district", ["năng lượng tái tạo"],
          cong_suat_kwp=(500, 60_000)),
)


def _units(by: str) -> list[units.Unit]:
    catalogue = units.catalogue().values()
    if by == "district":
        return sorted((u for u in catalogue if u.level == "district"), key=lambda u: u.code)
    if by == "commune":
        long_an_area = {s for u in catalogue if u.era == units.OLD for s in u.successors}
        return sorted((u for u in catalogue if u.code in long_an_area and u.level == "commune"),
                      key=lambda u: u.code)
    return [u for u in catalogue if u.era == units.NEW and u.level == "province"]


def rows(spec: Spec) -> list[Row]:
    rng = random.Random(spec.title)  # noqa: S311  (deterministic demo figures, not secrets)
    years = YEARS if spec.by != "commune" else range(2025, 2026)  # communes exist since 2025
    return [
        {"don_vi": unit.name, "nam": year, **spec.make(rng, unit.name, year)}
        for unit in _units(spec.by) for year in years
    ]


def dataset_dict(spec: Spec) -> dict[str, Any]:
    unit_list = _units(spec.by)
    covered = [u.code for u in unit_list] if spec.by != "province" else [unit_list[0].code]
    if spec.by == "district":
        covered = ["old-80", *covered]
    commune_era = spec.by == "commune"
    return {
        "name": slug.slugify(spec.title),
        "title": spec.title,
        "title_en": spec.title_en,
        "notes": f"{spec.title} trên địa bàn tỉnh Long An"
                 f"{' (đơn vị hành chính từ 1/7/2025)' if commune_era else ''}." + ILLUSTRATIVE,
        "notes_en": f"{spec.title_en} in Long An province (illustrative data).",
        "owner_org": spec.org,
        "theme": list(spec.themes),
        "spatial_units": covered,
        "temporal_start": "2025-07-01" if commune_era else f"{YEARS.start}-01-01",
        "temporal_end": "2025-12-31" if commune_era else f"{YEARS.stop - 1}-12-31",
        "frequency": spec.frequency,
        "license_id": "vn-open-data-1.0",
        "language": "vi",
        "contains_personal_data": "no",
        "source_system": "Kho cơ sở dữ liệu dùng chung tỉnh Long An",
        "contact_points": [{"name": "Bộ phận dữ liệu mở", "email": f"{spec.org}@longan.gov.vn"}],
        "tags": [{"name": tag} for tag in spec.tags],
    }


def _exists(action: str, context: dict[str, Any], name: str) -> bool:
    try:
        tk.get_action(action)(dict(context), {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def _add_table(context: dict[str, Any], dataset: dict[str, Any], spec: Spec) -> None:
    """A DataStore table (CSV download, preview) plus JSON and XML exports of it."""
    table = tk.get_action("datastore_create")(dict(context), {
        "resource": {"package_id": dataset["id"], "name": f"{spec.title} (CSV)",
                     "format": "CSV", "url_type": "datastore", "encoding": "UTF-8"},
        "fields": [{"id": column, "type": kind} for column, kind in spec.columns],
        "records": rows(spec),
    })
    resource = tk.get_action("resource_show")(dict(context), {"id": table["resource_id"]})
    tk.get_action("resource_create_default_resource_views")(
        dict(context),
        {"resource": resource, "package": dataset, "create_datastore_views": True},
    )
    dump = resource["url"].split("?")[0]
    for fmt in ("JSON", "XML"):
        tk.get_action("resource_create")(dict(context), {
            "package_id": dataset["id"], "name": f"{spec.title} ({fmt})", "format": fmt,
            "url": f"{dump}?format={fmt.lower()}", "access_type": "download"})


def load(user: str, echo: Callable[[str], Any] = print, specs: tuple[Spec, ...] = SPECS) -> int:
    """Create the demo agencies and datasets as ``user``; return how many were created."""
    context = {"user": user}
    created = 0
    for name, title, description in AGENCIES:
        if not _exists("organization_show", context, name):
            tk.get_action("organization_create")(
                dict(context), {"name": name, "title": title, "description": description})
            echo(f"cơ quan: {title}")
            created += 1
    for spec in specs:
        data = dataset_dict(spec)
        if _exists("package_show", context, data["name"]):
            continue
        # demo datasets are published directly (trusted path of the publish workflow)
        dataset = tk.get_action("package_create")(
            {**context, "longan_workflow_state": "published"}, data)
        _add_table(context, dataset, spec)
        echo(f"bộ dữ liệu: {spec.title}")
        created += 1
    return created
