"""indexes for a store of millions: collection/year keysets, latest review per stage, audit filters by seq

Revision ID: 0003_scale_indexes
Revises: 0002_sessions
Create Date: 2026-12-03 09:00:00
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0003_scale_indexes'
down_revision: Union[str, None] = '0002_sessions'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = (
    ('document', 'ix_document_collection_id_id', ['collection_id', 'id']),
    ('document', 'ix_document_year_id', ['year', 'id']),
    ('review', 'ix_review_document_stage_id', ['document_id', 'stage', 'id']),
    ('audit_event', 'ix_audit_event_subject_seq', ['subject', 'seq']),
    ('audit_event', 'ix_audit_event_actor_seq', ['actor', 'seq']),
    ('audit_event', 'ix_audit_event_action_seq', ['action', 'seq']),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
