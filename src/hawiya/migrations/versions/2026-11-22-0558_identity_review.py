"""identity review: review state, reason, officer and time on each transaction

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 05:58:45.579236
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hawiya.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identity_transaction", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_state", sa.String(length=16), nullable=False, server_default="none")
        )
        batch_op.add_column(sa.Column("review_reason", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column("reviewed_at", hawiya.db.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_identity_transaction_review", ["tenant_id", "review_state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_transaction", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_transaction_review")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("review_reason")
        batch_op.drop_column("review_state")
