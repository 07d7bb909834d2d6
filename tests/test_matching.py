"""Matching: ranking properties on a hand-built world, both directions, periods, permissions."""

import random

from sqlalchemy import func, select

from app.models import (
    DistributionRow,
    DistributionSubmission,
    Major,
    Organization,
    PublishedSubmission,
)
from app.models.demand import LEVEL_BITS
from app.models.enums import Department, MajorKind, MajorLevel
from app.services.matching.score import Scorer, Want, load_reference, score
from tests.factories import (
    assert_problem,
    cohort,
    college_headers,
    current_period,
    department_headers,
    org_headers,
    post_demand,
    previous_period,
    publish_distribution,
    submit_distribution,
)

P = current_period()
YEAR = cohort(P)["graduation_year"]  # the graduating year of the current period's cohorts


def supply(client, db, rows_by_college, period=P, publish=True):
    """One college per entry (district, rows); published by education. Returns the colleges."""
    colleges = []
    for district, rows in rows_by_college:
        college, headers = college_headers(client, db, district_code=district)
        submit_distribution(client, college, headers, rows, period)
        colleges.append((college, headers))
    if publish:
        _, education = department_headers(client, db, Department.education)
        publish_distribution(client, education, period)
    return colleges


def graduating(major, count=40, period=P, **kw):
    return cohort(period, major, headcount=count, graduating_headcount=count, **kw)


