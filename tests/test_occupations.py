"""Occupations (职业分类大典 2022) and the majors ↔ occupations crosswalk as reference data."""

import pytest

from tests.factories import assert_problem

OCCUPATIONS = "/api/v1/taxonomies/occupations"


def page(client, path, **params):
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"items", "total", "limit", "offset", "total_relation"}
    assert body["total_relation"] == "eq"
    return body


def test_counts_by_level_from_the_source(client):
    # 2,051 rows, of which four repeat a code (the first row of each is kept).
    totals = [page(client, OCCUPATIONS, level=n, limit=1)["total"] for n in (1, 2, 3, 4)]
    assert totals == [8, 72, 336, 1631]
    assert page(client, OCCUPATIONS, limit=1)["total"] == 2047


def test_one_occupation_with_its_markers_and_parent(client):
    response = client.get(f"{OCCUPATIONS}/4-13-01-05")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "全媒体运营师" and body["digital"] and not body["green"]
    assert body["level"] == 4 and body["parent_code"] == "4-13-01-00"
    assert body["definition"]
    manager = client.get(f"{OCCUPATIONS}/1-06-01-02").json()
    assert "厂长" in manager["aliases"] and manager["name"] not in manager["aliases"]


def test_prefix_and_search_in_names_and_aliases(client):
    items = page(client, OCCUPATIONS, prefix="6-18", limit=200)["items"]
    assert items and all(o["code"].startswith("6-18") for o in items)
    found = page(client, OCCUPATIONS, q="车工", limit=200)["items"]
    assert any(o["code"] == "6-18-01-01" for o in found)
    assert all("车工" in o["name"] or any("车工" in a for a in o["aliases"]) for o in found)
    by_alias = page(client, OCCUPATIONS, q="厂长")["items"]  # a 2-character word, alias only
    assert [o["code"] for o in by_alias] == ["1-06-01-02"]


@pytest.mark.parametrize(
    ("params", "status"),
    [({"level": 5}, 422), ({"level": "x"}, 422), ({"prefix": "abc"}, 422), ({"q": ""}, 422)],
)
def test_bad_filters(client, params, status):
    assert_problem(client.get(OCCUPATIONS, params=params), status, "validation_error")


def test_unknown_and_malformed_codes(client):
    assert_problem(client.get(f"{OCCUPATIONS}/9-99-99-99"), 404, "not_found")
    assert_problem(client.get(f"{OCCUPATIONS}/9-99-99-99/majors"), 404, "not_found")
    assert_problem(client.get(f"{OCCUPATIONS}/61801"), 422, "validation_error")
    assert_problem(client.get("/api/v1/taxonomies/majors/999999/occupations"), 404, "not_found")


def test_crosswalk_both_ways_with_its_source(client):
    body = page(client, "/api/v1/taxonomies/majors/460103/occupations", limit=200)
    assert body["total"] == 10
    pair = next(p for p in body["items"] if p["occupation_code"] == "6-18-01-07")
    assert pair["major_name"] == "数控技术" and pair["major_level"] == "higher"
    assert pair["occupation_name"] == "多工序数控机床操作调整工"
    assert "2023" in pair["source"]
    back = page(client, f"{OCCUPATIONS}/6-18-01-07/majors", limit=200)["items"]
    assert any(p["major_code"] == "460103" for p in back)
    # An upper level gathers the majors of the occupations in it; a class, its majors' pairs.
    upper = page(client, f"{OCCUPATIONS}/6-18-01-00/majors", limit=1)["total"]
    assert upper >= len(back)
    assert page(client, "/api/v1/taxonomies/majors/4601/occupations", limit=1)["total"] >= 10
