"""demands: a missing district becomes the enterprise's, as new demands already store it

Revision ID: 0015_demand_district
Revises: 0014_published_supply
Create Date: 2026-12-04 19:00:00

Since 0011 a demand posted without `district_code` stores the enterprise's district; older
ones kept null and read back null, which the contract does not allow. This fills them from
their enterprise (a demand whose enterprise has no district keeps null). The downgrade
leaves the values: nothing tells a filled district from one the enterprise gave.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_demand_district"
down_revision: str | None = "0014_published_supply"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE demands SET district_code = ("
        " SELECT organizations.district_code FROM organizations"
        " WHERE organizations.id = demands.enterprise_id)"
        " WHERE district_code IS NULL"
    )


def downgrade() -> None:
    pass
