"""The portal in a real browser, on a live server with the demo world, on each database:
every flow end to end, no console errors, no request leaving the server's origin, and a
screenshot of each main page (desktop and phone) for review."""

import hashlib
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser import TIMEOUT_MS, PageLog, save_screenshot, static_files
from tests.conftest import fresh_database
from tests.factories import credit_code
from tests.live_server import serving

if TYPE_CHECKING:  # without playwright installed the tests are skipped, not broken
    from playwright.sync_api import Browser, Page

PORTAL = Path(__file__).parents[1] / "app" / "portal"
DEMO_PASSWORD = "demo-pass-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Another origin serving a copy of the portal (its config.js is written below)."""
    folder = tmp_path_factory.mktemp("portal-elsewhere") / "portal"
    shutil.copytree(PORTAL, folder)
    with static_files(folder) as origin:
        yield origin, folder


@pytest.fixture(scope="module")
def base(
    database_url: str, elsewhere: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The platform with the demo world on a database of its own, on the fixture's backend."""
    log = tmp_path_factory.mktemp("portal") / "server.log"
    with (
        fresh_database(database_url) as url,
        serving(url, log, demo=True, CORS_ALLOW_ORIGINS=elsewhere[0], APP_RUN_WORKER="false") as b,
    ):
        yield b


@pytest.fixture
def requests_seen(page: "Page") -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    return seen


@pytest.fixture
def portal(page: "Page", base: str, requests_seen: list[str]) -> Iterator["Page"]:
    """The page, on the portal; at the end, every request it made went to the server."""
    page.goto(f"{base}/")
    page.wait_for_selector("body[data-ready]")
    yield page
    assert requests_seen
    outside = [u for u in requests_seen if not u.startswith(f"{base}/")]
    assert not outside, outside


def go(page: "Page", hash_: str) -> None:
    """Open a view by its hash and wait until it is drawn."""
    page.evaluate("delete document.body.dataset.ready")
    page.evaluate("h => { location.hash = h }", hash_)
    page.wait_for_selector(f'body[data-ready="{hash_}"]')


def sign_in(page: "Page", username: str) -> None:
    go(page, "#/signin")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector('body[data-ready="#/workbench"]')


def token(base: str, username: str) -> dict[str, str]:
    answer = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def half_year() -> tuple[str, int]:
    """Weihai's current half-year and the graduation year of its higher-level leavers."""
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    half = 1 if today.month <= 6 else 2
    return f"{today.year}H{half}", today.year if half == 1 else today.year + 1


def charts_drawn(page: "Page", count: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('.chart svg').length >= n", arg=count, timeout=TIMEOUT_MS
    )


def test_anonymous_reads_the_portal_and_downloads_the_latest_distribution(
    portal: "Page", page_log: PageLog, base: str, screenshot: Callable[[str], Path], tmp_path: Path
):
    page = portal
    page_log.allow_status(404)  # the missing item below
    assert page.title().endswith("威海市校企合作信息服务平台")
    figures = page.locator(".figure-card")
    assert figures.count() == 5 and "应届毕业生" in figures.first.inner_text()
    charts_drawn(page, 2)
    assert page.get_by_role("link", name="海参精深加工技术攻关").is_visible()
    screenshot("home")

    # The government feeds: a Chinese search and an item page.
    go(page, "#/feeds/tech-projects")
    page.get_by_label("搜索").fill("海参")
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector('body[data-ready="#/feeds/tech-projects?q=海参"]')
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    rows.get_by_role("link").click()
    page.wait_for_selector('body[data-ready^="#/feeds/tech-projects/"]')
    assert page.locator("h1").inner_text() == "海参精深加工技术攻关"
    screenshot("tech-project")
    go(page, "#/feeds/cooperation-projects")
    page.get_by_role("link", name="数控技术订单班").click()
    page.wait_for_selector('body[data-ready^="#/feeds/cooperation-projects/"]')
    partners = page.locator(".details").inner_text()
    assert "威海卫港智能装备有限公司" in partners and "威海职业学院" in partners
    go(page, "#/feeds/tech-projects/99999")  # the problem's own Chinese detail, shown
    problem = httpx.get(f"{base}/api/v1/tech-projects/99999").json()
    assert problem["detail"] in page.locator(".state-error").inner_text()

    # The enterprise directory, filtered by its 产教融合型企业 level.
    go(page, "#/feeds/enterprises")
    page.get_by_label("产教融合型企业").select_option("municipal")
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector('body[data-ready="#/feeds/enterprises?integration_level=municipal"]')
    assert page.locator("tbody tr").count() == 1
    assert "荣成石岛海珍品加工有限公司" in page.locator("tbody").inner_text()
    go(page, "#/feeds/enterprises")
    screenshot("enterprises")

    # The calendar marks overdue datasets; the latest student distribution downloads.
    page.get_by_role("link", name="数据发布").click()
    page.wait_for_selector('body[data-ready="#/publications"]')
    calendar = page.locator("table").first
    assert "职业院校学生专业分布" in calendar.inner_text()
    assert calendar.locator(".badge-overdue").count() >= 1  # the demo never published some
    screenshot("publications")
    page.get_by_role("link", name="职业院校学生专业分布").first.click()
    page.wait_for_selector('body[data-ready^="#/publications/"]')
    shown = page.locator("[data-sha256]").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^下载 CSV")).first.click()
    saved = tmp_path / "distribution.csv"
    download.value.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == shown
    assert saved.read_bytes().decode("utf-8-sig").startswith("college_id,college_name")
    screenshot("publication")

    # The distribution of the published period, as charts by category, class and district.
    go(page, "#/distribution")
    charts_drawn(page, 3)
    assert page.get_by_label("期次").input_value() == half_year()[0]
    assert page.get_by_label("期次").locator("option").count() == 2  # the demo's two half-years
    main = page.locator("#main").inner_text()
    assert "与上一期" in main and "较上期" in main
    assert page.locator(".delta-up, .delta-down").count() > 0
    assert "4601 机械设计制造类" in page.locator("#main").inner_text()
    screenshot("distribution")
    earlier = page.get_by_label("期次").locator("option").nth(1).get_attribute("value")
    page.get_by_label("期次").select_option(earlier)
    page.wait_for_selector(f'body[data-ready="#/distribution?period={earlier}"]')
    charts_drawn(page, 3)
    assert "没有更早的已发布期次可比较" in page.locator("#main").inner_text()

    go(page, "#/supply-demand")
    charts_drawn(page, 1)
    page.get_by_label("分组").select_option("cluster")
    page.wait_for_selector('body[data-ready="#/supply-demand?group_by=cluster"]')
    assert "先进装备与智能制造" in page.locator("tbody").inner_text()
    screenshot("supply-demand")


def test_a_college_uploads_a_csv_fixes_its_rows_and_offers_students(
    portal: "Page", base: str, screenshot: Callable[[str], Path]
):
    page = portal
    period, graduation = half_year()
    hr = token(base, "hr")
    training = httpx.post(
        f"{base}/api/v1/trainings",
        headers=hr,
        json={
            "title": "数控设备岗前培训",
            "start_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
            "end_at": (datetime.now(UTC) + timedelta(days=32)).isoformat(),
            "district_code": "371002",
            "capacity": 30,
        },
    )
    assert training.status_code == 201, training.text
    sign_in(page, "college01")
    assert "威海职业学院" in page.locator("#account").inner_text()

    header = "专业代码,专业名称,层次,入学年份,毕业年份,在校生人数,应届毕业生人数\n"
    good = f"460103,数控技术,高职,{graduation - 3},{graduation},120,100\n"
    bad = (
        header
        + good
        + f"999999,不存在,高职,{graduation - 3},{graduation},10,10\n"
        + f"510201,计算机应用技术,博士,{graduation - 3},{graduation},-5,\n"
    )

    def choose(content: str) -> None:
        page.get_by_label("数据文件（CSV 或 Excel）").set_input_files(
            files=[{"name": "学生分布.csv", "mimeType": "text/csv", "buffer": content.encode()}]
        )

    page.get_by_label("报送期次").select_option(period)
    choose(bad)
    page.get_by_role("button", name="检查文件（不提交）").click()
    report = page.locator(".report table")
    report.wait_for()
    errors = [
        [cell.strip() for cell in row.split("\t")]
        for row in report.locator("tbody tr").all_inner_texts()
    ]
    assert [row[0] for row in errors] == ["2", "3", "3", "3"], errors
    assert "999999" in errors[0][2] and errors[1][1] == "层次" and errors[2][1] == "在校生人数"
    assert "发现 4 处错误" in page.locator(".report").inner_text()
    assert page.get_by_role("button", name="提交本期数据").is_disabled()
    screenshot("college-upload-errors")

    choose(header + good + f"510201,计算机应用技术,高职,{graduation - 3},{graduation},90,80\n")
    page.get_by_role("button", name="检查文件（不提交）").click()
    page.get_by_text("检查通过：共 2 行数据").wait_for()
    page.get_by_role("button", name="提交本期数据").click()
    page.get_by_text(re.compile(r"已提交 .* 第 2 版：2 行，在校生 210 人")).wait_for()
    college = httpx.get(f"{base}/api/v1/auth/me", headers=token(base, "college01")).json()
    history = httpx.get(
        f"{base}/api/v1/colleges/{college['organization']['id']}/student-distributions/{period}/history",
        headers=token(base, "college01"),
    ).json()
    assert history["items"][0]["version"] == 2 and history["items"][0]["headcount"] == 210

    # The demands that fit, with reasons; the college offers students to the first.
    first = page.locator(".match").first
    assert first.locator(".reasons li").count() == 5
    assert "专业对口" in first.inner_text()
    first.get_by_label("推荐人数").fill("8")
    first.get_by_role("button", name="推荐学生").click()
    first.get_by_text("已推荐 8 人，等待企业答复").wait_for()

    # Trainings: enrol seats, then give them back.
    trainings = page.locator("#trainings")
    trainings.get_by_label("数控设备岗前培训 报名名额").fill("3")
    trainings.get_by_role("button", name="报名").click()
    trainings.get_by_text("已报名 3 个名额").wait_for()
    assert "27 / 30" in trainings.inner_text()
    screenshot("college-workbench")
    trainings.get_by_role("button", name="释放名额").click()
    trainings.get_by_role("button", name="报名").wait_for()
    assert "30 / 30" in trainings.inner_text()


def test_an_enterprise_posts_a_demand_with_the_major_picker_and_sees_who_fits(
    portal: "Page", base: str, screenshot: Callable[[str], Path]
):
    page = portal
    sign_in(page, "ent02")
    editor = page.locator("#demand-editor")
    editor.get_by_role("button", name="保存为草稿").click()  # checked here, as the API would
    assert (
        editor.locator(".field", has=page.get_by_label("需求名称"))
        .locator(".field-error")
        .inner_text()
        == "此项必填。"
    )
    editor.get_by_text("请至少选择一个专业。").wait_for()
    editor.get_by_label("需求名称").fill("数控机床装调维修工")
    picker = editor.get_by_role("combobox", name="所需专业")
    picker.fill("数控")
    editor.locator('[role=option][data-code="460103"]').click()
    picker.fill("4601")  # a code prefix finds the class and its majors
    editor.locator('[role=option][data-code="4601"]').wait_for()
    picker.press("Enter")  # the first option: the class itself
    assert editor.locator(".chip").all_inner_texts()[0].startswith("460103 数控技术")
    assert editor.locator(".chip").count() == 2
    editor.get_by_label("高职专科").check()
    editor.get_by_label("需求人数").fill("12")
    editor.get_by_role("button", name="保存为草稿").click()
    editor.get_by_text("已保存草稿“数控机床装调维修工”").wait_for()

    demands = page.locator("#demands")
    row = demands.locator("tr", has_text="数控机床装调维修工")
    assert row.locator(".badge").inner_text() == "草稿"
    row.get_by_role("button", name="开放").click()
    row = demands.locator("tr", has_text="数控机床装调维修工")
    row.get_by_text("征集中").wait_for()

    detail = page.locator("#demand-detail")
    detail.get_by_text("“数控机床装调维修工”的匹配生源").wait_for()
    matches = detail.locator("table").first
    assert "威海职业学院" in matches.inner_text() and "460103 数控技术" in matches.inner_text()
    assert "专业对口" in matches.inner_text()

    # A college offers students; the enterprise accepts.
    demand_id = int(
        httpx.get(f"{base}/api/v1/demands", params={"q": "数控机床装调"}).json()["items"][0]["id"]
    )
    for college, note in (("college01", "可安排面试"), ("college04", "中职学生")):
        offered = httpx.post(
            f"{base}/api/v1/demands/{demand_id}/responses",
            headers=token(base, college),
            json={"major_code": "460103", "headcount": 6, "note": note},
        )
        assert offered.status_code == 201, offered.text
    row.get_by_role("button", name="匹配与应答").click()
    offers = detail.locator("tr", has_text="可安排面试")
    offers.get_by_role("button", name="接受").click()
    detail.get_by_text("已接受威海职业学院的推荐").wait_for()
    detail.locator("tr", has_text="中职学生").get_by_role("button", name="拒绝").click()
    detail.get_by_text("已拒绝威海技师学院的推荐").wait_for()
    screenshot("enterprise-workbench")

    row.get_by_role("button", name="暂停").click()
    row = demands.locator("tr", has_text="数控机床装调维修工")
    row.get_by_text("已暂停").wait_for()
    row.get_by_role("button", name="编辑").click()
    editor.get_by_label("需求人数").fill("15")
    editor.get_by_role("button", name="保存修改").click()
    editor.get_by_text("已保存“数控机床装调维修工”的修改。").wait_for()
    demands.locator("tr", has_text="数控机床装调维修工").get_by_text("15", exact=True).wait_for()
    changed = httpx.get(f"{base}/api/v1/demands/{demand_id}", headers=token(base, "ent02"))
    assert changed.json()["headcount"] == 15 and changed.json()["major_codes"] == ["460103", "4601"]


def test_a_department_approves_a_registration_publishes_an_item_and_a_period(
    portal: "Page", page_log: PageLog, base: str, screenshot: Callable[[str], Path]
):
    page = portal
    page_log.allow_status(412, 422)  # a stale change and a wrong credit code, both shown
    code = credit_code(990)
    registered = httpx.post(
        f"{base}/api/v1/registrations",
        json={
            "organization": {
                "name": "威海新注册测试装备有限公司",
                "org_type": "enterprise",
                "credit_code": code,
                "district_code": "371002",
            },
            "user": {"username": "newent", "password": "a-long-passphrase"},
        },
    )
    assert registered.status_code == 201, registered.text
    sign_in(page, "industry")
    approvals = page.locator("#approvals")
    row = approvals.locator("tr", has_text="威海新注册测试装备有限公司")
    row.get_by_role("button", name="批准").click()
    approvals.get_by_text("已批准“威海新注册测试装备有限公司”").wait_for()
    assert approvals.locator("tr", has_text="威海新注册测试装备有限公司").count() == 0

    editor = page.locator("#feed-editor")
    editor.get_by_label("企业名称").fill("威海新注册测试装备有限公司")
    editor.get_by_label("统一社会信用代码").fill(code[:-1] + ("0" if code[-1] != "0" else "1"))
    editor.get_by_label("行业代码（GB/T 4754）").fill("3421")
    editor.get_by_label("产业集群").select_option("C03")
    editor.get_by_label("规模").select_option("small")
    editor.get_by_label("产教融合型企业").select_option("provincial")
    editor.get_by_role("button", name="保存并发布").click()
    error = editor.locator(".field", has=page.get_by_label("统一社会信用代码")).locator(
        ".field-error"
    )
    error.wait_for()
    assert "信用代码" in error.inner_text() or "校验" in error.inner_text(), error.inner_text()
    assert editor.locator(".form-errors").inner_text().startswith("提交的内容有误")
    screenshot("department-field-error")
    editor.get_by_label("统一社会信用代码").fill(code)
    editor.get_by_role("button", name="保存并发布").click()
    editor.get_by_text("已发布：“威海新注册测试装备有限公司”").wait_for()
    desk = page.locator("#desk-enterprises")
    desk.locator("tr", has_text="威海新注册测试装备有限公司").get_by_text("已发布").wait_for()

    publish = page.locator("#publish")
    publish.get_by_label("数据集").select_option("enterprise_directory")
    publish.get_by_role("button", name="冻结并发布").click()
    publish.get_by_text(re.compile(r"已发布 企业名录 .* 第 1 版：11 行")).wait_for()
    screenshot("department-workbench")

    # A draft changed with the ETag it was read with: a change made meanwhile answers 412.
    editor.get_by_label("企业名称").fill("威海草稿测试企业有限公司")
    editor.get_by_label("统一社会信用代码").fill(credit_code(991))
    editor.get_by_label("行业代码（GB/T 4754）").fill("3421")
    editor.get_by_role("button", name="仅保存草稿").click()
    editor.get_by_text("已保存草稿：“威海草稿测试企业有限公司”").wait_for()
    draft = desk.locator("tr", has_text="威海草稿测试企业有限公司")
    draft.get_by_role("button", name="编辑").click()
    editor.get_by_role("heading", name="编辑：威海草稿测试企业有限公司").wait_for()
    entry = httpx.get(
        f"{base}/api/v1/enterprises", params={"q": "草稿测试"}, headers=token(base, "industry")
    ).json()["items"][0]
    meanwhile = httpx.patch(
        f"{base}/api/v1/enterprises/{entry['id']}",
        json={"description": "同时的修改"},
        headers=token(base, "industry"),
    )
    assert meanwhile.status_code == 200, meanwhile.text
    editor.get_by_label("规模").select_option("medium")
    editor.get_by_role("button", name="保存并发布").click()
    editor.get_by_text("该条目已被他人修改").wait_for()
    editor.get_by_role("button", name="取消编辑").click()
    editor.get_by_role("heading", name="新建企业名录").wait_for()
    draft.get_by_role("button", name="编辑").click()
    editor.get_by_role("heading", name="编辑：威海草稿测试企业有限公司").wait_for()
    assert editor.get_by_label("详细说明").input_value() == "同时的修改"
    editor.get_by_label("规模").select_option("medium")
    editor.get_by_role("button", name="保存并发布").click()
    editor.get_by_text("已发布：“威海草稿测试企业有限公司”").wait_for()
    published = httpx.get(f"{base}/api/v1/enterprises/{entry['id']}").json()
    assert (published["status"], published["size"]) == ("published", "medium")

    publish.get_by_role("link", name="查看发布与下载").click()
    page.wait_for_selector('body[data-ready^="#/publications/"]')
    assert page.locator("h1").inner_text().startswith("企业名录")

    # The token lives in sessionStorage, never in a cookie, and signing out forgets it.
    assert page.evaluate("sessionStorage.getItem('xqhz.token')")
    assert page.evaluate("document.cookie") == "" and not page.context.cookies()
    # The education bureau sees which colleges have not submitted for the period.
    page.get_by_role("button", name="退出").click()
    page.wait_for_selector('body[data-ready="#/"]')
    assert page.evaluate("sessionStorage.getItem('xqhz.token')") is None
    sign_in(page, "edu")
    submissions = page.locator("#submissions")
    submissions.get_by_text(re.compile(r"已报送 \d+ 所，未报送")).wait_for()
    assert submissions.locator("tbody tr").count() == 5


def test_the_main_pages_at_phone_width(
    chromium: "Browser", page_log: PageLog, base: str, request: pytest.FixtureRequest
):
    context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page_log.watch(page)
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    try:
        page.goto(f"{base}/")
        page.wait_for_selector("body[data-ready]")
        charts_drawn(page, 2)
        assert page.get_by_role("link", name="数据发布").is_hidden()  # folded into the menu
        page.get_by_role("button", name="菜单").click()
        page.get_by_role("link", name="数据发布").click()
        page.wait_for_selector('body[data-ready="#/publications"]')
        save_screenshot(page, request.node.nodeid, "publications")
        for hash_, name, charts in [
            ("#/", "home", 2),
            ("#/distribution", "distribution", 3),
            ("#/feeds/enterprises", "enterprises", 0),
        ]:
            go(page, hash_)
            charts_drawn(page, charts)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{hash_} scrolls sideways ({width}px)"
            save_screenshot(page, request.node.nodeid, name)
        sign_in(page, "college01")
        save_screenshot(page, request.node.nodeid, "college-workbench")
        assert not page_log.unexpected(), page_log.unexpected()
        assert all(u.startswith(f"{base}/") for u in seen), seen
    finally:
        context.close()


def test_the_portal_works_from_another_origin_with_the_api_base_configured(
    page: "Page", requests_seen: list[str], base: str, elsewhere: tuple[str, Path], screenshot
):
    origin, folder = elsewhere
    (folder / "config.js").write_text(f'window.PORTAL_CONFIG = {{ apiBase: "{base}" }};\n')
    page.goto(f"{origin}/index.html")
    page.wait_for_selector('body[data-ready="#/"]')
    charts_drawn(page, 2)
    assert page.locator(".figure-card").count() == 5
    sign_in(page, "ent01")
    assert "威海蓝湾海洋生物科技有限公司" in page.locator("#account").inner_text()
    go(page, "#/publications")
    link = page.get_by_role("link", name=re.compile("^下载 CSV")).first
    assert link.get_attribute("href", timeout=TIMEOUT_MS).startswith(f"{base}/api/v1/")
    screenshot("elsewhere")
    api_calls = [u for u in requests_seen if u.startswith(f"{base}/api/v1/")]
    assert any("/auth/token" in u for u in api_calls) and any("/analytics/" in u for u in api_calls)
    stray = [u for u in requests_seen if not u.startswith((f"{origin}/", f"{base}/api/v1/"))]
    assert not stray, stray
