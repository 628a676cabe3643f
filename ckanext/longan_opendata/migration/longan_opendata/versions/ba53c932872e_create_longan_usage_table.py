"""create longan_usage table

Revision ID: ba53c932872e
Revises:
Create Date: 2026-11-29 13:58:21.914035

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ba53c932872e'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # one row per (kind, object, day): counts only, nothing about the visitor
    op.create_table(
        "longan_usage",
        sa.Column("kind", sa.UnicodeText, nullable=False),  # "view" (dataset) or "download"
        sa.Column("object_id", sa.UnicodeText, nullable=False),  # dataset or resource id
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("kind", "object_id", "day"),
    )
    op.create_index("idx_longan_usage_package", "longan_usage", ["package_id", "kind"])


def downgrade():
    op.drop_table("longan_usage")
