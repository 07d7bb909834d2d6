"""Chinese full-text search (`q`) and the list filters of the government feeds."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.models import SearchTerm
from app.models.enums import OrgType
from tests.factories import (
    FEED_PATHS,
    assert_problem,
    feed_owner,
    feed_payload,
    feed_publisher,
    make_org,
)

TEXT = {  # resource: (title field, text field)
    "tech_project": ("title", "summary"),
    "enterprise_directory": ("name", "description"),
    "cooperation_project": ("title", "description"),
    "social_service_project": ("title", "description"),
}


def publish_items(client, db, resource, texts):
    """Publish one item per (title, text) pair; returns their ids in order."""
    path = FEED_PATHS[resource]
    _, headers = feed_owner(client, db, resource)
    _, publisher = feed_publisher(client, db, resource)
    title, text = TEXT[resource]
    ids = []
    for name, body in texts:
        item = client.post(
            path, json=feed_payload(db, resource, **{title: name, text: body}), headers=headers
        )
        assert item.status_code == 201, item.text
        ids.append(item.json()["id"])
        client.post(f"{path}/{ids[-1]}/publish", headers=publisher)
    return ids


def search(client, resource, q, **params):
    response = client.get(FEED_PATHS[resource], params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["items"]]


@pytest.mark.parametrize("resource", list(FEED_PATHS))
def test_two_three_and_four_character_words(client, db, resource):
    sea_cucumber, robots, both = publish_items(
        client,
        db,
        resource,
        [
            ("海参精深加工技术攻关", "海洋食品产业"),
            ("工业机器人应用培训", "面向装备制造企业"),
            ("智能装备项目", "含海参加工与精深处理工艺"),
        ],
    )
    # Two characters: the index alone; the title match ranks first.
    assert search(client, resource, "海参") == [sea_cucumber, both]
    assert search(client, resource, "装备") == [both, robots]
    # Three and four: all bigrams present is not enough, they must be adjacent.
    assert search(client, resource, "海参精") == [sea_cucumber]
    assert search(client, resource, "精深加工") == [sea_cucumber]
    assert search(client, resource, "机器人") == [robots]
    assert search(client, resource, "海参加工") == [both]
    assert search(client, resource, "参精深处") == []
    assert search(client, resource, "不存在") == []
    # Case-insensitive for Latin letters, and combined with the other filters.
    assert search(client, resource, "海参", limit=1) == [sea_cucumber]
    assert client.get(FEED_PATHS[resource], params={"q": "海参"}).json()["total"] == 2


@pytest.mark.parametrize("resource", ["tech_project", "social_service_project"])
def test_search_pages_agree_with_the_whole_ranking(client, db, resource):
    """Every page of a search carries the same total, and the pages put together are the
    whole ranking (title matches first, newest first); past the end, no items, same total."""
    texts = [(f"海参项目{i}", "说明") if i % 3 else (f"项目{i}", "海参说明") for i in range(7)]
    publish_items(client, db, resource, texts)
    path = FEED_PATHS[resource]
    whole = client.get(path, params={"q": "海参", "limit": 200}).json()
    assert whole["total"] == len(whole["items"]) == 7
    paged = []
    for offset in range(0, 9, 3):
        page = client.get(path, params={"q": "海参", "limit": 3, "offset": offset}).json()
        assert (page["total"], page["offset"]) == (7, offset)
        paged += page["items"]
    assert paged == whole["items"]
    title = TEXT[resource][0]
    assert [("海参" in item[title]) for item in paged] == [True] * 4 + [False] * 3
    beyond = client.get(path, params={"q": "海参", "limit": 3, "offset": 50}).json()
    assert (beyond["items"], beyond["total"]) == ([], 7)


@pytest.mark.parametrize("resource", list(FEED_PATHS))
def test_characters_sql_treats_specially_are_literal(client, db, resource):
    percent, underscore, quote, plain = publish_items(
        client,
        db,
        resource,
        [
            ("增长100%的项目", "说明"),
            ("代号A_B的项目", "说明"),
            ("名为O'Brien的项目", "说明"),
            ("普通项目一号", "A1B与100个"),
        ],
    )
    assert search(client, resource, "0%") == [percent]
    assert search(client, resource, "%的") == [percent]
    assert search(client, resource, "%%") == []
    assert search(client, resource, "A_B") == [underscore]
    assert search(client, resource, "__") == []
    assert search(client, resource, "O'") == [quote]
    assert search(client, resource, "o'brien") == [quote]
    assert search(client, resource, "';") == []
    assert search(client, resource, "A1B") == [plain]


@pytest.mark.parametrize("resource", list(FEED_PATHS))
def test_search_respects_visibility_and_follows_edits(client, db, resource):
    path = FEED_PATHS[resource]
    title, _ = TEXT[resource]
    _, headers = feed_owner(client, db, resource)
    draft = client.post(
        path, json=feed_payload(db, resource, **{title: "草稿里的海参项目"}), headers=headers
    ).json()
    assert search(client, resource, "海参") == []
    own = client.get(path, params={"q": "海参"}, headers=headers).json()["items"]
    assert [i["id"] for i in own] == [draft["id"]]

    client.patch(f"{path}/{draft['id']}", json={title: "改成鲍鱼养殖"}, headers=headers)
    assert client.get(path, params={"q": "海参"}, headers=headers).json()["total"] == 0
    assert client.get(path, params={"q": "鲍鱼"}, headers=headers).json()["total"] == 1

    client.delete(f"{path}/{draft['id']}", headers=headers)
    with db() as session:
        left = session.scalar(
            select(func.count()).where(
                SearchTerm.resource == resource, SearchTerm.item_id == draft["id"]
            )
        )
    assert left == 0


@pytest.mark.parametrize("resource", list(FEED_PATHS))
def test_one_character_and_control_character_queries_are_refused(client, resource):
    problem = assert_problem(client.get(FEED_PATHS[resource], params={"q": "海"}), 422)
    assert problem["errors"][0]["loc"] == ["query", "q"]
    # Control characters (NUL cannot even be sent to PostgreSQL) are refused too.
    assert_problem(client.get(FEED_PATHS[resource], params={"q": "\x00海参"}), 422)
    assert_problem(client.get(FEED_PATHS[resource], params={"q": "海" * 51}), 422)


def test_newest_change_first(client, db):
    path = FEED_PATHS["tech_project"]
    first, second = publish_items(
        client, db, "tech_project", [("项目一号", "甲"), ("项目二号", "乙")]
    )
    assert search(client, "tech_project", "项目") == [second, first]
    _, publisher = feed_publisher(client, db, "tech_project")
    client.patch(f"{path}/{first}", json={"summary": "更新"}, headers=publisher)
    assert search(client, "tech_project", "项目") == [first, second]
    assert [i["id"] for i in client.get(path).json()["items"]] == [first, second]


def ids(client, path, **params):
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return sorted(i["id"] for i in response.json()["items"])


def test_tech_project_filters(client, db):
    path = FEED_PATHS["tech_project"]
    a, b = publish_items(client, db, "tech_project", [("甲项目", "说明"), ("乙项目", "说明")])
    _, publisher = feed_publisher(client, db, "tech_project")
    client.patch(
        f"{path}/{b}",
        json={"kind": "tech_info", "cluster_code": "C01", "deadline": "2098-01-01"},
        headers=publisher,
    )
    assert ids(client, path, kind="tech_info") == [b]
    assert ids(client, path, kind="school_locality_project") == [a]
    assert ids(client, path, cluster_code="C05") == [a]
    assert ids(client, path, deadline_to="2098-06-01") == [b]
    assert ids(client, path, deadline_from="2098-06-01") == [a]
    assert ids(client, path, status="published") == [a, b]
    assert_problem(client.get(path, params={"kind": "news"}), 422)


def test_enterprise_filters(client, db):
    path = FEED_PATHS["enterprise_directory"]
    a, b = publish_items(
        client, db, "enterprise_directory", [("甲公司", "说明"), ("乙公司", "说明")]
    )
    _, publisher = feed_publisher(client, db, "enterprise_directory")
    account = make_org(db, OrgType.enterprise)
    entry_b = client.patch(
        f"{path}/{b}",
        json={
            "industry_code": "3911",
            "district_code": "371082101",
            "size": "small",
            "integration_level": "national",
            "cluster_code": "C01",
            "organization_id": account.id,
        },
        headers=publisher,
    ).json()
    assert ids(client, path, industry_code="39") == [b]
    assert ids(client, path, industry_code="13") == [a]
    assert ids(client, path, district_code="371082") == [b]
    assert ids(client, path, district_code="371002") == [a]
    assert ids(client, path, size="small") == [b]
    assert ids(client, path, integration_level="national") == [b]
    assert ids(client, path, cluster_code="C05") == [a]
    assert ids(client, path, organization_id=account.id) == [b]
    assert ids(client, path, credit_code=entry_b["credit_code"]) == [b]
    assert_problem(client.get(path, params={"size": "giant"}), 422)


def test_cooperation_project_filters(client, db):
    path = FEED_PATHS["cooperation_project"]
    a, b = publish_items(
        client, db, "cooperation_project", [("甲合作", "说明"), ("乙合作", "说明")]
    )
    _, publisher = feed_publisher(client, db, "cooperation_project")
    enterprise = make_org(db, OrgType.enterprise)
    college = make_org(db, OrgType.college)
    client.patch(
        f"{path}/{b}",
        json={
            "kind": "industry_college",
            "enterprise_ids": [enterprise.id],
            "college_ids": [college.id],
            "major_codes": ["460101", "5101"],
            "start_date": "2028-01-01",
            "end_date": "2028-12-31",
        },
        headers=publisher,
    )
    assert ids(client, path, kind="industry_college") == [b]
    assert ids(client, path, enterprise_id=enterprise.id) == [b]
    assert ids(client, path, college_id=college.id) == [b]
    assert ids(client, path, major_code="46") == [b]
    assert ids(client, path, major_code="4601") == [b]
    assert ids(client, path, major_code="4901") == [a]
    assert ids(client, path, start_date_from="2027-12-01") == [b]
    assert ids(client, path, end_date_to="2029-01-01") == [b]
    assert_problem(client.get(path, params={"major_code": "4%"}), 422)


def test_social_service_project_filters(client, db):
    path = FEED_PATHS["social_service_project"]
    a, b = publish_items(
        client, db, "social_service_project", [("甲培训", "说明"), ("乙培训", "说明")]
    )
    assert ids(client, path, target_group="veterans") == [a, b]
    assert ids(client, path, target_group="disabled") == []
    assert ids(client, path, certificate="工业机器人操作与运维职业技能等级证书") == [a, b]
    assert ids(client, path, certificate="物流管理职业技能等级证书") == []
    assert ids(client, path, capacity_min=41) == []
    assert ids(client, path, capacity_min=40) == [a, b]
    assert ids(client, path, start_date_from="2027-03-02") == []
    assert ids(client, path, end_date_to="2027-04-30") == [a, b]
    assert_problem(client.get(path, params={"target_group": "children"}), 422)


WORDS = ["海洋", "牧场", "海洋牧场", "食品", "海参", "加工", "Ab", "洋牧"]


def everything(client, path, headers, **params):
    """Every item the caller gets for `params`, in the answer's order."""
    response = client.get(path, params={"limit": 200, **params}, headers=headers)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"]) and page["total_relation"] == "eq"
    return page["items"]


