"""`python -m app serve` in a subprocess on a free port, for tests over real HTTP."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from threading import Barrier

import httpx
import pytest
from sqlalchemy import func, select

from app.core.db import make_engine, make_sessionmaker
from app.models import Training, TrainingEnrollment
from app.models.enums import Department, OrgType
from tests.factories import key_headers, make_department, make_org, training_body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    database_url: str, log_path: Path, *, workers: int = 1, demo: bool = False, **env: str
) -> Iterator[str]:
    """Serve the platform on `database_url` (migrated at start, with the demo world when
    `demo`) until the block ends; yields the base URL. The server's output goes to
    `log_path`."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "APP_ENV": "test",
        "SECRET_KEY": "live-server-test-secret-0123456789abcdef",
        **env,
    }
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--workers", str(workers), "--port", str(port)]
        + (["--demo"] if demo else []),
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded machine imports slowly
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start:\n" + log_path.read_text())
        yield base
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@dataclass
class SeatRace:
    answers: list[tuple[int, str | None]]  # (status, problem code) per college
    seats_taken: int  # as stored, read after the race
    enrollments: int  # rows stored


def seat_race(base: str, database_url: str, *, colleges: int, capacity: int) -> SeatRace:
    """An hr department's training of `capacity` seats, for which `colleges` colleges
    ask one seat each at the same moment, each on a new connection of its own."""
    engine = make_engine(database_url)
    db = make_sessionmaker(engine)
    owner = key_headers(db, make_department(db, Department.hr))
    askers = [make_org(db, OrgType.college) for _ in range(colleges)]
    keys = [key_headers(db, college) for college in askers]
    response = httpx.post(
        f"{base}/api/v1/trainings", json=training_body(capacity=capacity), headers=owner
    )
    assert response.status_code == 201, response.text
    url = f"{base}/api/v1/trainings/{response.json()['id']}/enrollments"
    barrier = Barrier(colleges)

    def ask(n: int) -> tuple[int, str | None]:
        body = {"college_id": askers[n].id, "seats": 1}
        headers = {**keys[n], "Connection": "close"}
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            answer = client.post(url, json=body, headers=headers)
        return answer.status_code, answer.json().get("code")

    with ThreadPoolExecutor(max_workers=colleges) as pool:
        answers = list(pool.map(ask, range(colleges)))
    with db() as session:
        seats_taken = session.scalar(select(Training.seats_taken)) or 0
        enrollments = session.scalar(select(func.count()).select_from(TrainingEnrollment)) or 0
    engine.dispose()
    return SeatRace(answers, seats_taken, enrollments)


@dataclass
class ReseatRace:
    answers: list[tuple[int, str | None]]  # (status, problem code) per college
    seats_taken: int  # the training's count, read after the race
    enrolled_seats: int  # the enrolments' seats added up


def reseat_race(
    base: str, database_url: str, *, capacity: int, held: list[int], wanted: list[int]
) -> ReseatRace:
    """An hr department's training of `capacity` seats in which college n holds `held[n]`
    seats; then every college asks at the same moment to hold `wanted[n]` instead (PATCH),
    each on a new connection of its own."""
    engine = make_engine(database_url)
    db = make_sessionmaker(engine)
    owner = key_headers(db, make_department(db, Department.hr))
    colleges = [make_org(db, OrgType.college) for _ in held]
    keys = [key_headers(db, college) for college in colleges]
    response = httpx.post(
        f"{base}/api/v1/trainings", json=training_body(capacity=capacity), headers=owner
    )
    assert response.status_code == 201, response.text
    training_id = response.json()["id"]
    url = f"{base}/api/v1/trainings/{training_id}/enrollments"
    ids = []
    for college, key, seats in zip(colleges, keys, held, strict=True):
        enrolled = httpx.post(url, json={"college_id": college.id, "seats": seats}, headers=key)
        assert enrolled.status_code == 201, enrolled.text
        ids.append(enrolled.json()["id"])
    barrier = Barrier(len(held))

    def ask(n: int) -> tuple[int, str | None]:
        headers = {**keys[n], "Connection": "close"}
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            answer = client.patch(f"{url}/{ids[n]}", json={"seats": wanted[n]}, headers=headers)
        return answer.status_code, answer.json().get("code")

    with ThreadPoolExecutor(max_workers=len(held)) as pool:
        answers = list(pool.map(ask, range(len(held))))
    with db() as session:
        taken = session.scalar(select(Training.seats_taken).where(Training.id == training_id))
        enrolled_seats = session.scalar(
            select(func.sum(TrainingEnrollment.seats)).where(
                TrainingEnrollment.training_id == training_id
            )
        )
    engine.dispose()
    return ReseatRace(answers, taken or 0, enrolled_seats or 0)
