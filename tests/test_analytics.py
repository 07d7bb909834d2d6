"""Analytics: supply against demand (totals equal raw totals), college indicators, overview."""

from datetime import timedelta

import pytest

from app.core import clock
from app.models import Organization
from app.models.enums import Department, OrgType
from app.services.demands.service import expire_demands
from tests.factories import (
    assert_problem,
    cohort,
    college_headers,
    current_period,
    department_headers,
    login,
    make_admin,
    org_headers,
    post_demand,
    publish_distribution,
    submit_distribution,
)

P = current_period()
SUPPLY_URL = "/api/v1/analytics/supply-demand"


def world(client, db):
    """Two colleges' published supply and three open demands (one a draft, not counted)."""
    a, a_h = college_headers(client, db, district_code="371002")
    b, b_h = college_headers(client, db, district_code="371082")
    submit_distribution(
        client,
        a,
        a_h,
        [
            cohort(P, "460103", graduating_headcount=31),
            cohort(P, "430601", graduating_headcount=7),
            cohort(P, "540101", graduating_headcount=5),
        ],
    )
    submit_distribution(client, b, b_h, [cohort(P, "510201", graduating_headcount=11)])
    _, education = department_headers(client, db, Department.education)
    publish_distribution(client, education)
    _, enterprise = org_headers(client, db, district_code="371003")
    post_demand(client, enterprise, major_codes=["460103", "4306", "51"], headcount=10)
    post_demand(client, enterprise, major_codes=["46"], headcount=7, district_code="371082")
    post_demand(client, enterprise, major_codes=["540101"], headcount=5, open_=False)
    return (a, a_h), (b, b_h), enterprise


@pytest.mark.parametrize("group_by", ["category", "class", "major", "cluster", "district"])
def test_totals_equal_raw_totals(client, db, group_by):
    world(client, db)
    response = client.get(SUPPLY_URL, params={"group_by": group_by})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == P
    assert sum(r["supply"] for r in body["items"]) == body["total_supply"] == 31 + 7 + 5 + 11
    assert sum(r["demand"] for r in body["items"]) == body["total_demand"] == 10 + 7
    for row in body["items"]:
        assert row["gap"] == row["supply"] - row["demand"]
        assert row["ratio"] == (round(row["supply"] / row["demand"], 4) if row["demand"] else None)
    assert [r["key"] for r in body["items"]] == sorted(r["key"] for r in body["items"])


def test_groups_and_names(client, db):
    world(client, db)

    def rows(group_by):
        items = client.get(SUPPLY_URL, params={"group_by": group_by}).json()["items"]
        return {r["key"]: (r["name"], r["supply"], r["demand"]) for r in items}

    # 10 over three codes: 4 to "4306", 3 to "460103", 3 to "51"; 7 to the category "46".
    assert rows("category")["46"] == ("装备制造大类", 31, 3 + 7)
    assert rows("class")["4306"] == ("非金属材料类", 7, 4)
    assert rows("class")["46"] == ("装备制造大类", 0, 7)  # a category code stays itself
    assert rows("major")["460103"] == ("数控技术", 31, 3)
    district = rows("district")
    assert district["371082"][1:] == (11, 7) and district["371003"][1:] == (0, 10)
    clusters = rows("cluster")
    assert clusters["C07"][0] == "康养旅游" and clusters["C07"][1] == 5
    assert sum(v[1] for v in clusters.values()) == 54


