"""create longan_harvest_approval table

Revision ID: c7e1f4a2d9b3
Revises: ba53c932872e
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7e1f4a2d9b3'
down_revision = 'ba53c932872e'
branch_labels = None
depends_on = None


def upgrade():
    # one row per approval of a harvest source's auto_publish: the settings as
    # approved are kept as their sha256; a later edit of the source makes the latest row void
    op.create_table(
        "longan_harvest_approval",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("source_id", sa.UnicodeText, nullable=False),
        sa.Column("settings_sha256", sa.UnicodeText, nullable=False),
        sa.Column("approved_by", sa.UnicodeText, nullable=False),  # user id
        sa.Column("approved_at", sa.DateTime, nullable=False),
    )
    op.create_index("idx_longan_harvest_approval_source", "longan_harvest_approval",
                    ["source_id", "approved_at"])


def downgrade():
    op.drop_table("longan_harvest_approval")
