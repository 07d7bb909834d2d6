"""Bad input to the government feeds: every violation is a 422 problem naming the field."""

import pytest

from app.models.enums import OrgStatus, OrgType
from tests.factories import (
    FEED_PATHS,
    assert_problem,
    credit_code,
    feed_owner,
    feed_payload,
    make_org,
)


def fields(body):
    return {tuple(e["loc"][:2]) for e in body["errors"]}


# (resource, overrides, the field the 422 names)
CASES = [
    ("tech_project", {"kind": "news"}, "kind"),
    ("tech_project", {"title": "x"}, "title"),
    ("tech_project", {"title": None}, "title"),
    ("tech_project", {"summary": ""}, "summary"),
    ("tech_project", {"cluster_code": "C99"}, "cluster_code"),
    ("tech_project", {"cluster_code": "X1"}, "cluster_code"),
    ("tech_project", {"deadline": "2020-01-01"}, "deadline"),
    ("tech_project", {"deadline": "not a date"}, "deadline"),
    ("tech_project", {"status": "published"}, "status"),
    ("tech_project", {"title": "含\x00空字符"}, "title"),
    ("enterprise_directory", {"credit_code": "91371002MA0000001X"}, "credit_code"),
    ("enterprise_directory", {"credit_code": "123"}, "credit_code"),
    ("enterprise_directory", {"industry_code": "9999"}, "industry_code"),
    ("enterprise_directory", {"industry_code": "abc"}, "industry_code"),
    ("enterprise_directory", {"district_code": "370000"}, "district_code"),
    ("enterprise_directory", {"district_code": "110101"}, "district_code"),
    ("enterprise_directory", {"cluster_code": "C08"}, "cluster_code"),
    ("enterprise_directory", {"size": "huge"}, "size"),
    ("enterprise_directory", {"integration_level": "global"}, "integration_level"),
    ("enterprise_directory", {"organization_id": 999999}, "organization_id"),
    ("cooperation_project", {"kind": "internship"}, "kind"),
    ("cooperation_project", {"major_codes": None}, "major_codes"),
    ("cooperation_project", {"college_ids": None}, "college_ids"),
    ("social_service_project", {"target_groups": None}, "target_groups"),
    ("social_service_project", {"certificates": None}, "certificates"),
    ("cooperation_project", {"enterprise_ids": []}, "enterprise_ids"),
    ("cooperation_project", {"enterprise_ids": [999999]}, "enterprise_ids"),
    ("cooperation_project", {"college_ids": [999999]}, "college_ids"),
    ("cooperation_project", {"major_codes": ["999999"]}, "major_codes"),
    ("cooperation_project", {"major_codes": ["46%"]}, "major_codes"),
    # a catalogue depth is 2, 4 or 6 digits: the one MajorCode of schemas/common.py
    ("cooperation_project", {"major_codes": ["460"]}, "major_codes"),
    ("cooperation_project", {"major_codes": ["46010"]}, "major_codes"),
    ("cooperation_project", {"end_date": "2020-01-01"}, "end_date"),
    ("social_service_project", {"target_groups": []}, "target_groups"),
    ("social_service_project", {"target_groups": ["children"]}, "target_groups"),
    ("social_service_project", {"capacity": 0}, "capacity"),
    ("social_service_project", {"capacity": "many"}, "capacity"),
    ("social_service_project", {"certificates": ["不存在的证书"]}, "certificates"),
    ("social_service_project", {"end_date": "2027-01-01"}, "end_date"),
]


@pytest.mark.parametrize(("resource", "overrides", "field"), CASES)
def test_create_refuses_bad_input(client, db, resource, overrides, field):
    _, headers = feed_owner(client, db, resource)
    body = feed_payload(db, resource, **overrides)
    response = client.post(FEED_PATHS[resource], json=body, headers=headers)
    problem = assert_problem(response, 422, "validation_error")
    assert ("body", field) in fields(problem), problem


@pytest.mark.parametrize(("resource", "overrides", "field"), CASES)
def test_update_refuses_bad_input(client, db, resource, overrides, field):
    if field == "deadline" and overrides[field] == "2020-01-01":
        overrides = {"deadline": "2000-02-02"}
    path = FEED_PATHS[resource]
    _, headers = feed_owner(client, db, resource)
    item = client.post(path, json=feed_payload(db, resource), headers=headers).json()
    overrides = {k: v for k, v in overrides.items() if k != "status"} or {"status": "draft"}
    response = client.patch(f"{path}/{item['id']}", json=overrides, headers=headers)
    problem = assert_problem(response, 422, "validation_error")
    assert {f for _, f in fields(problem)} & ({field} | set(overrides)), problem