def test_supply_demand_is_a_list(client, db):
    """`items`, `total` (groups), `limit`, `offset`, honoured; the totals cover every group."""
    world(client, db)
    whole = client.get(SUPPLY_URL, params={"group_by": "major"}).json()
    assert (whole["limit"], whole["offset"]) == (20, 0)
    keys = [r["key"] for r in whole["items"]]
    assert whole["total"] == len(keys) >= 5
    pages = [
        client.get(SUPPLY_URL, params={"group_by": "major", "limit": 2, "offset": o}).json()
        for o in range(0, whole["total"], 2)
    ]
    assert [k for p in pages for k in (r["key"] for r in p["items"])] == keys
    assert all(p["total"] == whole["total"] and p["limit"] == 2 for p in pages)
    assert all(p["total_supply"] == 54 and p["total_demand"] == 17 for p in pages)
    past = client.get(SUPPLY_URL, params={"group_by": "major", "offset": 500}).json()
    assert past["items"] == [] and past["total"] == whole["total"]
    for bad in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "many"}):
        assert_problem(client.get(SUPPLY_URL, params={"group_by": "major", **bad}), 422)


def test_supply_demand_input(client, db):
    assert_problem(client.get(SUPPLY_URL), 422)
    assert_problem(client.get(SUPPLY_URL, params={"group_by": "college"}), 422)
    assert_problem(client.get(SUPPLY_URL, params={"group_by": "major", "period": "2025"}), 422)
    empty = client.get(SUPPLY_URL, params={"group_by": "major", "period": "2001H1"}).json()
    assert empty["total_supply"] == 0 and empty["period"] == "2001H1"


def test_college_indicators(client, db):
    (a, a_h), (b, b_h), _ = world(client, db)
    owner_org, owner = org_headers(client, db)
    demand = post_demand(client, owner, major_codes=["460103"], headcount=10)
    responses = f"/api/v1/demands/{demand['id']}/responses"
    offer_a = client.post(
        responses, json={"major_code": "460103", "headcount": 6}, headers=a_h
    ).json()
    offer_b = client.post(
        responses, json={"major_code": "510201", "headcount": 2}, headers=b_h
    ).json()
    client.post(responses, json={"major_code": "460103", "headcount": 1}, headers=a_h)
    client.post(f"{responses}/{offer_a['id']}/accept", headers=owner)
    client.post(f"{responses}/{offer_b['id']}/accept", headers=owner)
    body = {"close_reason": "filled_via_platform", "hired_count": 4}
    client.post(f"/api/v1/demands/{demand['id']}/close", json=body, headers=owner)

    url = f"/api/v1/analytics/colleges/{a.id}"
    result = client.get(url, headers=a_h)
    assert result.status_code == 200, result.text
    data = result.json()
    assert (data["responses_offered"], data["headcount_offered"]) == (2, 7)
    assert (data["responses_accepted"], data["headcount_accepted"]) == (1, 6)
    assert data["hires_via_platform"] == 3  # 4 hires × 6 of 8 accepted
    assert data["submissions"][0]["period"] == P and data["submissions"][0]["on_time"]
    assert data["submissions_on_time"] == 1
    assert data["published_period"] == P and data["published_graduating_headcount"] == 43
    for department in (Department.education, Department.hr):
        _, headers = department_headers(client, db, department)
        assert client.get(url, headers=headers).status_code == 200
    assert client.get(url, headers=login(client, make_admin(db))).status_code == 200
    _, industry = department_headers(client, db, Department.industry)
    assert_problem(client.get(url, headers=b_h), 403)
    assert_problem(client.get(url, headers=owner), 403)
    assert_problem(client.get(url, headers=industry), 403)
    assert_problem(client.get(url), 401)
    assert_problem(client.get(f"/api/v1/analytics/colleges/{owner_org.id}", headers=a_h), 404)
    assert_problem(client.get("/api/v1/analytics/colleges/0", headers=a_h), 422)


def test_overview(client, db):
    world(client, db)
    response = client.get("/api/v1/analytics/overview")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == P
    city = body["city"]
    assert (city["colleges"], city["open_demands"], city["open_headcount"]) == (2, 2, 17)
    assert city["supply"] == 54 and city["enterprises"] == 1
    districts = {d["district_code"]: d for d in body["districts"]}
    assert districts["371082"]["supply"] == 11 and districts["371082"]["open_headcount"] == 7
    assert districts["371003"]["enterprises"] == 1 and districts["371003"]["name"] == "文登区"
    for field in ("enterprises", "colleges", "open_demands", "open_headcount", "supply"):
        assert sum(d[field] for d in body["districts"]) == city[field]


