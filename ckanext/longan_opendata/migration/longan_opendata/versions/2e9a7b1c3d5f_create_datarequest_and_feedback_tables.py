"""create longan_datarequest, longan_datarequest_support and longan_feedback tables

Revision ID: 2e9a7b1c3d5f
Revises: 5c0e1a2b3c4d
Create Date: 2026-12-02 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2e9a7b1c3d5f"
down_revision = "5c0e1a2b3c4d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "longan_datarequest",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("title", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        sa.Column("owner_org", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("desired_format", sa.UnicodeText, nullable=False, server_default=""),
        sa.Column("theme", sa.UnicodeText, nullable=True),
        sa.Column("requester_id", sa.UnicodeText, nullable=True),  # user id; null if anonymous
        sa.Column("requester_email", sa.UnicodeText, nullable=True),  # anonymous requester only
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
    op.create_index("idx_longan_datarequest_org_state", "longan_datarequest",
                    ["owner_org", "state"])
    op.create_table(
        "longan_datarequest_support",
        sa.Column("datarequest_id", sa.UnicodeText,
                  sa.ForeignKey("longan_datarequest.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.UnicodeText, primary_key=True),  # one vote per account
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "longan_feedback",
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
    op.create_index("idx_longan_feedback_org_state", "longan_feedback", ["owner_org", "state"])
    op.create_index("idx_longan_feedback_package", "longan_feedback", ["package_id"])


def downgrade():
    op.drop_table("longan_feedback")
    op.drop_table("longan_datarequest_support")
    op.drop_table("longan_datarequest")
