"""The ``longan_usage`` table: daily counters of dataset views and resource downloads (created by
the migration ``ba53c932872e``; read and written by :mod:`ckanext.longan_opendata.portal.usage`)."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.model.base import BaseModel

__all__ = ["usage_table"]

usage_table = sa.Table(
    "longan_usage",
    BaseModel.metadata,
    sa.Column("kind", sa.UnicodeText, primary_key=True),
    sa.Column("object_id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False, server_default="0"),
)
