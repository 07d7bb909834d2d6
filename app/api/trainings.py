from typing import Annotated

from fastapi import Body, Query, status

from app.api import API_PREFIX, Router
from app.api.deps import College, CurrentPrincipal, SessionDep, TrainingAuthor, Writer
from app.api.openapi import CHANGE_ERRORS, responses
from app.api.pages import page_of
from app.models import Training, TrainingEnrollment
from app.schemas.common import Id, Page, PageDep
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
from app.services import trainings as training_service

router = Router(prefix=f"{API_PREFIX}/trainings", tags=["trainings"])

TrainingFiltersDep = Annotated[TrainingFilters, Query()]


@router.get(
    "", operation_id="trainings_list", response_model=Page[TrainingRead], summary="List trainings"
)
def list_trainings(
    filters: TrainingFiltersDep, session: SessionDep, page: PageDep
) -> dict[str, object]:
    """Every training, for everybody (trainings are public from creation; cancelled ones
    too, unless `status=scheduled`), the soonest start first."""
    return page_of(training_service.list_trainings(session, filters, page), page)


@router.post(
    "",
    operation_id="trainings_create",
    status_code=status.HTTP_201_CREATED,
    response_model=TrainingRead,
    summary="Create a training",
    responses=responses(404, 422),
)
def create_training(
    data: TrainingCreate, principal: TrainingAuthor, session: SessionDep
) -> Training:
    """hr, education and colleges create trainings, enterprises for one of their own demands
    (`demand_id` required then). The caller's organisation owns the training; it is public
    at once (`training.created`)."""
    return training_service.create_training(session, principal, data)


@router.get(
    "/{training_id}",
    operation_id="trainings_get",
    response_model=TrainingRead,
    summary="Get a training",
    responses=responses(404),
)
def get_training(training_id: Id, session: SessionDep) -> Training:
    """Any training, cancelled ones too: they are public."""
    return training_service.get_training(session, training_id)


@router.patch(
    "/{training_id}",
    operation_id="trainings_update",
    response_model=TrainingRead,
    summary="Change a training",
    responses=CHANGE_ERRORS,
)
def update_training(
    training_id: Id, data: TrainingUpdate, principal: Writer, session: SessionDep
) -> Training:
    """The owner (or a platform admin) changes a scheduled training (`training.updated`);
    the capacity cannot go below the seats taken (409 `capacity_below_seats_taken`)."""
    return training_service.update_training(session, principal, training_id, data)


@router.post(
    "/{training_id}/cancel",
    operation_id="trainings_cancel",
    response_model=TrainingRead,
    summary="Cancel a training",
    responses=CHANGE_ERRORS,
)
def cancel_training(
    training_id: Id,
    principal: Writer,
    session: SessionDep,
    data: Annotated[TrainingCancel | None, Body()] = None,
) -> Training:
    """The owner (or a platform admin) cancels a training, optionally saying why: it takes
    no more enrolments and stays readable (`training.cancelled`)."""
    return training_service.cancel_training(
        session, principal, training_id, data or TrainingCancel()
    )


@router.post(
    "/{training_id}/enrollments",
    operation_id="training_enrollments_create",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrollmentRead,
    summary="Enrol in a training",
    responses=CHANGE_ERRORS,
)
def enroll(
    training_id: Id, data: EnrollmentCreate, principal: College, session: SessionDep
) -> TrainingEnrollment:
    """A college takes seats for its own students until the training starts; never more
    than the capacity, however many enrol at once (409 `training_full`). One enrolment per
    college and training: another answers 409 `already_enrolled` (change its seats with
    a PATCH instead). The training's owner hears `training.enrolled`."""
    return training_service.enroll(session, principal, training_id, data)


@router.get(
    "/{training_id}/enrollments",
    operation_id="training_enrollments_list",
    response_model=Page[EnrollmentRead],
    summary="A training's enrolments",
    responses=responses(404),
)
def list_enrollments(
    training_id: Id, principal: CurrentPrincipal, session: SessionDep, page: PageDep
) -> dict[str, object]:
    """The training's owner, hr, education and platform admins see all; a college its own."""
    return page_of(training_service.list_enrollments(session, principal, training_id, page), page)


@router.delete(
    "/{training_id}/enrollments/{enrollment_id}",
    operation_id="training_enrollments_release",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Release an enrolment's seats",
    responses=responses(404, 409),
)
def release(training_id: Id, enrollment_id: Id, principal: Writer, session: SessionDep) -> None:
    """The enrolled college gives its seats back before the training starts
    (`training.released`); it may enrol again."""
    training_service.release(session, principal, training_id, enrollment_id)


@router.patch(
    "/{training_id}/enrollments/{enrollment_id}",
    operation_id="training_enrollments_change_seats",
    response_model=EnrollmentRead,
    summary="Change an enrolment's seats",
    responses=CHANGE_ERRORS,
)
def change_seats(
    training_id: Id,
    enrollment_id: Id,
    data: EnrollmentUpdate,
    principal: Writer,
    session: SessionDep,
) -> TrainingEnrollment:
    """The enrolled college sets its number of seats, up or down, before the training
    starts, without giving its seats up in between: more only if they fit, however many
    change or enrol at once (409 `training_full`); 409 `training_started`,
    `training_cancelled` as for enrolling. The training's owner hears
    `training.seats_changed`."""
    return training_service.change_seats(session, principal, training_id, enrollment_id, data)


@router.post(
    "/{training_id}/enrollments/{enrollment_id}/completion",
    operation_id="training_enrollments_complete",
    response_model=EnrollmentRead,
    summary="Record how many completed",
    responses=CHANGE_ERRORS,
)
def record_completion(
    training_id: Id,
    enrollment_id: Id,
    data: CompletionRecord,
    principal: Writer,
    session: SessionDep,
) -> TrainingEnrollment:
    """The training's owner or the enrolled college records, once the training has started,
    how many of the enrolment's seats completed it (at most its seats; a new record replaces
    the old one; `training.completed`)."""
    return training_service.record_completion(session, principal, training_id, enrollment_id, data)
