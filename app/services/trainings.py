"""Pre-job trainings: sessions, the colleges' enrolments, seat accounting and completion.

A training is public from the moment it is created (there are no drafts: it is an
offer to colleges), and stays readable when cancelled. The organisation that
created it owns it and changes or cancels it; platform admins may too.

Seats. `trainings.seats_taken` is the sum of the enrolments' seats, and is never more
than `capacity`, also when many colleges enrol at once in several processes. It is
never read, added to in Python and written back (two requests reading 19 of 20 would
both write 20); every change is one conditional UPDATE (`_take_seats`, `_give_back`)
that the database evaluates against the row as it is at that moment. A college enrols
once per training (one row per college and training, unique): a second enrolment is
a 409 `already_enrolled`; it may change its seats (up if they fit, or down) or release
them. Enrolment closes when the training starts; completion can be recorded from then on.
"""

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, delete, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import t
from app.models import Training, TrainingEnrollment
from app.models.enums import DemandStatus, OrgType, TrainingStatus
from app.schemas.common import PageParams
from app.schemas.trainings import (
    CompletionRecord,
    EnrollmentCreate,
    EnrollmentRead,
    EnrollmentUpdate,
    TrainingCancel,
    TrainingCreate,
    TrainingFilters,
    TrainingRead,
    TrainingUpdate,
)
from app.services import permissions
from app.services.audit import changes, record_audit
from app.services.checks import Problems
from app.services.demands.service import find_visible
from app.services.events import record_event
from app.services.permissions import Principal
from app.services.query import Paged, contains, paginate

MAX_DURATION = timedelta(days=366)


def _check(session: Session, problems: Problems) -> None:
    """The place and the times of a training's merged fields."""
    problems.district(session)
    start, end = problems.values["start_at"], problems.values["end_at"]
    if problems.wants("start_at", "end_at"):
        if end <= start:
            problems.add(
                "end_at",
                t("结束时间须晚于开始时间。", "end_at must be after start_at."),
                "date_order",
            )
        elif end - start > MAX_DURATION:
            problems.add("end_at", t("培训时长最多一年。", "A training lasts at most a year."))
    if problems.wants("start_at") and start < clock.now():
        problems.add(
            "start_at", t("开始时间已经过去。", "start_at is in the past."), "date_in_past"
        )


def _link(session: Session, principal: Principal, problems: Problems) -> None:
    """Resolve `demand_id` and `enterprise_id` (in `problems.values`) of a new training."""
    values = problems.values
    if values["demand_id"] is None:
        if principal.org_type == OrgType.enterprise:
            problems.add(
                "demand_id",
                t(
                    "企业创建的培训须关联本企业的一项需求。",
                    "An enterprise's training is for one of its demands.",
                ),
            )
        problems.organizations(session, "enterprise_id", OrgType.enterprise)
        return
    demand = find_visible(session, principal, values["demand_id"])
    if demand is None:
        demand_id = values["demand_id"]
        problems.add(
            "demand_id",
            t(f"没有这个需求：{demand_id}。", f"No such demand: {demand_id}."),
            "unknown_reference",
        )
        return
    permissions.ensure_can_link_demand(principal, demand.enterprise_id)
    if demand.status == DemandStatus.draft:
        # Public trainings do not point at unpublished demands.
        problems.add(
            "demand_id",
            t("该需求还是草稿，请先开放。", "The demand is a draft: open it first."),
            "demand_draft",
        )
    if values["enterprise_id"] not in (None, demand.enterprise_id):
        problems.add(
            "enterprise_id",
            t(
                "enterprise_id 与该需求所属企业不一致。",
                "enterprise_id is not the demand's enterprise.",
            ),
        )
    values["enterprise_id"] = demand.enterprise_id


