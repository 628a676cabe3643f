"""The demo's dataset series (issue 12): the statistical yearbook, whose editions the SQL
harvester makes from the yearly partitioned table of the demo shared database
(``partitions_as_series``), and a monthly consumer price survey of twelve editions made here.
Idempotent; the figures are illustrative.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ckan.plugins.toolkit as tk

from .catalogue import ILLUSTRATIVE, _exists

__all__ = ["CPI_SERIES", "MONTHS", "YEARBOOK_SERIES", "ensure_series", "yearbook_item"]

ORG = "cuc-thong-ke"
YEARBOOK_SERIES = "nien-giam-thong-ke"
CPI_SERIES = "chi-so-gia-tieu-dung-hang-thang"
MONTHS = range(1, 13)
GROUPS = ("Hàng ăn và dịch vụ ăn uống", "Nhà ở, điện, nước, chất đốt", "Giao thông",
          "Giáo dục", "Thuốc và dịch vụ y tế")
_COMMON = {"owner_org": ORG, "license_id": "vn-open-data-1.0", "theme": ["kinh-te"]}
SERIES = (
    {**_COMMON, "type": "dataset_series", "name": YEARBOOK_SERIES,
     "title": "Niên giám thống kê tỉnh Long An", "title_en": "Long An statistical yearbook",
     "notes": "Các chỉ tiêu kinh tế – xã hội chủ yếu theo huyện, mỗi năm một kỳ; thu thập tự "
              "động từ CSDL dùng chung (bảng phân vùng theo năm)." + ILLUSTRATIVE,
     "frequency": "annual"},
    {**_COMMON, "type": "dataset_series", "name": CPI_SERIES,
     "title": "Chỉ số giá tiêu dùng hằng tháng", "title_en": "Monthly consumer price index",
     "notes": "Kết quả điều tra giá tiêu dùng hằng tháng theo nhóm hàng." + ILLUSTRATIVE,
     "frequency": "monthly"},
)


def yearbook_item() -> dict[str, Any]:
    """The SQL harvest source's item for the partitioned yearbook table."""
    return {"schema": "thong_ke", "table": "chi_tieu_kinh_te_xa_hoi",
            "partitions_as_series": YEARBOOK_SERIES, "name": "nien-giam-thong-ke",
            "title": "Niên giám thống kê", "title_en": "Statistical yearbook",
            "theme": ["kinh-te"], "frequency": "annual"}


def _cpi_edition(series_id: str, month: int) -> dict[str, Any]:
    last_day = 29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    return {**_COMMON, "name": f"chi-so-gia-tieu-dung-2024-{month:02d}",
            "title": f"Chỉ số giá tiêu dùng tháng {month:02d}/2024",
            "title_en": f"Consumer price index, {month:02d}/2024",
            "notes": f"Chỉ số giá tiêu dùng tháng {month:02d}/2024 so với kỳ gốc 2019, "
                     "theo nhóm hàng." + ILLUSTRATIVE,
            "in_series": [series_id], "frequency": "monthly", "spatial_units": ["old-80"],
            "temporal_start": f"2024-{month:02d}-01",
            "temporal_end": f"2024-{month:02d}-{last_day}", "language": "vi",
            "contains_personal_data": "no",
            "contact_points": [{"name": "Phòng Thống kê giá",
                                "email": "cuc-thong-ke@longan.gov.vn"}]}


def _cpi_table(context: dict[str, Any], dataset: dict[str, Any], month: int) -> None:
    tk.get_action("datastore_create")(dict(context), {
        "resource": {"package_id": dataset["id"], "name": f"CPI {month:02d}/2024 (CSV)",
                     "format": "CSV", "url_type": "datastore", "encoding": "UTF-8"},
        "fields": [{"id": "nhom_hang", "type": "text"}, {"id": "chi_so", "type": "numeric"}],
        "records": [{"nhom_hang": group, "chi_so": round(100 + 2.1 * i + 0.37 * month, 2)}
                    for i, group in enumerate(GROUPS)]})


def ensure_series(user: str, echo: Callable[[str], Any] = print, survey: bool = True,
                  months: Iterable[int] = MONTHS) -> int:
    """Create the two series (published) and, with ``survey``, the monthly survey's editions
    (``months`` of 2024); return how many were created."""
    context = {"user": user}
    trusted = {**context, "longan_workflow_state": "published"}  # the demo's trusted path
    created = 0
    for data in SERIES:
        if not _exists("package_show", context, data["name"]):
            tk.get_action("package_create")(dict(trusted), dict(data))
            echo(f"chuỗi dữ liệu: {data['title']}")
            created += 1
    if not survey:
        return created
    series = tk.get_action("package_show")(dict(context), {"id": CPI_SERIES})
    for month in months:
        data = _cpi_edition(series["id"], month)
        if _exists("package_show", context, data["name"]):
            continue
        dataset = tk.get_action("package_create")(dict(trusted), data)
        _cpi_table(context, dataset, month)
        created += 1
    return created
