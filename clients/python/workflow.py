"""One workflow against a live server with demo data, through the generated Python client.

`python workflow.py http://127.0.0.1:8000` with the generated `xqhz_client` package
importable. Prints each step; exits 1 naming the failing step and the server's answer.
"""

import hashlib
import os
import sys
import time
from datetime import date, timedelta
from io import BytesIO
from typing import Any, TypeVar, cast

import httpx
from xqhz_client import AuthenticatedClient, Client
from xqhz_client.api.auth import auth_me, auth_token
from xqhz_client.api.demands import demand_responses_create, demands_create, demands_open
from xqhz_client.api.matching import college_matches_list, demand_matches_list
from xqhz_client.api.publications import publications_export, publications_list
from xqhz_client.api.reference_data import majors_list
from xqhz_client.api.student_distribution import student_distributions_import
from xqhz_client.api.tech_projects import tech_projects_list
from xqhz_client.models import (
    BodyAuthToken,
    BodyStudentDistributionsImport,
    Dataset,
    DemandCreate,
    DemandCreated,
    DemandKind,
    DemandMatchPage,
    DemandRead,
    DemandStatus,
    FileFormat,
    ImportReport,
    MajorLevel,
    MatchPage,
    Me,
    PageMajorRead,
    PagePublicationRead,
    PageTechProjectRead,
    PublicationRead,
    ResponseCreate,
    ResponseRead,
    ResponseStatus,
    Token,
)
from xqhz_client.types import File, Response

PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
ENTERPRISE = "ent02"  # 威海卫港智能装备有限公司
COLLEGE = "college01"  # 威海职业学院: graduates of 460103 (数控技术)
T = TypeVar("T")


class StepFailed(Exception):
    pass


def expect(step: str, response: Response[Any], model: type[T]) -> T:
    """The parsed answer, or StepFailed naming the step, the status and the problem."""
    if not 200 <= response.status_code < 300 or not isinstance(response.parsed, model):
        body = response.content.decode("utf-8", "replace")[:2000]
        raise StepFailed(f"{step}: HTTP {int(response.status_code)} {body}")
    return response.parsed


def check(step: str, condition: bool, message: str) -> None:
    if not condition:
        raise StepFailed(f"{step}: {message}")


def done(step: str, what: str) -> None:
    print(f"ok  {step}: {what}", flush=True)


def anonymous_reads(anonymous: Client) -> PublicationRead:
    step = "anonymous: list tech projects"
    # openapi-python-client 0.29 asks an AuthenticatedClient of every operation that lists
    # any security requirement, also when the empty one ({}) admits anonymous callers (its
    # issue #1372): the call is made with the anonymous client all the same.
    feed = expect(
        step,
        tech_projects_list.sync_detailed(client=cast(AuthenticatedClient, anonymous), limit=5),
        PageTechProjectRead,
    )
    check(step, feed.total > 0 and len(feed.items) > 0, "no published tech project")
    done(step, f"{feed.total} published, first 「{feed.items[0].title}」")

    step = "anonymous: major catalogue"
    majors = expect(
        step,
        majors_list.sync_detailed(
            client=anonymous, prefix="4601", level=MajorLevel.HIGHER, limit=10
        ),
        PageMajorRead,
    )
    check(step, any(m.code == "460103" for m in majors.items), "460103 is not listed")
    done(step, f"{majors.total} higher-level majors under 4601")

    step = "anonymous: list publications"
    publications = expect(
        step,
        publications_list.sync_detailed(client=anonymous, dataset=Dataset.STUDENT_DISTRIBUTION),
        PagePublicationRead,
    )
    check(step, len(publications.items) > 0, "no published student distribution")
    publication = publications.items[0]
    done(step, f"{publication.dataset} {publication.period} v{publication.version}")
    return publication


def sign_in(base: str, anonymous: Client, username: str) -> tuple[AuthenticatedClient, int]:
    """A client signed in as `username`, and the id of its organisation."""
    step = f"sign in as {username}"
    body = BodyAuthToken(username=username, password=PASSWORD)
    token = expect(step, auth_token.sync_detailed(client=anonymous, body=body), Token)
    check(step, token.access_token != "", "empty access_token")
    done(step, f"a token for {token.expires_in} s")
    client = AuthenticatedClient(base_url=base, token=token.access_token)

    step = f"who is {username}"
    me = expect(step, auth_me.sync_detailed(client=client), Me)
    organization = me.organization
    check(step, organization is not None, "no organisation")
    assert organization is not None
    done(step, f"{organization.name} ({organization.org_type} {organization.id})")
    return client, organization.id


