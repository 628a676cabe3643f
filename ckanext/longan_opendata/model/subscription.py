"""The follow tables (issue 12; migration ``3f0d1e2c4b6a``): ``longan_subscription`` (a theme or
a saved search a person follows; datasets and agencies use CKAN's own follow tables) and
``longan_digest_preference`` (daily, weekly or never; when the last digest was sent). Read and
written by :mod:`ckanext.longan_opendata.follow`."""
from __future__ import annotations

import sqlalchemy as sa
from ckan.model.base import BaseModel

__all__ = ["digest_preference_table", "subscription_table"]

subscription_table = sa.Table(
    "longan_subscription",
    BaseModel.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False),
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("target", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False),
)

digest_preference_table = sa.Table(
    "longan_digest_preference",
    BaseModel.metadata,
    sa.Column("user_id", sa.UnicodeText, primary_key=True),
    sa.Column("period", sa.UnicodeText, nullable=False),
    sa.Column("last_sent", sa.DateTime, nullable=True),
)
