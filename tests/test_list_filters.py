"""One place for list filters: each list's query parameters are one filter model
(`schemas/<domain>.py`) read with `Annotated[Model, Query()]` beside its routes. Unknown
query parameters are ignored, as before; a bad value of a known one is a 422 at
["query", name]."""

import pytest

from app.models.enums import Department
from tests.factories import assert_problem, key_headers, login, make_admin, make_department

API = "/api/v1"
PUBLIC_LISTS = [
    "/demands",
    "/trainings",
    "/student-distributions",
    "/tech-projects",
    "/enterprises",
    "/cooperation-projects",
    "/social-service-projects",
    "/organizations",
    "/publications",
    "/taxonomies/majors",
    "/taxonomies/industries",
    "/taxonomies/districts",
    "/taxonomies/certificates",
    "/taxonomies/occupations",
]


@pytest.mark.parametrize("path", PUBLIC_LISTS)
def test_unknown_query_parameters_are_ignored(client, path):
    plain = client.get(API + path, params={"limit": 3})
    assert plain.status_code == 200, plain.text
    extra = client.get(API + path, params={"limit": 3, "no_such_filter": "x", "sort": "-id"})
    assert extra.status_code == 200 and extra.json() == plain.json()


# (list, a known filter, a value it refuses)
BAD = [
    ("/demands", "major_prefix", "4"),
    ("/trainings", "district_code", "abc"),
    ("/student-distributions", "period", "2026H3"),
    ("/tech-projects", "q", "x"),
    ("/enterprises", "credit_code", "123"),
    ("/cooperation-projects", "college_id", "0"),
    ("/social-service-projects", "capacity_min", "0"),
    ("/organizations", "org_type", "school"),
    ("/publications", "dataset", "nothing"),
    ("/taxonomies/majors", "prefix", "abc"),
    ("/taxonomies/industries", "section", "Z"),
    ("/taxonomies/districts", "parent_code", "1" * 13),
    ("/taxonomies/certificates", "q", ""),
    ("/taxonomies/occupations", "level", "5"),
]


@pytest.mark.parametrize(("path", "name", "value"), BAD)
def test_a_bad_filter_is_a_422_at_its_name(client, path, name, value):
    problem = assert_problem(client.get(API + path, params={name: value}), 422, "validation_error")
    assert ["query", name] in [e["loc"] for e in problem["errors"]], problem


def test_signed_in_lists_ignore_unknown_parameters_too(client, db):
    admin = login(client, make_admin(db))
    for path in ("/audit-events", "/events"):
        plain = client.get(API + path, headers=admin)
        extra = client.get(API + path, params={"no_such_filter": "x"}, headers=admin)
        assert plain.status_code == extra.status_code == 200, (path, extra.text)
    bad = client.get(API + "/audit-events", params={"actor_user_id": "0"}, headers=admin)
    assert ["query", "actor_user_id"] in [e["loc"] for e in assert_problem(bad, 422)["errors"]]
    hr = key_headers(db, make_department(db, Department.hr))
    bad = client.get(API + "/events", params={"resource_type": "Bad Type"}, headers=hr)
    assert ["query", "resource_type"] in [e["loc"] for e in assert_problem(bad, 422)["errors"]]