def enterprise_demand(enterprise: AuthenticatedClient) -> int:
    step = "enterprise: create a demand"
    body = DemandCreate(
        kind=DemandKind.EMPLOYMENT,
        title="数控机床装调维修工（Python 客户端工作流）",
        major_codes=["4601"],
        headcount=5,
        valid_until=date.today() + timedelta(days=60),
        external_id=f"PY-WORKFLOW-{time.time_ns()}",
    )
    created = demands_create.sync_detailed(client=enterprise, body=body)
    demand = expect(step, created, DemandCreated)
    check(step, demand.status == DemandStatus.DRAFT, f"status {demand.status}, not draft")
    done(step, f"demand {demand.id} 「{demand.title}」 (draft)")

    step = "enterprise: open the demand"
    opened = expect(step, demands_open.sync_detailed(demand.id, client=enterprise), DemandRead)
    check(step, opened.status == DemandStatus.OPEN, f"status {opened.status}, not open")
    done(step, f"demand {opened.id} is open")

    step = "enterprise: read the matches"
    matches = expect(
        step, demand_matches_list.sync_detailed(demand.id, client=enterprise), MatchPage
    )
    check(step, len(matches.items) > 0, "no match")
    best = matches.items[0]
    check(step, len(best.reasons) == 5, f"{len(best.reasons)} reasons, not 5")
    reasons = ", ".join(f"{r.factor} {r.value}" for r in best.reasons)
    done(
        step,
        f"{matches.total} cohorts, best {best.college.name} {best.major_code} "
        f"score {best.score} ({reasons})",
    )
    return demand.id


def college_offer(college: AuthenticatedClient, college_id: int, demand_id: int) -> None:
    step = "college: read its matches"
    matches = expect(
        step,
        college_matches_list.sync_detailed(college_id, client=college, limit=200),
        DemandMatchPage,
    )
    ours = next((m for m in matches.items if m.demand.id == demand_id), None)
    check(step, ours is not None, f"demand {demand_id} is not among {matches.total} matches")
    assert ours is not None
    check(step, len(ours.reasons) == 5, f"{len(ours.reasons)} reasons, not 5")
    done(
        step,
        f"{matches.total} open demands, ours for cohort {ours.cohort.major_code} "
        f"score {ours.score}: {ours.reasons[0].text}",
    )

    step = "college: offer students"
    body = ResponseCreate(major_code=ours.cohort.major_code, headcount=3, note="可安排面试")
    offer = expect(
        step,
        demand_responses_create.sync_detailed(demand_id, client=college, body=body),
        ResponseRead,
    )
    check(step, offer.status == ResponseStatus.PENDING, f"status {offer.status}, not pending")
    done(step, f"response {offer.id}: {offer.headcount} students of {offer.major_code}")


def college_import(college: AuthenticatedClient, college_id: int, period: str) -> None:
    step = f"college: import a file for {period} (dry run)"
    graduation = int(period[:4]) + (1 if period.endswith("H2") else 0)
    csv = (
        "major_code,level,enrollment_year,graduation_year,headcount,graduating_headcount\n"
        f"460103,higher,{graduation - 3},{graduation},120,108\n"
    )
    upload = File(payload=BytesIO(csv.encode()), file_name="distribution.csv", mime_type="text/csv")
    report = expect(
        step,
        student_distributions_import.sync_detailed(
            college_id,
            period,
            client=college,
            body=BodyStudentDistributionsImport(file=upload),
            dry_run=True,
        ),
        ImportReport,
    )
    check(step, report.dry_run and report.valid, f"not a valid dry run: {report.to_dict()}")
    done(step, f"{report.row_count} row read as {report.source}, {report.error_count} errors")


def export_csv(anonymous: Client, publication: PublicationRead) -> None:
    step = f"anonymous: download publication {publication.id} as CSV"
    answer = publications_export.sync_detailed(
        publication.id, client=anonymous, format_=FileFormat.CSV
    )
    data = expect(step, answer, File).payload.read()
    content_type = answer.headers.get("content-type", "")
    check(step, content_type.startswith("text/csv"), f"content-type {content_type}")
    digest = hashlib.sha256(data).hexdigest()
    check(step, digest == publication.sha256, f"sha256 {digest}, published {publication.sha256}")
    rows = len(data.decode("utf-8-sig").strip().splitlines()) - 1
    done(step, f"{len(data)} bytes, {rows} rows, sha256 as published")


def main(base: str) -> None:
    anonymous = Client(base_url=base)
    publication = anonymous_reads(anonymous)
    enterprise, _ = sign_in(base, anonymous, ENTERPRISE)
    demand_id = enterprise_demand(enterprise)
    college, college_id = sign_in(base, anonymous, COLLEGE)
    college_offer(college, college_id, demand_id)
    college_import(college, college_id, publication.period)
    export_csv(anonymous, publication)
    print("workflow passed: Python client (openapi-python-client)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python workflow.py BASE_URL")
    try:
        main(sys.argv[1].rstrip("/"))
    except StepFailed as failure:
        sys.exit(f"FAILED {failure}")
    except httpx.HTTPError as error:
        sys.exit(f"FAILED {type(error).__name__}: {error}")