def test_cooperation_parties_must_have_the_right_type(client, db):
    _, headers = feed_owner(client, db, "cooperation_project")
    college = make_org(db, OrgType.college)
    enterprise = make_org(db, OrgType.enterprise)
    pending = make_org(db, OrgType.enterprise, status=OrgStatus.pending)
    body = feed_payload(
        db,
        "cooperation_project",
        enterprise_ids=[college.id, pending.id],
        college_ids=[enterprise.id],
    )
    problem = assert_problem(
        client.post(FEED_PATHS["cooperation_project"], json=body, headers=headers), 422
    )
    assert [(e["loc"][1], e["type"]) for e in problem["errors"]] == [
        ("enterprise_ids", "value_error"),
        ("enterprise_ids", "unknown_reference"),
        ("college_ids", "value_error"),
    ]


def test_directory_entry_unique_per_credit_code(client, db):
    path = FEED_PATHS["enterprise_directory"]
    _, headers = feed_owner(client, db, "enterprise_directory")
    code = credit_code()
    first = client.post(
        path, json=feed_payload(db, "enterprise_directory", credit_code=code), headers=headers
    )
    assert first.status_code == 201
    lower = code.lower()
    again = client.post(
        path, json=feed_payload(db, "enterprise_directory", credit_code=lower), headers=headers
    )
    assert assert_problem(again, 409, "duplicate_credit_code")["existing_id"] == first.json()["id"]
    other = client.post(path, json=feed_payload(db, "enterprise_directory"), headers=headers).json()
    moved = client.patch(f"{path}/{other['id']}", json={"credit_code": code}, headers=headers)
    assert assert_problem(moved, 409, "duplicate_credit_code")["existing_id"] == first.json()["id"]
    # Its own code again is no conflict.
    same = client.patch(f"{path}/{first.json()['id']}", json={"credit_code": code}, headers=headers)
    assert same.status_code == 200


def test_directory_entry_links_an_enterprise_account(client, db):
    path = FEED_PATHS["enterprise_directory"]
    _, headers = feed_owner(client, db, "enterprise_directory")
    account = make_org(db, OrgType.enterprise)
    college = make_org(db, OrgType.college)
    body = feed_payload(db, "enterprise_directory", organization_id=college.id)
    assert_problem(client.post(path, json=body, headers=headers), 422)
    body = feed_payload(db, "enterprise_directory", organization_id=account.id)
    assert client.post(path, json=body, headers=headers).json()["organization_id"] == account.id


def test_dates_are_checked_against_the_stored_values(client, db):
    path = FEED_PATHS["social_service_project"]
    _, headers = feed_owner(client, db, "social_service_project")
    item = client.post(
        path, json=feed_payload(db, "social_service_project"), headers=headers
    ).json()
    # Moving the start after the stored end is refused, naming the end.
    response = client.patch(
        f"{path}/{item['id']}", json={"start_date": "2028-01-01"}, headers=headers
    )
    assert ("body", "end_date") in fields(assert_problem(response, 422))
    response = client.patch(
        f"{path}/{item['id']}",
        json={"start_date": "2028-01-01", "end_date": "2028-02-01"},
        headers=headers,
    )
    assert response.status_code == 200


@pytest.mark.parametrize("resource", list(FEED_PATHS))
def test_bad_ids_and_queries(client, db, resource):
    path = FEED_PATHS[resource]
    assert_problem(client.get(f"{path}/abc"), 422)
    assert_problem(client.get(f"{path}/999999"), 404)
    assert_problem(client.get(path, params={"status": "archived"}), 422)
    assert_problem(client.get(path, params={"limit": 0}), 422)
    assert_problem(client.get(path, params={"q": "海"}), 422)
    _, headers = feed_owner(client, db, resource)
    assert_problem(
        client.post(
            path, content=b"{not json", headers={**headers, "Content-Type": "application/json"}
        ),
        422,
    )
    assert_problem(client.patch(f"{path}/999999", json={}, headers=headers), 404)
    assert_problem(
        client.post(f"{path}/999999/publish", headers=headers),
        *((404,) if resource in ("tech_project", "enterprise_directory") else (403,)),
    )


def test_list_list_values_are_normalised(client, db):
    path = FEED_PATHS["social_service_project"]
    _, headers = feed_owner(client, db, "social_service_project")
    body = feed_payload(
        db, "social_service_project", target_groups=["veterans", "disabled", "veterans"]
    )
    item = client.post(path, json=body, headers=headers).json()
    assert item["target_groups"] == ["disabled", "veterans"]
    again = client.get(f"{path}/{item['id']}", headers=headers).json()
    assert again["target_groups"] == ["disabled", "veterans"]