@pytest.mark.parametrize("resource", ["cooperation_project", "social_service_project"])
def test_search_is_the_list_filtered_by_substring_in_relevance_order(client, db, resource):
    """For every caller and query length: the matches are the caller's list (its visibility
    rule) holding `q` in a text, ordered by the first text holding it, then the newest
    change, then the highest id; withdrawing and editing move items in and out."""
    import random

    rng = random.Random(12)
    path, (title, text) = FEED_PATHS[resource], TEXT[resource]
    owners = [feed_owner(client, db, resource) for _ in range(2)]
    _, publisher = feed_publisher(client, db, resource)
    made = []
    for n in range(14):
        body = {
            title: "".join(rng.choice(WORDS) for _ in range(2)) + f"项目{n}",
            text: "".join(rng.choice(WORDS) for _ in range(3)),
        }
        _, headers = owners[n % 2]
        item = client.post(path, json=feed_payload(db, resource, **body), headers=headers).json()
        made.append(item["id"])
        if n % 3:
            client.post(f"{path}/{item['id']}/publish", headers=publisher)
        if n % 5 == 1:
            client.post(f"{path}/{item['id']}/withdraw", headers=publisher)
    # An edit moves a word from the text into the title (its weight changes) and the
    # newest change first: the item's terms follow.
    client.patch(f"{path}/{made[1]}", json={title: "海洋牧场新题"}, headers=owners[1][1])
    callers = {"anonymous": {}, "owner": owners[0][1], "publisher": publisher}
    found = dict.fromkeys(callers, 0)
    for who, headers in callers.items():
        listed = everything(client, path, headers)
        for q in ("海洋", "牧场", "ab", "海洋牧场", "洋牧场", "海洋牧场海", "不在", "AB"):

            def rank(item, q=q):
                fields = [(item[f] or "").lower() for f in (title, text)]
                first = next(i for i, f in enumerate(fields) if q.lower() in f)
                return (first, -datetime.fromisoformat(item["updated_at"]).timestamp(), -item["id"])

            expected = sorted(
                (
                    i
                    for i in listed
                    if any(q.lower() in (i[f] or "").lower() for f in (title, text))
                ),
                key=rank,
            )
            got = everything(client, path, headers, q=q)
            assert [i["id"] for i in got] == [i["id"] for i in expected], (who, q)
            found[who] += len(got)
    assert found["anonymous"] < found["owner"] < found["publisher"]


