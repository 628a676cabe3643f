"""The ``longan_feedback`` table: a visitor's error report or suggestion about a dataset, with the
steward's handling state and optional public answer (created by the migration ``2e9a7b1c3d5f``;
used by :mod:`ckanext.longan_opendata.feedback`). No IP address is stored."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.model.base import BaseModel

__all__ = ["feedback_table"]

feedback_table = sa.Table(
    "longan_feedback",
    BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("owner_org", sa.UnicodeText, nullable=False),
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("message", sa.UnicodeText, nullable=False),
    sa.Column("contact_email", sa.UnicodeText, nullable=True),
    sa.Column("user_id", sa.UnicodeText, nullable=True),
    sa.Column("state", sa.UnicodeText, nullable=False, server_default="new"),
    sa.Column("answer", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("answer_public", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("modified", sa.DateTime, nullable=False),
)
