"""The ``longan_quality_snapshot`` table: one row per dataset and day with its quality score,
written by ``ckan longan quality snapshot`` (created by the migration ``5c0e1a2b3c4d``; read by
:mod:`ckanext.longan_opendata.quality.snapshot` for the trend and the averages)."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.model.base import BaseModel

__all__ = ["quality_snapshot_table"]

quality_snapshot_table = sa.Table(
    "longan_quality_snapshot",
    BaseModel.metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("owner_org", sa.UnicodeText, nullable=True),
    sa.Column("public", sa.Boolean, nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("max", sa.Integer, nullable=False),
    sa.Column("rating", sa.UnicodeText, nullable=False),
    # {dimension: [score, max]}
    sa.Column("dimensions", sa.UnicodeText, nullable=False),
)
