"""create longan_subscription and longan_digest_preference tables

Revision ID: 3f0d1e2c4b6a
Revises: 2e9a7b1c3d5f
Create Date: 2026-12-02 16:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f0d1e2c4b6a'
down_revision = '2e9a7b1c3d5f'
branch_labels = None
depends_on = None


def upgrade():
    # what a person follows beyond CKAN's own follows of datasets and organisations:
    # a theme (its code) or a saved search (its query)
    op.create_table(
        "longan_subscription",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("user_id", sa.UnicodeText,
                  sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),    # theme | search
        sa.Column("target", sa.UnicodeText, nullable=False),  # theme code | search query
        sa.Column("created", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "kind", "target", name="uq_longan_subscription"),
    )
    # how often a person gets the digest of what they follow (daily | weekly | never)
    op.create_table(
        "longan_digest_preference",
        sa.Column("user_id", sa.UnicodeText,
                  sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("last_sent", sa.DateTime, nullable=True),
    )


def downgrade():
    op.drop_table("longan_digest_preference")
    op.drop_table("longan_subscription")