def create_training(session: Session, principal: Principal, data: TrainingCreate) -> Training:
    """A scheduled training owned by the caller's organisation, public at once."""
    assert principal.org_id is not None  # a training author (checked by the route)
    values = data.model_dump()
    problems = Problems(values, values.keys())
    _link(session, principal, problems)
    _check(session, problems)
    problems.raise_if_any()
    now = clock.now()
    training = Training(
        **values, owner_organization_id=principal.org_id, created_at=now, updated_at=now
    )
    session.add(training)
    session.flush()
    record_audit(
        session, principal, "training.create", resource_id=training.id, summary=changes({}, values)
    )
    _announce(session, training, "created")
    return training


def get_training(session: Session, training_id: int) -> Training:
    """Any training, cancelled ones too: they are public."""
    training = session.get(Training, training_id)
    if training is None:
        raise NotFound(t("没有这个培训。", "No such training."))
    return training


def _locked(session: Session, training_id: int) -> Training:
    """The training, its row locked until commit (FOR NO KEY UPDATE: the lock an UPDATE
    takes, so that it waits for, and is waited for by, enrolments' seat updates only)."""
    training = session.get(
        Training, training_id, with_for_update={"key_share": True}, populate_existing=True
    )
    if training is None:
        raise NotFound(t("没有这个培训。", "No such training."))
    return training


def list_trainings(session: Session, filters: TrainingFilters, page: PageParams) -> Paged[Training]:
    """Every training (cancelled ones too unless filtered out), soonest start first."""
    stmt = select(Training)
    if filters.demand_id is not None:
        stmt = stmt.where(Training.demand_id == filters.demand_id)
    if filters.enterprise_id is not None:
        stmt = stmt.where(Training.enterprise_id == filters.enterprise_id)
    if filters.district_code:
        stmt = stmt.where(Training.district_code == filters.district_code)
    if filters.status:
        stmt = stmt.where(Training.status == filters.status)
    if filters.starts_after:
        stmt = stmt.where(Training.start_at >= filters.starts_after)
    if filters.starts_before:
        stmt = stmt.where(Training.start_at < filters.starts_before)
    if filters.q:
        stmt = stmt.where(contains(Training.title, filters.q))
    return paginate(session, stmt.order_by(Training.start_at, Training.id), page)


def _ensure_scheduled(training: Training) -> None:
    if training.status == TrainingStatus.cancelled:
        raise Conflict(t("该培训已取消。", "The training is cancelled."), code="training_cancelled")


def update_training(
    session: Session, principal: Principal, training_id: int, data: TrainingUpdate
) -> Training:
    """Change the given fields of a scheduled training; the capacity never below the
    seats taken (409 `capacity_below_seats_taken`)."""
    training = _locked(session, training_id)
    permissions.ensure_training_owner(principal, training.owner_organization_id)
    _ensure_scheduled(training)
    given = data.model_dump(exclude_unset=True)
    before = {f: getattr(training, f) for f in TrainingUpdate.model_fields}
    patch = {k: v for k, v in given.items() if before[k] != v}
    if not patch:
        return training
    problems = Problems({**before, **patch}, patch.keys())
    _check(session, problems)
    problems.raise_if_any()
    # The row is locked, so no enrolment can take seats between this check and commit.
    if patch.get("capacity", training.capacity) < training.seats_taken:
        taken = training.seats_taken
        raise Conflict(
            t(
                f"已有 {taken} 个名额被报名，容量不能低于此数。",
                f"{taken} seats are taken; the capacity cannot go below that.",
            ),
            code="capacity_below_seats_taken",
        )
    for field, value in patch.items():
        setattr(training, field, value)
    training.updated_at = clock.now()
    session.flush()
    record_audit(
        session,
        principal,
        "training.update",
        resource_id=training.id,
        summary=changes(before, patch),
    )
    _announce(session, training, "updated")
    return training


