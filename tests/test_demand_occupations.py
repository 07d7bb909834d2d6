"""Demands by occupation: validated codes, matching through the crosswalk, suggestions for
a title alone, and the supply–demand analytics by occupation."""

from datetime import date

import pytest

from app.core import clock
from tests.factories import assert_problem, org_headers, post_demand
from tests.test_matching import graduating, ranking, supply

DEMANDS = "/api/v1/demands"
MILLING = "6-18-01-07"  # 多工序数控机床操作调整工, which 460103 数控技术 leads to


def body(**overrides):
    return {
        "kind": "employment",
        "title": "数控车工",
        "headcount": 10,
        "valid_until": date(clock.today().year + 1, 6, 30).isoformat(),
        **overrides,
    }


def test_occupations_without_majors_are_matched_through_the_crosswalk(client, db):
    (college, college_auth), *_ = supply(client, db, [("371002", [graduating("460103")])])
    _, enterprise = org_headers(client, db, district_code="371002")
    demand = post_demand(client, enterprise, major_codes=None, occupation_codes=[MILLING])
    assert demand["occupation_codes"] == [MILLING] and demand["majors_from_occupations"]
    assert "460103" in demand["major_codes"]
    item = ranking(client, demand["id"], enterprise)["items"][0]
    assert item["major_code"] == "460103" and item["reasons"][0]["value"] == 1.0
    text = item["reasons"][0]["text"]
    assert text.startswith("职业对应专业：多工序数控机床操作调整工 → 数控技术；专业对口")
    back = client.get(f"/api/v1/colleges/{college.id}/matches", headers=college_auth).json()
    assert back["items"][0]["demand"]["id"] == demand["id"]
    assert back["items"][0]["reasons"][0]["text"].startswith("职业对应专业：")


def test_named_majors_win_over_the_occupations(client, db):
    _, enterprise = org_headers(client, db)
    demand = post_demand(client, enterprise, major_codes=["4601"], occupation_codes=[MILLING])
    assert demand["major_codes"] == ["4601"] and not demand["majors_from_occupations"]
    changed = client.patch(
        f"{DEMANDS}/{demand['id']}", json={"occupation_codes": ["6-18-01-01"]}, headers=enterprise
    ).json()
    assert changed["major_codes"] == ["4601"] and changed["occupation_codes"] == ["6-18-01-01"]


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"occupation_codes": ["9-99-99-99"]}, ["body", "occupation_codes", 0]),
        ({"occupation_codes": ["61801"]}, ["body", "occupation_codes", 0]),
        ({"occupation_codes": ["1-01-00-01"]}, ["body", "occupation_codes"]),  # no major leads
        ({"occupation_codes": [MILLING] * 11}, ["body", "occupation_codes"]),
    ],
)
def test_bad_occupation_codes(client, db, overrides, loc):
    _, enterprise = org_headers(client, db)
    problem = assert_problem(client.post(DEMANDS, json=body(**overrides), headers=enterprise), 422)
    assert loc in [e["loc"] for e in problem["errors"]]


def test_a_title_alone_gets_suggestions_to_confirm(client, db):
    _, enterprise = org_headers(client, db)
    response = client.post(DEMANDS, json=body(title="数控车工"), headers=enterprise)
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["major_codes"] == [] and draft["occupation_codes"] == []
    suggested = draft["suggestions"]
    assert suggested["occupations"][0]["code"] == "6-18-01-01"  # 车工
    assert suggested["occupations"][0]["reasons"]
    assert suggested["majors"] and all(m["occupation_code"] for m in suggested["majors"])
    url = f"{DEMANDS}/{draft['id']}"
    problem = assert_problem(client.post(f"{url}/open", headers=enterprise), 422)
    assert ["body", "major_codes"] in [e["loc"] for e in problem["errors"]]
    confirmed = client.patch(url, json={"occupation_codes": ["6-18-01-01"]}, headers=enterprise)
    assert confirmed.status_code == 200 and confirmed.json()["majors_from_occupations"]
    assert client.post(f"{url}/open", headers=enterprise).status_code == 200
    again = client.patch(url, json={"occupation_codes": []}, headers=enterprise)
    assert_problem(again, 422)  # an opened demand keeps majors or occupations
    named = client.post(DEMANDS, json=body(major_codes=["4601"]), headers=enterprise).json()
    assert named["suggestions"] is None


def test_a_draft_without_majors_matches_nobody(client, db):
    """A title-only draft relates no major: its matches are an empty page, not an error."""
    supply(client, db, [("371002", [graduating("460103", 30)])])
    _, enterprise = org_headers(client, db)
    draft = client.post(DEMANDS, json=body(title="数控车工"), headers=enterprise).json()
    matches = client.get(f"{DEMANDS}/{draft['id']}/matches", headers=enterprise)
    assert matches.status_code == 200, matches.text
    assert matches.json()["items"] == [] and matches.json()["total"] == 0


def test_supply_and_demand_by_occupation(client, db):
    supply(client, db, [("371002", [graduating("460103", 30), graduating("540101", 7)])])
    _, enterprise = org_headers(client, db)
    post_demand(client, enterprise, major_codes=None, occupation_codes=[MILLING], headcount=9)
    post_demand(client, enterprise, major_codes=["54"], headcount=4)
    post_demand(client, enterprise, occupation_codes=[MILLING, "6-18-01-01"], headcount=3)
    response = client.get("/api/v1/analytics/supply-demand", params={"group_by": "occupation"})
    assert response.status_code == 200, response.text
    result = response.json()
    rows = {r["key"]: r for r in result["items"]}
    # 3 over two codes: the remainder goes to the first in code order (as for majors).
    assert rows[MILLING]["demand"] == 9 + 1 and rows["6-18-01-01"]["demand"] == 2
    assert rows[MILLING]["supply"] == 30 and rows[MILLING]["name"] == "多工序数控机床操作调整工"
    assert rows["-"]["demand"] == 4 and rows["-"]["name"] == "未指定职业"
    assert result["total_demand"] == 16 and result["total_supply"] == 37
