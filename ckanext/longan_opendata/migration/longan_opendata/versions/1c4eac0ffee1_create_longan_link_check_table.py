"""create longan_link_check table

Revision ID: 1c4eac0ffee1
Revises: c7e1f4a2d9b3
Create Date: 2026-12-02 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '1c4eac0ffee1'
down_revision = 'c7e1f4a2d9b3'
branch_labels = None
depends_on = None


def upgrade():
    # the latest link and format check of each resource (one row per resource)
    op.create_table(
        "longan_link_check",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),  # ok | broken | mislabelled
        sa.Column("http_status", sa.Integer),
        sa.Column("checked_at", sa.DateTime, nullable=False),
        sa.Column("broken_since", sa.DateTime),
        sa.Column("final_url", sa.UnicodeText),
        sa.Column("content_type", sa.UnicodeText),
        sa.Column("size", sa.BigInteger),
        sa.Column("format_ok", sa.Boolean),
        sa.Column("error", sa.UnicodeText),
        sa.CheckConstraint("status IN ('ok', 'broken', 'mislabelled')",
                           name="longan_link_check_status"),
    )
    op.create_index("idx_longan_link_check_package", "longan_link_check", ["package_id"])
    op.create_index("idx_longan_link_check_checked_at", "longan_link_check", ["checked_at"])


def downgrade():
    op.drop_table("longan_link_check")
