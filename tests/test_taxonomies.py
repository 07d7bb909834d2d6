"""Reference data: counts from the sources, filters and pagination."""

import pytest

from tests.factories import assert_problem

MAJORS = "/api/v1/taxonomies/majors"


def total(client, path, **params):
    response = client.get(path, params={"limit": 1, **params})
    assert response.status_code == 200, response.text
    return response.json()["total"]


@pytest.mark.parametrize("level", ["secondary", "higher", "undergraduate"])
def test_nineteen_categories_per_level(client, level):
    assert total(client, MAJORS, level=level, kind="category", catalog="2021") == 19


@pytest.mark.parametrize(
    ("level", "count"), [("secondary", 358), ("higher", 744), ("undergraduate", 247)]
)
def test_2021_catalogue_major_counts(client, level, count):
    assert total(client, MAJORS, level=level, kind="major", catalog="2021") == count


def test_catalogue_totals(client):
    assert total(client, MAJORS, kind="major", catalog="2021") == 1349
    assert total(client, MAJORS, kind="major", catalog="2022-2025") == 141
    assert total(client, MAJORS, kind="class", catalog="2021") == 275


def test_prefix_and_search(client):
    items = client.get(MAJORS, params={"prefix": "4601", "limit": 200}).json()["items"]
    assert items and all(m["code"].startswith("4601") for m in items)
    assert items[0]["code"] == "4601" and items[0]["kind"] == "class"
    found = client.get(MAJORS, params={"q": "数控"}).json()["items"]
    assert found and all("数控" in m["name"] for m in found)
    k_majors = client.get(MAJORS, params={"prefix": "520101"}).json()["items"]
    assert any(m["code"].endswith("K") and m["state_controlled"] for m in k_majors)


def test_one_major(client):
    major = client.get(f"{MAJORS}/460103").json()
    assert major["level"] == "higher" and major["class_code"] == "4601"
    assert_problem(client.get(f"{MAJORS}/999999"), 404)


@pytest.mark.parametrize(
    "params",
    [
        {"level": "phd"},
        {"prefix": "4a"},
        {"limit": 500},
        {"kind": "x"},
        {"catalog": "1999"},
        {"q": ""},
    ],
)
def test_bad_filters(client, params):
    assert_problem(client.get(MAJORS, params=params), 422)


def test_industries(client):
    path = "/api/v1/taxonomies/industries"
    assert total(client, path, level="section") == 20
    assert total(client, path, level="division") == 97
    assert total(client, path, level="group") == 473
    assert total(client, path, level="class") == 1381
    fishing = client.get(path, params={"prefix": "04"}).json()["items"]
    assert fishing[0]["code"] == "04" and fishing[0]["section"] == "A"
    assert total(client, path, section="C", level="division") == 31
    assert_problem(client.get(path, params={"prefix": "Z9"}), 422)


def test_districts_include_custom_zone(client):
    path = "/api/v1/taxonomies/districts"
    counties = client.get(path, params={"level": "county", "limit": 50}).json()["items"]
    names = {d["code"]: d["name"] for d in counties}
    assert names["371090"] == "威海南海新区" and names["371071"].startswith("威海火炬")
    assert len(counties) == 8
    assert total(client, path, parent_code="371082") > 5


def test_clusters_with_crosswalk(client):
    clusters = client.get("/api/v1/taxonomies/clusters").json()
    assert clusters["total"] == 7
    first = clusters["items"][0]
    assert first["code"] == "C01" and first["name"] == "新一代信息技术"
    assert {"code": "7101", "name": "电子信息类"}.items() <= first["major_classes"][
        -1
    ].items() or any(c["code"] == "7101" for c in first["major_classes"])
    assert all(c["industries"] and c["major_classes"] for c in clusters["items"])


def test_certificates(client):
    certs = client.get("/api/v1/taxonomies/certificates", params={"limit": 200}).json()
    assert certs["total"] == 16
    assert client.get("/api/v1/taxonomies/certificates", params={"q": "BIM"}).json()["total"] == 1


def test_reference_load_is_idempotent(db):
    from app.core.db import transaction
    from app.seed.reference_data import load_reference_data

    with transaction(db) as session:
        written = load_reference_data(session)
    assert set(written.values()) == {0}
