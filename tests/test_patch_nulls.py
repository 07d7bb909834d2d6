"""One rule for `null` in a PATCH (`schemas.common.UpdateSchema`): it clears a field that
may be empty and is refused, with one message, for a field an item cannot be without."""

import importlib
import inspect
import pkgutil
from types import NoneType
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from app import schemas
from app.models.enums import Department, OrgType
from app.schemas.common import UpdateSchema
from app.schemas.cooperation_projects import CooperationProjectCreate, CooperationProjectUpdate
from app.schemas.enterprise_directory import EnterpriseCreate, EnterpriseUpdate
from app.schemas.social_service_projects import (
    SocialServiceProjectCreate,
    SocialServiceProjectUpdate,
)
from app.schemas.tech_projects import TechProjectCreate, TechProjectUpdate
from tests.factories import (
    FEED_PATHS,
    assert_problem,
    feed_owner,
    feed_payload,
    key_headers,
    make_department,
    make_org,
    org_headers,
    post_demand,
    post_training,
)

ZH = "不能为 null：该字段不能清空（不修改请省略该字段）"
EN = "may not be null: this field cannot be cleared (leave it out to keep its value)"


def assert_null_refused(client, url: str, field: str, headers: dict[str, str]) -> None:
    """A null for `field` answers 422 at ["body", field] with the one message, both languages."""
    for language, message in (("zh-CN", ZH), ("en", EN)):
        response = client.patch(
            url, json={field: None}, headers={**headers, "Accept-Language": language}
        )
        problem = assert_problem(response, 422, "validation_error")
        assert problem["errors"] == [
            {"loc": ["body", field], "msg": message, "type": "null_not_allowed"}
        ], problem


DEMAND_REQUIRED = ["kind", "title", "major_codes", "headcount", "valid_until"]


@pytest.mark.parametrize("field", DEMAND_REQUIRED)
def test_demand(client, db, field):
    _, headers = org_headers(client, db)
    demand = post_demand(client, headers)
    url = f"/api/v1/demands/{demand['id']}"
    assert_null_refused(client, url, field, headers)
    assert client.get(url, headers=headers).json() == demand
    cleared = client.patch(url, json={"salary_max": None, "levels": None}, headers=headers)
    assert cleared.status_code == 200, cleared.text


FEED_REQUIRED = {
    "tech_project": ["kind", "title", "summary"],
    "enterprise_directory": ["name", "credit_code", "industry_code", "district_code", "size"],
    "cooperation_project": ["kind", "title", "enterprise_ids", "college_ids", "start_date"],
    "social_service_project": ["title", "target_groups", "capacity", "start_date"],
}


@pytest.mark.parametrize("resource", FEED_REQUIRED)
def test_feed_item(client, db, resource):
    path = FEED_PATHS[resource]
    _, headers = feed_owner(client, db, resource)
    item = client.post(path, json=feed_payload(db, resource), headers=headers).json()
    url = f"{path}/{item['id']}"
    for field in FEED_REQUIRED[resource]:
        assert_null_refused(client, url, field, headers)
    assert client.get(url, headers=headers).json() == item
    cleared = client.patch(url, json={"description": None}, headers=headers)
    assert cleared.status_code == 200, cleared.text


@pytest.mark.parametrize(
    ("create", "update"),
    [
        (TechProjectCreate, TechProjectUpdate),
        (EnterpriseCreate, EnterpriseUpdate),
        (CooperationProjectCreate, CooperationProjectUpdate),
        (SocialServiceProjectCreate, SocialServiceProjectUpdate),
    ],
)
def test_a_feed_clears_what_its_create_leaves_empty(create, update):
    """A feed item's update clears exactly the fields its create takes null for."""
    nullable = {
        f for f, info in create.model_fields.items() if NoneType in get_args(info.annotation)
    }
    assert update.clearable == nullable
    assert update.model_fields.keys() == create.model_fields.keys()


def test_training_and_enrolment(client, db):
    hr = make_department(db, Department.hr)
    headers = key_headers(db, hr)
    training = post_training(client, headers)
    url = f"/api/v1/trainings/{training['id']}"
    for field in ("title", "start_at", "end_at", "district_code", "capacity"):
        assert_null_refused(client, url, field, headers)
    assert client.patch(url, json={"description": None}, headers=headers).status_code == 200
    college = make_org(db, OrgType.college)
    college_h = key_headers(db, college)
    enrolled = client.post(
        f"{url}/enrollments", json={"college_id": college.id, "seats": 2}, headers=college_h
    )
    assert enrolled.status_code == 201, enrolled.text
    assert_null_refused(client, f"{url}/enrollments/{enrolled.json()['id']}", "seats", college_h)


def test_subscription(client, db, app, monkeypatch):
    monkeypatch.setattr(app.state.settings, "webhook_allow_private", True)
    _, headers = org_headers(client, db)
    body = {"url": "http://127.0.0.1:9/hook", "event_types": ["demand.*"], "description": "x"}
    sub = client.post("/api/v1/subscriptions", json=body, headers=headers).json()
    url = f"/api/v1/subscriptions/{sub['id']}"
    for field in ("url", "event_types", "filters", "active"):
        assert_null_refused(client, url, field, headers)
    cleared = client.patch(url, json={"description": None}, headers=headers)
    assert cleared.status_code == 200 and cleared.json()["description"] is None


def test_every_update_schema_has_the_rule():
    models: list[Any] = []
    for info in pkgutil.iter_modules(schemas.__path__):
        module = importlib.import_module(f"app.schemas.{info.name}")
        models += [v for v in vars(module).values() if inspect.isclass(v)]
    updates = {m for m in models if issubclass(m, BaseModel) and m.__name__.endswith("Update")}
    assert len(updates) >= 8
    assert all(issubclass(m, UpdateSchema) for m in updates), updates
