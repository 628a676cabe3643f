"""Demo content for a fresh portal: a few agencies and datasets with DataStore tables.

The figures are illustrative (marked so in every dataset), shaped like the province's real
publications. Loading is idempotent: what exists already is left as it is.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk

ILLUSTRATIVE = "\n\n_Dữ liệu minh họa của cổng thử nghiệm._"

AGENCIES = (
    ("cuc-thong-ke", "Cục Thống kê tỉnh Long An", "Số liệu thống kê kinh tế – xã hội của tỉnh."),
    ("so-giao-duc-va-dao-tao", "Sở Giáo dục và Đào tạo", "Mạng lưới trường học và học sinh."),
    ("so-y-te", "Sở Y tế", "Cơ sở y tế và hoạt động khám chữa bệnh."),
    ("so-ke-hoach-va-dau-tu", "Sở Kế hoạch và Đầu tư", "Đăng ký doanh nghiệp và đầu tư."),
)

DISTRICTS = ("Tân An", "Kiến Tường", "Bến Lức", "Đức Hòa", "Cần Giuộc", "Cần Đước", "Tân Trụ")


@dataclass
class DemoDataset:
    name: str
    title: str
    notes: str
    org: str
    tags: list[str]
    columns: list[tuple[str, str]]
    rows: Callable[[], list[dict[str, Any]]]
    resource_name: str = field(default="Bảng số liệu")


def _population_rows() -> list[dict[str, Any]]:
    return [
        {"don_vi": unit, "nam": year, "dan_so": 60_000 + 7_919 * i + 1_150 * (year - 2020)}
        for i, unit in enumerate(DISTRICTS) for year in range(2020, 2025)
    ]


def _school_rows() -> list[dict[str, Any]]:
    levels = ("Mầm non", "Tiểu học", "Trung học cơ sở", "Trung học phổ thông")
    return [
        {"ten_truong": f"Trường {level} {unit}", "cap_hoc": level, "don_vi": unit,
         "so_hoc_sinh": 300 + 37 * i + 11 * j}
        for i, unit in enumerate(DISTRICTS) for j, level in enumerate(levels)
    ]


def _health_rows() -> list[dict[str, Any]]:
    kinds = ("Bệnh viện đa khoa", "Trung tâm y tế", "Trạm y tế")
    return [
        {"ten_co_so": f"{kind} {unit}", "loai_hinh": kind, "don_vi": unit,
         "so_giuong_benh": 20 + 13 * i + 40 * (2 - j)}
        for i, unit in enumerate(DISTRICTS) for j, kind in enumerate(kinds)
    ]


def _enterprise_rows() -> list[dict[str, Any]]:
    return [
        {"nam": year, "don_vi": unit, "so_doanh_nghiep_moi": 40 + 9 * i + 6 * (year - 2020)}
        for i, unit in enumerate(DISTRICTS) for year in range(2020, 2025)
    ]


DATASETS = (
    DemoDataset(
        "dan-so-trung-binh-phan-theo-huyen", "Dân số trung bình phân theo huyện",
        "Dân số trung bình hằng năm của các huyện, thị xã, thành phố (trước 1/7/2025).",
        "cuc-thong-ke", ["dân số", "thống kê"],
        [("don_vi", "text"), ("nam", "int"), ("dan_so", "int")], _population_rows,
    ),
    DemoDataset(
        "danh-sach-truong-hoc", "Danh sách trường học",
        "Các trường mầm non, tiểu học, trung học trên địa bàn tỉnh và số học sinh.",
        "so-giao-duc-va-dao-tao", ["giáo dục", "trường học"],
        [("ten_truong", "text"), ("cap_hoc", "text"), ("don_vi", "text"), ("so_hoc_sinh", "int")],
        _school_rows,
    ),
    DemoDataset(
        "co-so-y-te", "Cơ sở y tế và giường bệnh",
        "Bệnh viện, trung tâm y tế, trạm y tế và số giường bệnh.",
        "so-y-te", ["y tế"],
        [("ten_co_so", "text"), ("loai_hinh", "text"), ("don_vi", "text"),
         ("so_giuong_benh", "int")],
        _health_rows,
    ),
    DemoDataset(
        "doanh-nghiep-dang-ky-moi", "Doanh nghiệp đăng ký thành lập mới",
        "Số doanh nghiệp đăng ký thành lập mới theo năm và địa bàn.",
        "so-ke-hoach-va-dau-tu", ["doanh nghiệp", "đầu tư"],
        [("nam", "int"), ("don_vi", "text"), ("so_doanh_nghiep_moi", "int")],
        _enterprise_rows,
    ),
)


def _exists(action: str, context: dict[str, Any], name: str) -> bool:
    try:
        tk.get_action(action)(dict(context), {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def load(user: str, echo: Callable[[str], Any] = print) -> int:
    """Create the demo agencies and datasets as ``user``; return how many were created."""
    context = {"user": user, "ignore_auth": False}
    created = 0
    for name, title, description in AGENCIES:
        if not _exists("organization_show", context, name):
            tk.get_action("organization_create")(
                dict(context), {"name": name, "title": title, "description": description})
            echo(f"cơ quan: {title}")
            created += 1
    for demo in DATASETS:
        if _exists("package_show", context, demo.name):
            continue
        # demo datasets are published directly (trusted path of the publish workflow, issue 5)
        dataset = tk.get_action("package_create")(
            {**context, "longan_workflow_state": "published"}, {
            "name": demo.name, "title": demo.title, "notes": demo.notes + ILLUSTRATIVE,
            "owner_org": demo.org, "license_id": "cc-by",
            "tags": [{"name": tag} for tag in demo.tags],
        })
        table = tk.get_action("datastore_create")(dict(context), {
            "resource": {"package_id": dataset["id"], "name": demo.resource_name,
                         "format": "CSV", "url_type": "datastore"},
            "fields": [{"id": column, "type": kind} for column, kind in demo.columns],
            "records": demo.rows(),
        })
        # the resource became datastore_active after its creation: add the table preview now
        resource = tk.get_action("resource_show")(dict(context), {"id": table["resource_id"]})
        tk.get_action("resource_create_default_resource_views")(
            dict(context),
            {"resource": resource, "package": dataset, "create_datastore_views": True},
        )
        echo(f"bộ dữ liệu: {demo.title}")
        created += 1
    return created
