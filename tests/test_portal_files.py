"""The portal's files as the app serves them at `/` (no browser): what the page loads
exists, nothing is fetched from elsewhere, and the API keeps its own 404 and 405."""

import re
from pathlib import Path

import pytest

from tests.factories import assert_problem

PORTAL = Path(__file__).parents[1] / "app" / "portal"
OWN = sorted(p for p in PORTAL.rglob("*") if p.is_file() and "vendor" not in p.parts)


def test_the_portal_is_at_the_root(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "威海市校企合作信息服务平台" in page.text and '<html lang="zh-CN">' in page.text
    assert page.headers["cache-control"] == "no-cache" and page.headers["etag"]
    for asset in re.findall(r'(?:src|href)="([^"#:]+)"', page.text):
        assert client.get(f"/{asset}").status_code == 200, asset
    echarts = client.get("/vendor/echarts/echarts.min.js")
    assert echarts.status_code == 200 and "javascript" in echarts.headers["content-type"]


@pytest.mark.parametrize("path", OWN, ids=lambda p: str(p.relative_to(PORTAL)))
def test_no_portal_file_loads_anything_from_elsewhere(path):
    text = path.read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    assert not re.search(r"https?://", code), f"{path.name} names an outside address"


def test_every_view_module_the_router_names_exists():
    router = (PORTAL / "js" / "app.js").read_text(encoding="utf-8")
    for name in re.findall(r'\[/\^.*?/, "(\w+)"', router):
        assert (PORTAL / "js" / "views" / f"{name}.js").is_file(), name


def test_the_api_keeps_its_problems_beside_the_portal(client):
    assert_problem(client.get("/api/v1/nowhere"), 404, "not_found")
    assert_problem(client.get("/nowhere.html"), 404, "not_found")
    assert_problem(client.post("/"), 404, "not_found")
    assert_problem(client.delete("/api/v1/taxonomies/majors"), 405, "method_not_allowed")
