"""Business validation of payloads: reference codes, organisations, dates.

A `Problems` collects every field a payload gets wrong, so that one 422 problem
names them all (`loc` = ["body", field], or a nested body's prefix). Checks run for the
fields being set (all of them on create, the given ones on update) with the item's
other values at hand for rules across fields, such as start ≤ end. This is the one way
services validate input; a rule that fits no check here calls `add` itself.
"""

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import Invalid
from app.core.i18n import Text, t
from app.models import District, Organization
from app.models.enums import OrgStatus, OrgType
from app.services import labels

WEIHAI = "3710"  # the city's division code prefix; every district code is under it


Loc = tuple[str | int, ...]

NOT_VALID = t("提交的内容有误，详见 errors。", "The item is not valid.")


class Problems:
    detail: Text  # the problem's message, when any field is wrong

    def __init__(
        self,
        values: dict[str, Any] | None = None,
        changed: Iterable[str] = (),
        *,
        loc: Loc = ("body",),
        detail: Text = NOT_VALID,
    ) -> None:
        self.values = values or {}
        self.changed = set(changed)
        self.loc = loc
        self.detail = detail
        self.errors: list[dict[str, Any]] = []

    def wants(self, *fields: str) -> bool:
        """Whether any of `fields` is being set (and so must be checked)."""
        return any(f in self.changed for f in fields)

    def add(self, field: str | Loc, msg: Text, type_: str = "value_error") -> None:
        """One problem at `field` (a name, or a path such as `("major_codes", 2)`)."""
        path = (field,) if isinstance(field, str) else field
        self.errors.append({"loc": [*self.loc, *path], "msg": msg, "type": type_})

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid(self.detail, errors=self.errors)

    def exist(self, session: Session, field: str, column: Any, what: Text) -> None:
        """Each value of `field` (one or a list) is a key of `column`'s table."""
        value = self.values.get(field)
        if not self.wants(field) or value is None or value == []:
            return
        wanted = set(value) if isinstance(value, list) else {value}
        known = set(session.scalars(select(column).where(column.in_(wanted))))
        for missing in sorted(wanted - known, key=str):
            self.add(
                field,
                t(f"未知的{what.zh}：{missing}。", f"Unknown {what.en}: {missing}."),
                "unknown_reference",
            )

    def listed(
        self,
        session: Session,
        field: str,
        codes: list[str],
        column: Any,
        unknown: Callable[[str], Text],
    ) -> set[str]:
        """Each of `codes` (the list at `field`) is a key of `column`'s table; an unknown one
        is named at `(field, index)` with `unknown(code)`. Returns the known ones."""
        known = set(session.scalars(select(column).where(column.in_(codes))))
        for i, code in enumerate(codes):
            if code not in known:
                self.add((field, i), unknown(code))
        return known

    def district(self, session: Session, field: str = "district_code") -> None:
        code = self.values.get(field)
        if not self.wants(field) or code is None:
            return
        if not code.startswith(WEIHAI) or session.get(District, code) is None:
            self.add(
                field,
                t(f"{code} 不是威海市的区县代码。", f"{code} is not a Weihai district code."),
                "unknown_reference",
            )

    def organizations(self, session: Session, field: str, org_type: OrgType) -> None:
        """Each id of `field` (one or a list) is an approved organisation of type `org_type`."""
        value = self.values.get(field)
        if not self.wants(field) or value is None:
            return
        ids = value if isinstance(value, list) else [value]
        rows = session.execute(
            select(Organization.id, Organization.org_type).where(
                Organization.id.in_(ids), Organization.status == OrgStatus.approved
            )
        )
        found = {org_id: org_type for org_id, org_type in rows}
        for org_id in ids:
            if org_id not in found:
                self.add(
                    field,
                    t(
                        f"没有已通过审核的组织 {org_id}。",
                        f"No approved organisation {org_id}.",
                    ),
                    "unknown_reference",
                )
            elif found[org_id] != org_type:
                self.add(
                    field,
                    t(
                        f"组织 {org_id} 不是{labels.ORG_TYPE[org_type]}。",
                        f"Organisation {org_id} is not of type {org_type.value}.",
                    ),
                )

    def period(self, start: str = "start_date", end: str = "end_date") -> None:
        first, last = self.values.get(start), self.values.get(end)
        if self.wants(start, end) and first and last and last < first:
            self.add(end, t(f"{end} 早于 {start}。", f"{end} is before {start}."), "date_order")

    def not_past(self, field: str) -> None:
        day = self.values.get(field)
        if self.wants(field) and day and day < clock.today():
            self.add(
                field,
                t(f"{field} {day} 已经过去。", f"{field} {day} is in the past."),
                "date_in_past",
            )