@pytest.fixture
def exact_up_to(app):
    """`exact_up_to(n)` sets the app's `search_exact_total_up_to` for the test."""
    original = app.state.settings

    def cap(n):
        app.state.settings = original.model_copy(update={"search_exact_total_up_to": n})

    yield cap
    app.state.settings = original


@pytest.mark.parametrize("q", ["海参", "海参加工"])
def test_one_term_total_is_exact_at_any_size_and_filtered_up_to_the_setting(
    client, db, q, exact_up_to
):
    publish_items(
        client,
        db,
        "tech_project",
        [("海参加工一号", "说明"), ("海参加工二号", "说明"), ("说明", "海参加工三号")],
    )
    path = FEED_PATHS["tech_project"]
    exact_up_to(2)

    def page(**params):
        answer = client.get(path, params={"q": q, **params}).json()
        return len(answer["items"]), answer["total"], answer["total_relation"]

    # One term: its counts give the exact total, however many match.
    assert page() == (3, 3, "eq")
    assert page(limit=1) == (1, 3, "eq")
    assert page(limit=2, offset=1) == (2, 3, "eq")
    assert page(offset=5) == (0, 3, "eq")
    assert page(limit=1, status="draft") == (0, 0, "eq")
    # With a feed's own filter its matches are counted: exactly up to the cap, "at least"
    # beyond; a page that holds the last match knows the exact total.
    kind = "school_locality_project"
    assert page(limit=1, kind=kind) == (1, 2, "gte")
    assert page(limit=2, offset=2, kind=kind) == (1, 3, "eq")
    assert page(offset=5, kind=kind) == (0, 2, "gte")
    # Other lengths are counted in full.
    assert client.get(path, params={"q": "海参加", "limit": 1}).json()["total"] == 3
    exact_up_to(3)
    assert page(limit=1, kind=kind) == (1, 3, "eq")
    assert client.get(path).json()["total_relation"] == "eq"


def test_search_combines_with_a_feeds_own_filters(client, db):
    path = FEED_PATHS["tech_project"]
    a, b = publish_items(
        client, db, "tech_project", [("甲项目海洋", "说明"), ("乙项目", "海洋说明")]
    )
    _, publisher = feed_publisher(client, db, "tech_project")
    client.patch(f"{path}/{b}", json={"kind": "tech_info"}, headers=publisher)
    assert search(client, "tech_project", "海洋", kind="tech_info") == [b]
    assert search(client, "tech_project", "海洋", kind="school_locality_project") == [a]
    assert search(client, "tech_project", "海洋", limit=1, kind="tech_info") == [b]
    assert search(client, "tech_project", "海洋说明", kind="school_locality_project") == []
