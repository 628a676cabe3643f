"""The data request tables (created by the migration ``2e9a7b1c3d5f``; used by
:mod:`ckanext.longan_opendata.datarequests`).

``longan_datarequest``: one request for data addressed to an agency, with its answer;
``longan_datarequest_support``: one vote per account and request (primary key on both).
"""
from __future__ import annotations

import sqlalchemy as sa
from ckan.model.base import BaseModel

__all__ = ["datarequest_table", "support_table"]

datarequest_table = sa.Table(
    "longan_datarequest",
    BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("title", sa.UnicodeText, nullable=False),
    sa.Column("description", sa.UnicodeText, nullable=False),
    sa.Column("owner_org", sa.UnicodeText, nullable=False),
    sa.Column("reason", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("desired_format", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("theme", sa.UnicodeText, nullable=True),
    sa.Column("requester_id", sa.UnicodeText, nullable=True),
    sa.Column("requester_email", sa.UnicodeText, nullable=True),
    sa.Column("verified", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("state", sa.UnicodeText, nullable=False, server_default="new"),
    sa.Column("refusal_reason", sa.UnicodeText, nullable=True),
    sa.Column("answer", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("dataset_id", sa.UnicodeText, nullable=True),
    sa.Column("answered_by", sa.UnicodeText, nullable=True),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("modified", sa.DateTime, nullable=False),
    sa.Column("answered", sa.DateTime, nullable=True),
    sa.Column("deadline", sa.Date, nullable=False),
)

support_table = sa.Table(
    "longan_datarequest_support",
    BaseModel.metadata,
    sa.Column("datarequest_id", sa.UnicodeText,
              sa.ForeignKey("longan_datarequest.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.UnicodeText, primary_key=True),
    sa.Column("created", sa.DateTime, nullable=False),
)
