"""webhook secrets encrypted at rest; rotation with a grace period

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:25:24.925583

Existing secrets are encrypted with the keys the app will use (WEBHOOK_SECRET_KEYS, else
derived from SECRET_KEY), so the environment that runs the app must run this migration
when subscriptions exist.
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.config import DEFAULT_SECRET
from app.core.crypto import SecretBox, parse_keys

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

subscriptions = sa.table(
    'subscriptions',
    sa.column('id', sa.Integer),
    sa.column('secret', sa.String),
    sa.column('secret_encrypted', sa.String),
)


def _box() -> SecretBox:
    secret_key = os.environ.get('SECRET_KEY')
    if not secret_key and os.environ.get('APP_ENV') == 'development':
        secret_key = DEFAULT_SECRET
    if not secret_key and not os.environ.get('WEBHOOK_SECRET_KEYS'):
        raise RuntimeError(
            'encrypting the existing webhook secrets needs SECRET_KEY (or WEBHOOK_SECRET_KEYS) '
            'as the app has it: run the migration in the app\'s environment'
        )
    return SecretBox(parse_keys(os.environ.get('WEBHOOK_SECRET_KEYS'), secret_key or ''))


def upgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_encrypted', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('previous_secret_encrypted', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('previous_secret_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('secret_rotated_at', sa.DateTime(timezone=True), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(subscriptions.c.id, subscriptions.c.secret)).all()
    if rows:
        box = _box()
        for id_, secret in rows:
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.id == id_)
                .values(secret_encrypted=box.encrypt(secret))
            )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.alter_column('secret_encrypted', existing_type=sa.String(length=500), nullable=False)
        batch_op.drop_column('secret')


def downgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.VARCHAR(length=100), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(subscriptions.c.id, subscriptions.c.secret_encrypted)).all()
    if rows:
        box = _box()
        for id_, token in rows:
            conn.execute(
                subscriptions.update()
                .where(subscriptions.c.id == id_)
                .values(secret=box.decrypt(token))
            )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.VARCHAR(length=100), nullable=False)
        batch_op.drop_column('secret_rotated_at')
        batch_op.drop_column('previous_secret_expires_at')
        batch_op.drop_column('previous_secret_encrypted')
        batch_op.drop_column('secret_encrypted')
