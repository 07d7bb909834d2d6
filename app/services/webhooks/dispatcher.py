"""The webhook dispatcher: fan events out to subscriptions, then send the tries that are due.

Everything it knows lives in the database, so any number of dispatchers (a thread
in each `serve` process, or `python -m app worker` processes) run at once safely,
and nothing is lost when one stops:

* **Fan-out** reads the outbox after the `webhooks` cursor (a row of
  `dispatch_cursors`, locked `FOR UPDATE SKIP LOCKED` on PostgreSQL so only one
  dispatcher fans out at a time; SQLite's write lock does the same there) and
  writes a first try (`pending`, due now) per event and matching subscription, in
  the transaction that moves the cursor. Event ids commit in order (see
  `services.events`), so the cursor never passes an event that commits later.
* **Claiming** marks due `pending` tries `sending` with a lease, in a short
  transaction (`FOR UPDATE SKIP LOCKED`: two dispatchers never claim the same
  try); the HTTP request is made after that transaction has committed.
* **Finishing** records the outcome and, for a failure, inserts the next try
  with exponential back-off, or after the last one counts the event as failed;
  `WEBHOOK_DISABLE_AFTER_FAILURES` such events in a row disable the subscription.
* A try still `sending` after its lease belongs to a dispatcher that died: it is
  closed as failed and the next try is scheduled at once (at-least-once delivery;
  receivers de-duplicate on `X-Webhook-Id`).
"""

import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from app.core import clock
from app.core.config import Settings
from app.core.db import transaction
from app.models import DispatchCursor, Event, Subscription, WebhookDelivery
from app.models.enums import DeliveryStatus
from app.schemas.events import EventRead
from app.services.demands.service import expire_demands
from app.services.events import visible_to
from app.services.webhooks import sending
from app.services.webhooks.subscriptions import disable_subscription, signing_secrets, wants

log = logging.getLogger("app.dispatcher")

FANOUT_CURSOR = "webhooks"
FANOUT_BATCH = 500
WORKER_NAME = f"{socket.gethostname()[:50]}:{os.getpid()}"


@dataclass(frozen=True)
class Claim:
    """A try this dispatcher holds the lease of, with what it needs to send it."""

    delivery_id: int
    token: str
    attempt: int
    event_id: int
    event_type: str
    url: str
    secrets: tuple[str, ...]  # the current one first; the previous one during its grace
    body: bytes


def retry_delay(settings: Settings, attempt: int) -> timedelta:
    """Back-off before try `attempt + 1`: the first retry delay, doubled each time, capped."""
    seconds = settings.webhook_first_retry_seconds * 2 ** (attempt - 1)
    return timedelta(seconds=min(seconds, settings.webhook_max_retry_seconds))


def _lock_cursor(session: Session) -> DispatchCursor | None:
    """The fan-out cursor, locked for this transaction; None if another dispatcher has it."""
    stmt = select(DispatchCursor).where(DispatchCursor.name == FANOUT_CURSOR)
    cursor = session.scalar(stmt.with_for_update(skip_locked=True))
    if cursor is not None:
        return cursor
    if session.scalar(select(func.count()).select_from(stmt.subquery())):
        return None  # it exists, so another dispatcher holds it
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    new = module.insert(DispatchCursor).values(name=FANOUT_CURSOR, last_event_id=0)
    session.execute(new.on_conflict_do_nothing())
    return session.scalar(stmt.with_for_update(skip_locked=True))


def fan_out(factory: sessionmaker[Session], settings: Settings) -> int:
    """Turn events not yet fanned out into first tries; the number of events handled."""
    with transaction(factory, write=False) as session:
        done = session.scalar(
            select(DispatchCursor.last_event_id).where(DispatchCursor.name == FANOUT_CURSOR)
        )
        latest = session.scalar(select(func.max(Event.id)))
    if latest is None or (done is not None and latest <= done):
        return 0
    with transaction(factory) as session:
        cursor = _lock_cursor(session)
        if cursor is None:
            return 0
        events = session.scalars(
            select(Event)
            .where(Event.id > cursor.last_event_id)
            .order_by(Event.id)
            .limit(FANOUT_BATCH)
        ).all()
        if not events:
            return 0
        readable = _readable([event.id for event in events])
        now = clock.now()
        rows = [
            {
                "subscription_id": sub.id,
                "event_id": event.id,
                "attempt": 1,
                "status": DeliveryStatus.pending,
                "due_at": now,
                "created_at": now,
            }
            for sub, event in session.execute(readable)
            if wants(sub, event)
        ]
        if rows:
            session.execute(insert(WebhookDelivery), rows)
        cursor.last_event_id = events[-1].id
        return len(events)


