"""create longan_quality_snapshot table

Revision ID: 5c0e1a2b3c4d
Revises: 1c4eac0ffee1
Create Date: 2026-12-02 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c0e1a2b3c4d'
down_revision = '1c4eac0ffee1'
branch_labels = None
depends_on = None


def upgrade():
    # one row per dataset and day (ckan longan quality snapshot): the trend of the scores
    op.create_table(
        "longan_quality_snapshot",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("owner_org", sa.UnicodeText, nullable=True),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("max", sa.Integer, nullable=False),
        sa.Column("rating", sa.UnicodeText, nullable=False),
        sa.Column("dimensions", sa.UnicodeText, nullable=False),
    )
    op.create_index("idx_longan_quality_snapshot_org", "longan_quality_snapshot",
                    ["owner_org", "day"])


def downgrade():
    op.drop_table("longan_quality_snapshot")