def ranking(client, demand_id, headers, **params):
    response = client.get(f"/api/v1/demands/{demand_id}/matches", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def check_reasons(item):
    reasons = item["reasons"]
    assert [r["factor"] for r in reasons] == [
        "major",
        "level",
        "graduation_year",
        "place",
        "coverage",
    ]
    assert abs(sum(r["weight"] for r in reasons) - 1) < 1e-9
    assert item["score"] == round(sum(r["weight"] * r["value"] for r in reasons), 4)
    assert all(r["text"] for r in reasons)


def test_major_closeness_orders_the_ranking(client, db):
    colleges = supply(
        client,
        db,
        [
            ("371002", [graduating("540101")]),  # unrelated (tourism)
            ("371002", [graduating("430601")]),  # related through cluster C04
            ("371002", [graduating("460301")]),  # same category 46
            ("371002", [graduating("460104")]),  # same class 4601
            ("371002", [graduating("460103")]),  # the major asked for
        ],
    )
    _, enterprise = org_headers(client, db)
    demand = post_demand(
        client,
        enterprise,
        major_codes=["460103"],
        levels=["higher"],
        graduation_years=[YEAR],
        district_code="371002",
        headcount=40,
    )
    result = ranking(client, demand["id"], enterprise)
    ids = [c.id for c, _ in colleges]
    assert [i["college"]["id"] for i in result["items"]] == [ids[4], ids[3], ids[2], ids[1]]
    assert result["total"] == 4 and result["period"] == P
    best = result["items"][0]
    # Covers the whole demand and fits on every factor: first, with a perfect score.
    assert best["score"] == 1.0 and all(r["value"] == 1.0 for r in best["reasons"])
    assert best["available_headcount"] == 40 and best["major_code"] == "460103"
    assert best["reasons"][0]["text"].startswith("专业对口")
    cluster = result["items"][3]["reasons"][0]
    assert cluster["value"] == 0.35 and "碳纤维" in cluster["text"]
    for item in result["items"]:
        check_reasons(item)
    # The same request gives the same answer.
    assert ranking(client, demand["id"], enterprise) == result


def test_the_same_discipline_at_another_level_counts_less(client, db):
    colleges = supply(
        client,
        db,
        [
            ("371002", [graduating("460301")]),  # same category, same level
            ("371002", [graduating("660103")]),  # 数控技术应用: the discipline in 中职
            ("371002", [graduating("460103")]),
        ],
    )
    _, enterprise = org_headers(client, db)
    demand = post_demand(client, enterprise, major_codes=["460103"], headcount=40)
    items = ranking(client, demand["id"], enterprise)["items"]
    ids = [c.id for c, _ in colleges]
    assert [i["college"]["id"] for i in items] == [ids[2], ids[1], ids[0]]
    assert items[1]["reasons"][0]["value"] == 0.6 and items[1]["level"] == "secondary"
    assert "不同层次" in items[1]["reasons"][0]["text"]


def test_place_coverage_level_and_year(client, db):
    colleges = supply(
        client,
        db,
        [
            ("371082", [graduating("460103")]),  # another district of the city
            ("371002", [graduating("460103", 10)]),  # same district, a quarter of the need
            ("371002", [graduating("460103")]),  # same district, everything
            ("370000", [graduating("460103")]),  # outside the city
        ],
    )
    _, enterprise = org_headers(client, db)
    demand = post_demand(
        client, enterprise, major_codes=["460103"], district_code="371002", headcount=40
    )
    items = ranking(client, demand["id"], enterprise)["items"]
    ids = [c.id for c, _ in colleges]
    assert [i["college"]["id"] for i in items] == [ids[2], ids[0], ids[3], ids[1]]
    place = {i["college"]["id"]: i["reasons"][3]["value"] for i in items}
    assert place == {ids[0]: 0.6, ids[1]: 1.0, ids[2]: 1.0, ids[3]: 0.2}
    coverage = {i["college"]["id"]: i["reasons"][4]["value"] for i in items}
    assert coverage[ids[1]] == 0.25
    # A wanted level beats an adjacent one; a wanted year beats one a year off.
    demand = post_demand(
        client,
        enterprise,
        major_codes=["4601"],
        levels=["secondary"],
        graduation_years=[YEAR + 1],
        headcount=40,
    )
    items = ranking(client, demand["id"], enterprise)["items"]
    assert {(i["reasons"][1]["value"], i["reasons"][2]["value"]) for i in items} == {(0.5, 0.5)}


def test_ties_break_by_college_then_cohort(client, db):
    colleges = supply(client, db, [("371002", [graduating("460103")]) for _ in range(3)])
    _, enterprise = org_headers(client, db)
    demand = post_demand(client, enterprise, major_codes=["46"], headcount=40)
    result = ranking(client, demand["id"], enterprise, limit=2)
    ids = sorted(c.id for c, _ in colleges)
    assert [i["college"]["id"] for i in result["items"]] == ids[:2]
    rest = ranking(client, demand["id"], enterprise, limit=2, offset=2)
    assert [i["college"]["id"] for i in rest["items"]] == ids[2:] and rest["total"] == 3


def test_period_choice_and_own_submissions(client, db):
    before = previous_period(P)
    old = supply(client, db, [("371002", [graduating("460103", 30, period=before)])], before)
    (college, college_h) = old[0]
    submit_distribution(client, college, college_h, [graduating("460103", 20)], P)
    _, education = department_headers(client, db, Department.education)
    publish_distribution(client, education, P)
    _, enterprise = org_headers(client, db)
    demand = post_demand(client, enterprise, major_codes=["460103"], headcount=40)

    latest = ranking(client, demand["id"], enterprise)
    assert latest["period"] == P and latest["items"][0]["available_headcount"] == 20
    chosen = ranking(client, demand["id"], enterprise, period=before)
    assert chosen["period"] == before and chosen["items"][0]["available_headcount"] == 30
    assert ranking(client, demand["id"], enterprise, period="2001H1")["total"] == 0
    bad = client.get(
        f"/api/v1/demands/{demand['id']}/matches", params={"period": "2024H3"}, headers=enterprise
    )
    assert_problem(bad, 422)
    # The college's new, unpublished submission: it sees it, others see the publication.
    submit_distribution(client, college, college_h, [graduating("460103", 5)], P)
    assert ranking(client, demand["id"], college_h)["items"][0]["available_headcount"] == 5
    assert ranking(client, demand["id"], enterprise)["items"][0]["available_headcount"] == 20
    mine = client.get(f"/api/v1/colleges/{college.id}/matches", headers=college_h).json()
    assert mine["items"][0]["cohort"]["available_headcount"] == 5


def test_who_may_see_matches(client, db):
    _, owner = org_headers(client, db)
    _, other = org_headers(client, db)
    demand = post_demand(client, owner)
    draft = post_demand(client, owner, open_=False)
    assert_problem(client.get(f"/api/v1/demands/{demand['id']}/matches"), 401)
    assert ranking(client, demand["id"], other)["total"] == 0  # nothing published yet
    assert_problem(client.get(f"/api/v1/demands/{draft['id']}/matches", headers=other), 404)
    assert ranking(client, draft["id"], owner)["period"] is None
    assert_problem(client.get("/api/v1/demands/999999/matches", headers=owner), 404)
    assert_problem(client.get("/api/v1/demands/0/matches", headers=owner), 422)
    params = {"limit": 0}
    bad = client.get(f"/api/v1/demands/{demand['id']}/matches", params=params, headers=owner)
    assert_problem(bad, 422)


def test_reverse_matching_uses_the_same_scores(client, db):
    colleges = supply(client, db, [("371002", [graduating("460103"), graduating("460301")])])
    college, college_h = colleges[0]
    _, enterprise = org_headers(client, db)
    same = post_demand(client, enterprise, major_codes=["460103"], headcount=40)
    category = post_demand(client, enterprise, major_codes=["4604"], headcount=40)
    unrelated = post_demand(client, enterprise, major_codes=["540101"], headcount=40)
    post_demand(client, enterprise, major_codes=["460103"], open_=False)  # a draft: never
    url = f"/api/v1/colleges/{college.id}/matches"
    result = client.get(url, headers=enterprise).json()
    assert [i["demand"]["id"] for i in result["items"]] == [same["id"], category["id"]]
    assert unrelated["id"] not in [i["demand"]["id"] for i in result["items"]]
    first = result["items"][0]
    assert first["cohort"]["major_code"] == "460103" and first["demand"]["title"]
    forward = ranking(client, same["id"], enterprise)["items"][0]
    assert (first["score"], first["reasons"]) == (forward["score"], forward["reasons"])
    for item in result["items"]:
        check_reasons(item)
    assert client.get(url, headers=college_h).json() == result
    assert_problem(client.get(url), 401)
    assert_problem(client.get("/api/v1/colleges/999999/matches", headers=college_h), 404)
    enterprise_org_matches = client.get("/api/v1/colleges/2147483648/matches", headers=college_h)
    assert_problem(enterprise_org_matches, 422)
    period = client.get(url, params={"period": "H1"}, headers=college_h)
    assert_problem(period, 422)


def test_reverse_matching_for_a_non_college_is_404(client, db):
    enterprise, headers = org_headers(client, db)
    assert_problem(client.get(f"/api/v1/colleges/{enterprise.id}/matches", headers=headers), 404)


def test_reverse_ranking_is_exact_on_every_page(client, db):
    """Each demand's reverse score is its best forward score for the college, and pages of
    one agree with the whole list (so the bounded search never skips a better demand)."""
    rows = [graduating(code, count) for code, count in [("460103", 40), ("460301", 12)]]
    rows.append(graduating("660103", 25))
    colleges = supply(client, db, [("371002", rows), ("371082", [graduating("460103")])])
    college, college_h = colleges[0]
    _, enterprise = org_headers(client, db, district_code="371082")
    wanted = [
        (["460103"], 40, None),
        (["460103"], 5, "371002"),
        (["4601"], 60, None),
        (["46"], 8, "371003"),
        (["4605"], 3, None),  # same category only: 50
        (["430601"], 4, None),  # cluster C04
        (["6601"], 10, None),  # the class at another level
        (["260103", "540101"], 7, "371002"),
        (["540101"], 7, None),  # unrelated
    ]
    for codes, headcount, district in wanted:
        extra = {"district_code": district} if district else {}
        post_demand(client, enterprise, major_codes=codes, headcount=headcount, **extra)
    url = f"/api/v1/colleges/{college.id}/matches"
    whole = client.get(url, headers=college_h, params={"limit": 200}).json()
    assert whole["total"] == len(whole["items"]) == len(wanted) - 1
    for offset in range(whole["total"]):
        page = client.get(url, headers=college_h, params={"limit": 1, "offset": offset}).json()
        assert page["items"] == whole["items"][offset : offset + 1]
        assert page["total"] == whole["total"]
    for item in whole["items"]:
        forward = ranking(client, item["demand"]["id"], college_h, limit=200)["items"]
        own = [m for m in forward if m["college"]["id"] == college.id]
        assert item["score"] == own[0]["score"]
    scores = [i["score"] for i in whole["items"]]
    assert scores == sorted(scores, reverse=True)


def test_reverse_ranking_reads_past_the_first_batch(client, db):
    """Equal bounds are read in id order, 10 × the page size at a time: the one demand that
    wants the college's graduation year comes last, and must still be found first."""
    colleges = supply(client, db, [("371002", [graduating("460103", 40)])])
    college, college_h = colleges[0]
    _, enterprise = org_headers(client, db, district_code="371002")
    for _ in range(24):
        post_demand(client, enterprise, major_codes=["460103"], graduation_years=[YEAR + 2])
    best = post_demand(client, enterprise, major_codes=["460103"], graduation_years=[YEAR])
    url = f"/api/v1/colleges/{college.id}/matches"
    whole = client.get(url, headers=college_h, params={"limit": 200}).json()
    assert whole["total"] == len(whole["items"]) == 25
    assert whole["items"][0]["demand"]["id"] == best["id"]
    for offset in (0, 1, 12, 24):
        page = client.get(url, headers=college_h, params={"limit": 1, "offset": offset}).json()
        assert page["items"] == whole["items"][offset : offset + 1]


def test_reverse_matching_for_a_college_of_every_category(client, db):
    """A college with a major in each higher-vocational category relates to most of the
    catalogue: the demands it is offered are exactly those whose forward ranking lists it."""
    categories = ["410101", "420101", "430101", "440101", "450101", "460101", "470101",
                  "480101", "490101", "500101", "510101", "520101K", "530101", "540101",
                  "550101", "560101", "570101K", "580101K", "590101"]  # fmt: skip
    rows = [graduating(code, 10) for code in categories]
    (college, college_h), _ = supply(client, db, [("371002", rows), ("371082", rows[:1])])
    _, enterprise = org_headers(client, db, district_code="371082")
    codes = [["460103"], ["660101"], ["720201"], ["2601"], ["59"], ["780401"], ["210101"]]
    demands = [post_demand(client, enterprise, major_codes=c, headcount=5) for c in codes]
    offered = client.get(
        f"/api/v1/colleges/{college.id}/matches", headers=college_h, params={"limit": 200}
    ).json()
    listing = {
        d["id"]
        for d in demands
        if any(
            m["college"]["id"] == college.id for m in ranking(client, d["id"], college_h)["items"]
        )
    }
    assert offered["total"] == len(offered["items"]) == len(listing)
    assert {item["demand"]["id"] for item in offered["items"]} == listing
    assert 0 < len(listing) < len(demands)


def brute_force_world(client, db, rng):
    """Random cohorts of majors in related categories (all levels, two clusters' worth),
    some rows adding up to one cohort, some with no graduates; random open demands."""
    with db() as session:
        majors = session.execute(
            select(Major.code, Major.level)
            .where(Major.kind == MajorKind.major, func.substr(Major.code, 1, 2).in_(PREFIXES))
            .order_by(Major.code)
        ).all()
    pool = rng.sample(majors, 24)
    colleges = []
    for _ in range(4):
        rows = []
        for code, _ in rng.sample(pool, 7):
            row = graduating(code, rng.choice([0, 5, 12, 30, 60]))
            row["district_code"] = rng.choice(PLACES)
            rows.append(row)
            if rng.random() < 0.4:  # the same graduation year, enrolled a year earlier
                rows.append({**row, "enrollment_year": row["enrollment_year"] - 1})
        colleges.append(supply(client, db, [(rng.choice(PLACES), rows)], publish=False)[0])
    _, education = department_headers(client, db, Department.education)
    publish_distribution(client, education, P)
    _, enterprise = org_headers(client, db, district_code=rng.choice(PLACES))
    demands = []
    for _ in range(14):
        code = rng.choice(pool)[0]
        codes = sorted({rng.choice([code, code[:4], code[:2]]), *rng.sample([code], 1)})
        body = {
            "major_codes": codes,
            "headcount": rng.randint(1, 60),
            "levels": rng.sample(["secondary", "higher", "undergraduate"], rng.randint(0, 2)),
            "graduation_years": rng.sample([YEAR, YEAR + 1, YEAR + 2], rng.randint(0, 1)),
        }
        if rng.random() < 0.6:
            body["district_code"] = rng.choice(PLACES)
        demands.append(post_demand(client, enterprise, **body))
    return colleges, enterprise, demands


PREFIXES = ["46", "66", "26", "43", "53"]
PLACES = ["371002", "371003", "371082", "371083"]


def brute_cohorts(db, period=P, viewer=None):
    """Every published cohort, summed as matching sums them, with graduates; for a
    college `viewer`, its current submission's in place of its published ones."""
    sums: dict[tuple, int] = {}
    with db() as session:
        published = set(session.scalars(select(PublishedSubmission.submission_id)))
        current = session.scalar(
            select(DistributionSubmission.id).where(
                DistributionSubmission.college_id == viewer,
                DistributionSubmission.period == period,
                DistributionSubmission.is_current,
            )
        )
        for row in session.scalars(select(DistributionRow).where(DistributionRow.period == period)):
            seen = row.submission_id in published and row.college_id != viewer
            if not (seen or row.submission_id == current):
                continue
            key = (
                row.college_id,
                row.major_code,
                row.level,
                row.graduation_year,
                row.district_code,
            )
            sums[key] = sums.get(key, 0) + row.graduating_headcount
        ref = load_reference(session)
    return [(*key, n) for key, n in sums.items() if n > 0], ref


def brute_scorer(client, demand, ref):
    want = Want(
        demand["major_codes"],
        sum(LEVEL_BITS[MajorLevel(level)] for level in demand["levels"]),
        demand["graduation_years"],
        demand["district_code"] or demand_enterprise_district(client, demand),
        demand["headcount"],
    )
    return Scorer(want, ref, client.app.state.settings.matching_weights)


def demand_enterprise_district(client, demand):
    with client.app.state.sessionmaker() as session:
        return session.get(Organization, demand["enterprise_id"]).district_code


def test_rankings_equal_a_brute_force_ranking(client, db):
    """Both directions, on a random world, against every cohort scored one by one in
    Python: the same matches, scores, order and totals (so neither the candidate queries,
    the scoring in SQL nor the bounded reverse search loses or misorders one)."""
    rng = random.Random(12)
    colleges, enterprise, demands = brute_force_world(client, db, rng)
    cohorts, ref = brute_cohorts(db)
    best: dict[int, dict[int, float]] = {college.id: {} for college, _ in colleges}
    for demand in demands:
        scorer = brute_scorer(client, demand, ref)
        scored = []
        for college_id, *found in cohorts:
            values = scorer.values(*found)
            if values[0] and values[1] and values[2]:
                scored.append((-scorer.points(*found), college_id, *found))
            if values[0]:
                points = max(best[college_id].get(demand["id"], 0), scorer.points(*found))
                best[college_id][demand["id"]] = points
        scored.sort()
        assert_forward_ranking(client, demand["id"], enterprise, scored)
    assert any(ranking(client, d["id"], enterprise)["total"] for d in demands)
    for college, headers in colleges:
        expected = sorted((-p, d) for d, p in best[college.id].items())
        url = f"/api/v1/colleges/{college.id}/matches"
        result = client.get(url, headers=headers, params={"limit": 200}).json()
        got = [(-i["score"], i["demand"]["id"]) for i in result["items"]]
        assert got == [(-score(-p), d) for p, d in expected]
        assert result["total"] == len(expected)


def assert_forward_ranking(client, demand_id: int, headers: dict, scored: list) -> None:
    """The demand's matches, as `headers` sees them, are `scored` (brute-force
    `(-points, college_id, *cohort)` in rank order), whole and paged."""
    result = ranking(client, demand_id, headers, limit=200)
    got = [
        (m["college"]["id"], m["major_code"], m["level"], m["graduation_year"],
         m["district_code"], m["available_headcount"], m["score"])
        for m in result["items"]
    ]  # fmt: skip
    assert got == [(*s[1:], score(-s[0])) for s in scored]
    assert result["total"] == len(scored)
    if len(scored) > 3:
        page = ranking(client, demand_id, headers, limit=2, offset=2)
        assert page["items"] == result["items"][2:4]


def test_a_college_sees_its_own_new_submission_in_forward_rankings(client, db):
    """A college ranking a demand's cohorts sees its current, unpublished submission in
    place of its published rows (counted and bounded apart from the publication's)."""
    rng = random.Random(5)
    colleges, enterprise, demands = brute_force_world(client, db, rng)
    (college, headers), pool = colleges[0], brute_cohorts(db)[0]
    rows = []
    codes = sorted({code for _, code, *_ in pool})
    for code in rng.sample(codes, min(6, len(codes))):
        row = graduating(code, rng.choice([0, 7, 25, 70]))
        row["district_code"] = rng.choice(PLACES)
        rows.append(row)
    submit_distribution(client, college, headers, rows, P)
    cohorts, ref = brute_cohorts(db, viewer=college.id)
    for demand in demands:
        scorer = brute_scorer(client, demand, ref)
        scored = sorted(
            (-scorer.points(*found), college_id, *found)
            for college_id, *found in cohorts
            if all(scorer.values(*found)[:3])
        )
        assert_forward_ranking(client, demand["id"], headers, scored)