def _readable(event_ids: list[int]) -> Select[Subscription, Event]:
    """Each active subscription with those of the events it may receive: the ones its
    organisation reads in the feed (`visible_to`, the feed's rule), after it subscribed."""
    return (
        select(Subscription, Event)
        .join(Event, visible_to(Subscription.organization_id))
        .where(
            Subscription.active.is_(True),
            Event.id.in_(event_ids),
            Event.id > Subscription.after_event_id,
        )
        .order_by(Event.id, Subscription.id)
    )


def _due(now: datetime) -> ColumnElement[bool]:
    pending = and_(WebhookDelivery.status == DeliveryStatus.pending, WebhookDelivery.due_at <= now)
    return and_(pending, Subscription.active.is_(True))


def _expired(now: datetime) -> ColumnElement[bool]:
    return and_(WebhookDelivery.status == DeliveryStatus.sending, WebhookDelivery.lease_until < now)


def claim_due(factory: sessionmaker[Session], settings: Settings) -> list[Claim]:
    """Lease up to `WORKER_BATCH_SIZE` due tries to this dispatcher (after closing lost ones)."""
    now = clock.now()
    work = select(WebhookDelivery.id).join(Subscription).where(or_(_due(now), _expired(now)))
    with transaction(factory, write=False) as session:
        if session.scalar(select(exists(work))) is not True:
            return []
    token = f"{WORKER_NAME}:{uuid.uuid4().hex[:12]}"
    with transaction(factory) as session:
        lost = session.scalars(
            select(WebhookDelivery)
            .where(_expired(now))
            .limit(settings.worker_batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        for delivery in lost:
            log.warning("delivery %s: lease expired (%s)", delivery.id, delivery.claimed_by)
            failure = sending.Outcome(False, error="lease expired: the sending worker stopped")
            _close_try(session, settings, delivery, failure, now)
        rows = session.execute(
            select(WebhookDelivery, Subscription, Event)
            .join(Subscription, Subscription.id == WebhookDelivery.subscription_id)
            .join(Event, Event.id == WebhookDelivery.event_id)
            .where(_due(now))
            .order_by(WebhookDelivery.due_at, WebhookDelivery.id)
            .limit(settings.worker_batch_size)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        ).all()
        claims = []
        for delivery, sub, event in rows:
            delivery.status = DeliveryStatus.sending
            delivery.lease_until = now + timedelta(seconds=settings.webhook_lease_seconds)
            delivery.claimed_by = token
            delivery.started_at = now
            body = EventRead.from_event(event).model_dump_json().encode()
            claims.append(
                Claim(delivery.id, token, delivery.attempt, event.id, event.type, sub.url,
                      signing_secrets(sub, settings, now), body)
            )  # fmt: skip
    return claims


def deliver(claim: Claim, settings: Settings) -> sending.Outcome:
    """Make the HTTP request of one claimed try (no database access)."""
    headers = {
        "X-Webhook-Id": str(claim.event_id),
        # One signature per valid secret: after a rotation, receivers still holding the old
        # secret verify as well as those that already have the new one.
        "X-Webhook-Signature": ", ".join(sending.sign(s, claim.body) for s in claim.secrets),
        "X-Webhook-Event": claim.event_type,
        "X-Webhook-Attempt": str(claim.attempt),
        "X-Webhook-Delivery": str(claim.delivery_id),
    }
    return sending.send(claim.url, claim.body, headers, settings)


def finish(
    factory: sessionmaker[Session], settings: Settings, claim: Claim, outcome: sending.Outcome
) -> None:
    """Record the outcome of a claimed try, unless its lease was lost meanwhile."""
    with transaction(factory) as session:
        delivery = session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.id == claim.delivery_id).with_for_update()
        )
        if (
            delivery is None
            or delivery.status != DeliveryStatus.sending
            or delivery.claimed_by != claim.token
        ):
            log.warning("delivery %s: outcome dropped, lease lost", claim.delivery_id)
            return
        _close_try(session, settings, delivery, outcome, clock.now())