def cancel_training(
    session: Session, principal: Principal, training_id: int, data: TrainingCancel
) -> Training:
    """scheduled → cancelled: no more enrolments; the training and its enrolments stay."""
    training = _locked(session, training_id)
    permissions.ensure_training_owner(principal, training.owner_organization_id)
    if training.status == TrainingStatus.cancelled:
        raise Conflict(
            t("该培训已经取消。", "The training is already cancelled."), code="already_cancelled"
        )
    now = clock.now()
    training.status = TrainingStatus.cancelled
    training.cancel_reason = data.reason
    training.cancelled_at = now
    training.updated_at = now
    session.flush()
    record_audit(
        session,
        principal,
        "training.cancel",
        resource_id=training.id,
        summary={"status": ["scheduled", "cancelled"], "reason": data.reason},
    )
    _announce(session, training, "cancelled")
    return training


def _ensure_enrolment_open(training: Training) -> None:
    _ensure_scheduled(training)
    if training.start_at <= clock.now():
        raise Conflict(
            t(
                "培训已开始，报名不能再变更。",
                "The training has started; enrolments can no longer change.",
            ),
            code="training_started",
        )


def _take_seats(session: Session, training: Training, seats: int) -> None:
    """Add `seats` to the training's `seats_taken` if they fit, or answer 409.

    One conditional UPDATE, `seats_taken = seats_taken + n WHERE seats_taken + n <=
    capacity AND status = 'scheduled'`, checked by its row count. The database decides
    on the row as it is when the UPDATE runs, not as this request read it: on PostgreSQL
    a concurrent UPDATE of the row waits for this transaction to end and then evaluates
    its WHERE again on the committed row (READ COMMITTED); on SQLite the write
    transaction holds the database's write lock from BEGIN IMMEDIATE. So requests
    racing for the last seats get them one after the other, and those that come too
    late update nothing and answer 409 `training_full`. (Reading `seats_taken` and
    writing back a sum would let two requests that both read 19 of 20 both write 20.)
    The CHECK constraint `seats_taken <= capacity` backs this up.
    """
    stmt = (
        update(Training)
        .where(
            Training.id == training.id,
            Training.status == TrainingStatus.scheduled,
            Training.seats_taken + seats <= Training.capacity,
        )
        .values(seats_taken=Training.seats_taken + seats, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    taken = cast(CursorResult[Any], session.execute(stmt)).rowcount
    session.refresh(training)
    if taken == 1:
        return
    _ensure_scheduled(training)  # cancelled meanwhile
    left, capacity = training.seats_available, training.capacity
    raise Conflict(
        t(
            f"共 {capacity} 个名额，仅剩 {left} 个，申请了 {seats} 个。",
            f"Only {left} of {capacity} seats are left; {seats} asked for.",
        ),
        code="training_full",
    )


def _give_back(session: Session, training: Training, seats: int) -> None:
    """Subtract released seats with one UPDATE relative to the row's current value."""
    stmt = (
        update(Training)
        .where(Training.id == training.id)
        .values(seats_taken=Training.seats_taken - seats, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    session.execute(stmt)
    session.refresh(training)


def enrollment_visibility(principal: Principal, training: Training) -> ColumnElement[bool]:
    """Which of a training's enrolments the caller sees, the one rule for their list and for
    every route on one: all of them for the training's owner, hr, education and platform
    admins; a college its own; anybody else none (403: enrolment lists are not public)."""
    if (
        principal.is_platform_admin
        or principal.org_id == training.owner_organization_id
        or principal.is_department(*permissions.TRAINING_DEPARTMENTS)
    ):
        return true()
    if principal.org_type == OrgType.college:
        return TrainingEnrollment.college_id == principal.org_id
    raise Forbidden(
        t(
            "仅培训创建单位、已报名院校、人社局和教育局可以查看。",
            "Only the training's owner, the enrolled colleges, hr and education see these.",
        )
    )


def _enrollment(
    session: Session,
    principal: Principal,
    training: Training,
    enrollment_id: int,
    *,
    lock: bool = False,
) -> TrainingEnrollment:
    """One enrolment of the training that the caller sees (the list's rule plus the id);
    with `lock`, its row locked until commit (a concurrent change of the same enrolment
    waits, then reads what this one wrote)."""
    stmt = select(TrainingEnrollment).where(
        enrollment_visibility(principal, training),
        TrainingEnrollment.training_id == training.id,
        TrainingEnrollment.id == enrollment_id,
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    enrollment = session.scalars(stmt).first()
    if enrollment is None:
        raise NotFound(t("没有这条报名记录。", "No such enrolment."))
    return enrollment


def _ensure_within_capacity(training: Training, seats: int) -> None:
    """More seats than the training has in all can never fit: a bad request (422), not a
    full training (409)."""
    if seats > training.capacity:
        capacity = training.capacity
        raise Invalid.field(
            ("body", "seats"),
            t(f"该培训共有 {capacity} 个名额。", f"The training has {capacity} seats in all."),
        )


def enroll(
    session: Session, principal: Principal, training_id: int, data: EnrollmentCreate
) -> TrainingEnrollment:
    """The calling college takes `seats` seats, if they fit (409 `training_full`)."""
    training = get_training(session, training_id)
    permissions.ensure_enrolling_college(principal, data.college_id)
    _ensure_enrolment_open(training)
    _ensure_within_capacity(training, data.seats)
    taken = select(TrainingEnrollment.id).where(
        TrainingEnrollment.training_id == training.id,
        TrainingEnrollment.college_id == data.college_id,
    )
    if (existing := session.scalar(taken)) is not None:
        raise _already_enrolled(existing)
    enrollment = TrainingEnrollment(
        training_id=training.id, college_id=data.college_id, seats=data.seats
    )
    session.add(enrollment)
    try:
        # A concurrent enrolment of the same college waits here for the other to commit,
        # then fails on the unique constraint.
        session.flush()
    except IntegrityError as exc:
        raise _already_enrolled(None) from exc
    _take_seats(session, training, data.seats)
    record_audit(
        session,
        principal,
        "training.enroll",
        resource_id=training.id,
        summary={"enrollment_id": enrollment.id, "seats": data.seats},
    )
    _announce(session, training, "enrolled", enrollment, training.owner_organization_id)
    return enrollment


def _already_enrolled(enrollment_id: int | None) -> Conflict:
    which = f" (enrolment {enrollment_id})" if enrollment_id else ""
    which_zh = f"（报名记录 {enrollment_id}）" if enrollment_id else ""
    return Conflict(
        t(
            f"本校已报名该培训{which_zh}；如需更改人数，请修改该报名的名额数。",
            f"Your college is already enrolled in this training{which}; change that "
            "enrolment's seats instead.",
        ),
        code="already_enrolled",
        existing_id=enrollment_id,
    )


def release(session: Session, principal: Principal, training_id: int, enrollment_id: int) -> None:
    """The college gives its seats back before the training starts; the row goes."""
    training = get_training(session, training_id)
    enrollment = _enrollment(session, principal, training, enrollment_id)
    permissions.ensure_enrolling_college(principal, enrollment.college_id)
    _ensure_enrolment_open(training)
    read = EnrollmentRead.model_validate(enrollment)
    # Only the request that really deletes the row gives the seats back: a concurrent
    # release of the same enrolment waits, then deletes nothing.
    stmt = delete(TrainingEnrollment).where(TrainingEnrollment.id == enrollment.id)
    if cast(CursorResult[Any], session.execute(stmt)).rowcount != 1:
        raise NotFound(t("没有这条报名记录。", "No such enrolment."))
    session.expunge(enrollment)
    _give_back(session, training, enrollment.seats)
    record_audit(
        session,
        principal,
        "training.release",
        resource_id=training.id,
        summary={"enrollment_id": enrollment.id, "seats": enrollment.seats},
    )
    _announce(session, training, "released", read, training.owner_organization_id)


def change_seats(
    session: Session,
    principal: Principal,
    training_id: int,
    enrollment_id: int,
    data: EnrollmentUpdate,
) -> TrainingEnrollment:
    """The college changes its enrolment's seats before the start: more only if they fit
    (409 `training_full`, as for an enrolment), fewer always.

    The enrolment's row is locked first (as enrolling and releasing touch the enrolment
    before the training), then the difference goes through `_take_seats` or `_give_back`:
    the same conditional UPDATE that keeps concurrent enrolments within the capacity.
    """
    training = get_training(session, training_id)
    enrollment = _enrollment(session, principal, training, enrollment_id, lock=True)
    permissions.ensure_enrolling_college(principal, enrollment.college_id)
    _ensure_enrolment_open(training)
    _ensure_within_capacity(training, data.seats)
    before = enrollment.seats
    if data.seats > before:
        _take_seats(session, training, data.seats - before)
    elif data.seats < before:
        _give_back(session, training, before - data.seats)
    enrollment.seats = data.seats
    enrollment.updated_at = clock.now()
    session.flush()
    record_audit(
        session,
        principal,
        "training.change_seats",
        resource_id=training.id,
        summary={"enrollment_id": enrollment.id, "seats": [before, data.seats]},
    )
    _announce(session, training, "seats_changed", enrollment, training.owner_organization_id)
    return enrollment


def list_enrollments(
    session: Session, principal: Principal, training_id: int, page: PageParams
) -> Paged[TrainingEnrollment]:
    """All of a training's enrolments for its owner, hr, education; a college its own."""
    training = get_training(session, training_id)
    stmt = select(TrainingEnrollment).where(
        enrollment_visibility(principal, training), TrainingEnrollment.training_id == training.id
    )
    return paginate(session, stmt.order_by(TrainingEnrollment.id), page)


def record_completion(
    session: Session,
    principal: Principal,
    training_id: int,
    enrollment_id: int,
    data: CompletionRecord,
) -> TrainingEnrollment:
    """How many of an enrolment's trainees completed, once the training has started
    (recorded again, the new number replaces the old)."""
    training = get_training(session, training_id)
    enrollment = _enrollment(session, principal, training, enrollment_id)
    permissions.ensure_can_record_completion(
        principal, training.owner_organization_id, enrollment.college_id
    )
    _ensure_scheduled(training)
    if training.start_at > clock.now():
        raise Conflict(
            t("培训尚未开始。", "The training has not started yet."), code="training_not_started"
        )
    if data.completed > enrollment.seats:
        seats = enrollment.seats
        raise Invalid.field(
            ("body", "completed"),
            t(
                f"该报名共 {seats} 个名额，结业人数不能超过此数。",
                f"The enrolment has {seats} seats; no more complete.",
            ),
        )
    before = enrollment.completed
    now = clock.now()
    enrollment.completed = data.completed
    enrollment.completed_at = now
    enrollment.updated_at = now
    session.flush()
    record_audit(
        session,
        principal,
        "training.complete",
        resource_id=training.id,
        summary={"enrollment_id": enrollment.id, "completed": [before, data.completed]},
    )
    # News for the other side: the owner when the college recorded it, else the college.
    by_college = principal.org_id == enrollment.college_id
    to = training.owner_organization_id if by_college else enrollment.college_id
    _announce(session, training, "completed", enrollment, to)
    return enrollment


def _announce(
    session: Session,
    training: Training,
    verb: str,
    enrollment: TrainingEnrollment | EnrollmentRead | None = None,
    to: int | None = None,
) -> None:
    """`training.<verb>` with the training's public representation, plus `enrollment`.

    Events naming an enrolment go to one organisation only (`to`, `public=False`), as
    enrolment lists are not public; the others are public.
    """
    data: dict[str, Any] = TrainingRead.model_validate(training).model_dump(mode="json")
    if enrollment is not None:
        data["enrollment"] = EnrollmentRead.model_validate(enrollment).model_dump(mode="json")
    record_event(
        session,
        f"training.{verb}",
        resource_id=training.id,
        data=data,
        organization_id=to or training.owner_organization_id,
        public=enrollment is None,
    )