def test_college_indicators_count_published_cooperation(client, db):
    from tests.factories import FEED_PATHS, feed_payload, feed_publisher, make_feed_item, make_org

    (a, a_h), _, _ = world(client, db)
    partner = make_org(db, OrgType.enterprise)
    for _ in range(2):  # the same partner twice counts once
        make_feed_item(
            client,
            db,
            "cooperation_project",
            publish=True,
            college_ids=[a.id],
            enterprise_ids=[partner.id],
        )
    make_feed_item(client, db, "cooperation_project", college_ids=[a.id])  # a draft
    path = FEED_PATHS["social_service_project"]
    body = feed_payload(db, "social_service_project", capacity=30)
    item = client.post(path, json=body, headers=a_h).json()
    _, publisher = feed_publisher(client, db, "social_service_project")
    assert client.post(f"{path}/{item['id']}/publish", headers=publisher).status_code == 200
    data = client.get(f"/api/v1/analytics/colleges/{a.id}", headers=a_h).json()
    assert (data["cooperation_projects"], data["partner_enterprises"]) == (2, 1)
    assert (data["social_service_projects"], data["social_service_capacity"]) == (1, 30)


def test_supply_is_the_published_version_and_its_sums(client, db):
    """Analytics read the sums written with a publication: a submission made after it is
    not counted until the next version; the sums equal those migration 0014 computes from
    the rows (its backfill of publications made before it)."""
    import importlib.util
    from pathlib import Path

    from sqlalchemy import select, text

    from app.models import PublishedSupply

    (a, a_h), _, _ = world(client, db)
    submit_distribution(
        client, a, a_h, [cohort(P, "460103", headcount=100, graduating_headcount=100)]
    )
    before = client.get(SUPPLY_URL, params={"group_by": "district"}).json()
    assert before["total_supply"] == 31 + 7 + 5 + 11
    _, education = department_headers(client, db, Department.education)
    publish_distribution(client, education)
    body = client.get(SUPPLY_URL, params={"group_by": "major"}).json()
    assert body["total_supply"] == 100 + 11
    assert {r["key"]: r["supply"] for r in body["items"] if r["supply"]} == {
        "460103": 100,
        "510201": 11,
    }
    path = next(Path("migrations/versions").glob("*_0014_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0014", path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with db() as session:
        written = session.execute(select(PublishedSupply.__table__)).all()
        backfilled = session.execute(text(migration.SUMS)).all()
    assert sorted(map(tuple, written)) == sorted(map(tuple, backfilled))
    assert len({row[0] for row in written}) == 2  # both versions


def raw_demand(db, group_by):
    """Open demand per group summed from the demands themselves (as analytics once did)."""
    from collections import defaultdict

    from sqlalchemy import select

    from app.core import clock
    from app.models import Demand, DemandMajor, DemandOccupation, Organization
    from app.models.enums import DemandStatus

    amounts = defaultdict(int)
    with db() as session:
        live = select(Demand).where(
            Demand.status == DemandStatus.open, Demand.valid_until >= clock.today()
        )
        for demand in session.scalars(live):
            if group_by == "district":
                place = (
                    demand.district_code
                    or session.get(Organization, demand.enterprise_id).district_code
                )
                amounts[place or "-"] += demand.headcount
                continue
            model = DemandOccupation if group_by == "occupation" else DemandMajor
            shares = session.execute(
                select(model.code, model.share).where(model.demand_id == demand.id)
            ).all()
            for code, share in shares:
                key = code if group_by in ("occupation", "major") else code[:2]
                amounts[key] += share
            if group_by == "occupation" and not shares:
                amounts["-"] += demand.headcount
    return dict(amounts)


def raw_naming(session, codes):
    """How many demands open now name one of `codes`, counted one by one."""
    from sqlalchemy import select

    from app.core import clock
    from app.models import Demand, DemandMajor
    from app.models.enums import DemandStatus

    live = select(Demand.id).where(
        Demand.status == DemandStatus.open, Demand.valid_until >= clock.today()
    )
    return sum(
        1
        for demand_id in session.scalars(live)
        if codes
        & set(session.scalars(select(DemandMajor.code).where(DemandMajor.demand_id == demand_id)))
    )


def assert_demand_follows(client, db):
    """Every grouping's demand equals the raw sums, and the kept totals a fresh count."""
    from sqlalchemy import select

    from app.models import OpenDemandTotal
    from app.services.demands.totals import open_naming, recount
    from app.services.matching.score import load_reference

    for group_by in ("category", "major", "district", "occupation"):
        body = client.get(SUPPLY_URL, params={"group_by": group_by, "limit": 200}).json()
        got = {r["key"]: r["demand"] for r in body["items"] if r["demand"]}
        assert got == {k: v for k, v in raw_demand(db, group_by).items() if v}
    city = client.get("/api/v1/analytics/overview").json()["city"]  # from the same totals
    assert city["open_headcount"] == sum(raw_demand(db, "district").values())
    with db() as session:
        catalogue = load_reference(session).catalogue
        everything = set(catalogue)
        for codes in ({"460103"}, {"4306", "51", "530202"}, everything - {"460103", "46"}):
            named = raw_naming(session, codes)  # reverse matching's total, both ways
            assert open_naming(session, codes, catalogue) == named
        kept = set(session.execute(select(OpenDemandTotal.__table__)).all())
        recount(session)
        fresh = set(session.execute(select(OpenDemandTotal.__table__)).all())
        session.rollback()
    assert {row for row in kept if row[2]} == {row for row in fresh if row[2]}


def test_open_demand_follows_every_write_and_the_clock(client, db, freeze_clock):
    """The open demands' totals are kept by every change of a demand, and a demand past
    its last valid day stops counting at once, before it is stored as expired."""
    world(client, db)
    company, enterprise = org_headers(client, db, district_code=None)  # its demands have none
    today = clock.today()
    soon = post_demand(
        client, enterprise, major_codes=["460103"], headcount=4,
        valid_until=(today + timedelta(days=3)).isoformat(),
    )  # fmt: skip
    other = post_demand(
        client, enterprise, major_codes=None, occupation_codes=["6-18-01-01"], headcount=9
    )
    assert_demand_follows(client, db)
    with db() as session:  # the enterprise gets a district: its demands count there
        session.get(Organization, company.id).district_code = "371082"
        session.commit()
    assert_demand_follows(client, db)
    url = f"/api/v1/demands/{other['id']}"
    change = {"headcount": 13, "occupation_codes": ["6-18-01-01", "6-18-01-07"]}
    assert client.patch(url, json=change, headers=enterprise).status_code == 200
    assert_demand_follows(client, db)
    assert client.post(f"{url}/pause", headers=enterprise).status_code == 200
    assert_demand_follows(client, db)
    assert client.post(f"{url}/resume", headers=enterprise).status_code == 200
    assert_demand_follows(client, db)
    closing = {"close_reason": "cancelled"}
    closed = client.post(f"/api/v1/demands/{soon['id']}/close", json=closing, headers=enterprise)
    assert closed.status_code == 200, closed.text
    assert_demand_follows(client, db)
    later = post_demand(
        client, enterprise, major_codes=["530202"], headcount=6,
        valid_until=(today + timedelta(days=3)).isoformat(),
    )  # fmt: skip
    freeze_clock(f"{today + timedelta(days=5)}T04:00:00Z")  # past their last day
    assert_demand_follows(client, db)
    with db() as session:
        expire_demands(session)
        session.commit()
    assert_demand_follows(client, db)
    assert "530202" not in raw_demand(db, "major") and later["status"] == "open"