def _close_try(
    session: Session,
    settings: Settings,
    delivery: WebhookDelivery,
    outcome: sending.Outcome,
    now: datetime,
) -> None:
    delivery.status = DeliveryStatus.succeeded if outcome.ok else DeliveryStatus.failed
    delivery.finished_at = now
    delivery.lease_until = None
    delivery.response_status = outcome.response_status
    delivery.error = outcome.error
    delivery.duration_ms = outcome.duration_ms
    # FOR NO KEY UPDATE: does not wait for fan-outs that insert tries referencing it.
    sub = session.scalar(
        select(Subscription)
        .where(Subscription.id == delivery.subscription_id)
        .with_for_update(key_share=True)
    )
    if sub is None:
        return
    if outcome.ok:
        sub.consecutive_failures = 0
        sub.last_success_at = now
        return
    if delivery.attempt < settings.webhook_max_attempts:
        session.add(
            WebhookDelivery(
                subscription_id=delivery.subscription_id,
                event_id=delivery.event_id,
                attempt=delivery.attempt + 1,
                status=DeliveryStatus.pending,
                due_at=now + retry_delay(settings, delivery.attempt),
            )
        )
        return
    sub.consecutive_failures += 1
    limit = settings.webhook_disable_after_failures
    if sub.active and sub.consecutive_failures >= limit:
        reason = (
            f"disabled after {limit} events in a row failed all {delivery.attempt} tries; "
            f"last error: {outcome.error}"
        )
        disable_subscription(session, sub, reason)
        log.warning("subscription %s disabled: %s", sub.id, reason)


def run_once(
    factory: sessionmaker[Session], settings: Settings, pool: ThreadPoolExecutor | None = None
) -> int:
    """One round: fan out, claim, send and record; the amount of work done."""
    fanned = fan_out(factory, settings)
    claims = claim_due(factory, settings)

    def send_and_finish(claim: Claim) -> None:
        try:
            finish(factory, settings, claim, deliver(claim, settings))
        except Exception:
            # The lease runs out and another round closes the try and retries it.
            log.exception("delivery %s: recording the outcome failed", claim.delivery_id)

    if pool is None:
        for claim in claims:
            send_and_finish(claim)
    else:
        list(pool.map(send_and_finish, claims))
    return fanned + len(claims)


def housekeeping(factory: sessionmaker[Session]) -> int:
    """Store what time alone changes: demands past `valid_until` closed as `expired`.

    Their `demand.closed` events then reach subscribers like any other. Safe in many
    workers at once (the demands are claimed with SKIP LOCKED on PostgreSQL).
    """
    with transaction(factory) as session:
        return expire_demands(session)


def run_worker(factory: sessionmaker[Session], settings: Settings, stop: threading.Event) -> None:
    """Dispatch until `stop` is set, polling every `WORKER_POLL_SECONDS` when idle, and
    run `housekeeping` every `WORKER_HOUSEKEEPING_SECONDS`."""
    log.info("webhook dispatcher started (%s)", WORKER_NAME)
    next_housekeeping = 0.0
    with ThreadPoolExecutor(settings.worker_send_threads, "webhook-send") as pool:
        while not stop.is_set():
            try:
                if time.monotonic() >= next_housekeeping:
                    next_housekeeping = time.monotonic() + settings.worker_housekeeping_seconds
                    housekeeping(factory)
                busy = run_once(factory, settings, pool)
            except Exception:
                log.exception("webhook dispatcher round failed; retrying")
                busy = 0
            if not busy:
                stop.wait(settings.worker_poll_seconds)
    log.info("webhook dispatcher stopped (%s)", WORKER_NAME)


def start_in_thread(
    factory: sessionmaker[Session], settings: Settings
) -> tuple[threading.Thread, threading.Event]:
    """Run the dispatcher in a daemon thread of this process; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker, args=(factory, settings, stop), name="webhook-dispatcher", daemon=True
    )
    thread.start()
    return thread, stop
