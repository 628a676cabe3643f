"""The ``longan_link_check`` table: the latest link and format check of each resource (created by
the migration ``1c4eac0ffee1``; written by :mod:`ckanext.longan_opendata.linkcheck.checker`, read
through :func:`ckanext.longan_opendata.linkcheck.results_for`).

One row per resource. ``status`` is ``ok`` (the URL answers and the bytes match the declared
format), ``broken`` (no answer, an HTTP error, a refused or looping redirect) or ``mislabelled``
(it answers, but the bytes are not the declared format). ``broken_since`` is the time of the first
check of the current broken streak (kept while it stays broken, cleared when it answers again).
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.model.base import BaseModel

__all__ = ["link_check_table", "STATUSES"]

#: the values of ``status``
STATUSES = ("ok", "broken", "mislabelled")

link_check_table = sa.Table(
    "longan_link_check",
    BaseModel.metadata,
    sa.Column("resource_id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("url", sa.UnicodeText, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("http_status", sa.Integer),
    sa.Column("checked_at", sa.DateTime, nullable=False),
    sa.Column("broken_since", sa.DateTime),
    sa.Column("final_url", sa.UnicodeText),
    sa.Column("content_type", sa.UnicodeText),
    sa.Column("size", sa.BigInteger),
    sa.Column("format_ok", sa.Boolean),
    sa.Column("error", sa.UnicodeText),
)
