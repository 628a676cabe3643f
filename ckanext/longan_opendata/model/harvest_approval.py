"""The ``longan_harvest_approval`` table: a reviewer's approval of a harvest source's
``auto_publish``, bound to the sha256 of its settings (created by the migration
``c7e1f4a2d9b3``; used by ``ckanext.longan_opendata.harvesters.approval``)."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.model.base import BaseModel

__all__ = ["approval_table"]

approval_table = sa.Table(
    "longan_harvest_approval",
    BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("source_id", sa.UnicodeText, nullable=False),
    sa.Column("settings_sha256", sa.UnicodeText, nullable=False),
    sa.Column("approved_by", sa.UnicodeText, nullable=False),
    sa.Column("approved_at", sa.DateTime, nullable=False),
)
