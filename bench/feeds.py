"""Benchmark of the government feeds' lists and Chinese search.

    .venv/bin/python bench/feeds.py [--db sqlite|postgresql] [--rows N]

Seeds N items per feed (default 100,000) with SQLAlchemy Core bulk inserts, in two
steps (10,000, then up to N), and after each step measures, in-process through the
app with the test client, the p50/p95 latency of a 20-item page for:

- `list`: the public list, newest change first;
- `filtered`: a typical filter of the feed (cluster, district and size, major
  category, target group);
- `q2`, `q4`: full-text searches for two- and four-character words.

Without --db it runs SQLite, then PostgreSQL (a scratch database on the server of
$BENCH_POSTGRES_URL, see `common.py`). Texts are drawn from a vocabulary of Weihai
industry words, so a word occurs in a few percent of the items, as in real feeds.
"""

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from alembic import command
from common import app_settings, percentile, scratch_database  # noqa: E402  (puts the project on sys.path)
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, text

from app.cli import alembic_config  # noqa: E402
from app.core.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import (  # noqa: E402
    Certificate,
    CooperationProject,
    CooperationProjectCollege,
    CooperationProjectEnterprise,
    CooperationProjectMajor,
    DirectoryEntry,
    District,
    Industry,
    Major,
    Organization,
    SearchTerm,
    SocialServiceProject,
    SocialServiceProjectCertificate,
    SocialServiceProjectTargetGroup,
    TechProject,
)
from app.models.enums import (  # noqa: E402
    CooperationKind,
    Department,
    EnterpriseSize,
    IntegrationLevel,
    OrgStatus,
    OrgType,
    TargetGroup,
    TechProjectKind,
)
from app.seed.reference_data import load_reference_data  # noqa: E402
from app.services.credit_code import make_credit_code  # noqa: E402
from app.services.feeds.search import term_rows  # noqa: E402

WORDS2 = (
    "海参 海带 鲍鱼 海藻 渔业 船舶 轮胎 纺织 服装 地毯 医药 器械 康养 旅游 体育 钓具 "
    "碳纤 电子 芯片 通信 软件 数据 物流 电商 港口 冷链 焊接 机床 模具 电机 光伏 风电 "
    "储能 汽车 零件 家纺 食品 饮料 果蔬 苹果 花生 茶叶 牡蛎 扇贝 海洋 医疗 护理 养老"
).split()
WORDS4 = (
    "精深加工 智能制造 工业互联 人工智能 海洋牧场 远洋捕捞 冷链物流 跨境电商 生物医药 "
    "医疗器械 碳纤维布 复合材料 数控机床 工业机器 新能源车 动力电池 节能环保 绿色建材 "
    "康养旅游 休闲运动 户外用品 海洋食品 功能食品 海洋生物 船舶修造 港航物流 电子信息 "
    "集成电路 软件服务 大数据库 云计算台 智慧农业 现代种业 乡村振兴 职业培训 技能提升"
).split()
SUFFIXES = ("技术攻关", "合作项目", "示范基地", "人才培养", "产业联盟", "研发中心", "培训班")
QUERIES_PER_KIND = 200
WARMUP = 20


def sentence(rng: random.Random, words: int) -> str:
    parts = [rng.choice(WORDS4 if rng.random() < 0.5 else WORDS2) for _ in range(words)]
    return "".join(parts)


def title(rng: random.Random) -> str:
    return sentence(rng, 2) + rng.choice(SUFFIXES)


class Seeder:
    """Bulk-inserts items with their links and search terms, with Core `insert()`."""

    def __init__(self, engine: Engine, seed: int = 2026) -> None:
        self.engine = engine
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC)
        with engine.begin() as conn:
            self.industries = list(
                conn.scalars(select(Industry.code).where(Industry.level == "class"))
            )
            self.districts = list(
                conn.scalars(select(District.code).where(District.level == "county"))
            )
            self.majors = list(conn.scalars(select(Major.code).where(Major.kind == "major")))
            self.certificates = list(conn.scalars(select(Certificate.name)))
            self.orgs = self._organizations(conn)

    def _organizations(self, conn: Any) -> dict[str, list[int]]:
        rows: list[dict[str, Any]] = []
        for dept in (Department.tech, Department.industry, Department.education):
            rows.append(
                {
                    "name": f"威海市{dept.value}局",
                    "org_type": OrgType.government,
                    "department": dept,
                }
            )
        for i in range(200):
            rows.append(
                {
                    "name": f"基准企业{i}",
                    "org_type": OrgType.enterprise,
                    "credit_code": make_credit_code("91", "371002", f"BE{i:06d}"),
                }
            )
        for i in range(40):
            rows.append({"name": f"基准学院{i}", "org_type": OrgType.college})
        for i in range(40):
            rows.append({"name": f"基准培训机构{i}", "org_type": OrgType.training_institution})
        base = {
            "department": None,
            "credit_code": None,
            "status": OrgStatus.approved,
            "created_at": self.now,
            "updated_at": self.now,
        }
        rows = [{**base, **row} for row in rows]
        conn.execute(insert(Organization), rows)
        result: dict[str, list[int]] = {}
        for org_id, org_type, dept in conn.execute(
            select(Organization.id, Organization.org_type, Organization.department)
        ):
            result.setdefault(dept.value if dept else org_type.value, []).append(org_id)
        return result

    def _workflow(self, i: int) -> dict[str, Any]:
        updated = self.now - timedelta(minutes=i)
        published = self.rng.random() < 0.9
        return {
            "id": i,
            "status": "published" if published else "draft",
            "version": 1,
            "created_at": updated,
            "updated_at": updated,
            "published_at": updated if published else None,
        }

    def seed(self, start: int, stop: int, batch: int = 5_000) -> None:
        for low in range(start, stop, batch):
            ids = range(low + 1, min(low + batch, stop) + 1)
            with self.engine.begin() as conn:
                self._tech(conn, ids)
                self._directory(conn, ids)
                self._cooperation(conn, ids)
                self._social(conn, ids)

    def _terms(self, conn: Any, resource: str, rows: list[dict[str, Any]], *fields: str) -> None:
        terms = [t for r in rows for t in term_rows(resource, r["id"], [r[f] for f in fields])]
        conn.execute(insert(SearchTerm), terms)

    def _tech(self, conn: Any, ids: range) -> None:
        rng, tech = self.rng, self.orgs["tech"][0]
        rows = [
            {
                **self._workflow(i),
                "owner_organization_id": tech,
                "kind": rng.choice(list(TechProjectKind)),
                "title": title(rng),
                "summary": sentence(rng, 6),
                "description": None,
                "cluster_code": f"C0{rng.randint(1, 7)}",
                "deadline": date(2027, 1, 1) + timedelta(days=rng.randint(0, 720)),
                "contact": "市科技局",
            }
            for i in ids
        ]
        conn.execute(insert(TechProject), rows)
        self._terms(conn, "tech_project", rows, "title", "summary")

    def _directory(self, conn: Any, ids: range) -> None:
        rng, industry = self.rng, self.orgs["industry"][0]
        rows = [
            {
                **self._workflow(i),
                "owner_organization_id": industry,
                "name": f"威海{sentence(rng, 2)}有限公司{i}",
                "credit_code": make_credit_code("91", "371002", f"{i:08d}"),
                "industry_code": rng.choice(self.industries),
                "district_code": rng.choice(self.districts),
                "cluster_code": f"C0{rng.randint(1, 7)}",
                "size": rng.choice(list(EnterpriseSize)),
                "integration_level": rng.choice(list(IntegrationLevel)),
                "description": sentence(rng, 6),
                "organization_id": None,
            }
            for i in ids
        ]
        conn.execute(insert(DirectoryEntry), rows)
        self._terms(conn, "enterprise", rows, "name", "description")

    def _cooperation(self, conn: Any, ids: range) -> None:
        rng = self.rng
        rows = [
            {
                **self._workflow(i),
                "owner_organization_id": rng.choice(self.orgs["college"]),
                "kind": rng.choice(list(CooperationKind)),
                "title": title(rng),
                "description": sentence(rng, 6),
                "start_date": date(2026, 1, 1) + timedelta(days=rng.randint(0, 1000)),
                "end_date": None,
            }
            for i in ids
        ]
        conn.execute(insert(CooperationProject), rows)
        conn.execute(
            insert(CooperationProjectEnterprise),
            [
                {"project_id": i, "organization_id": rng.choice(self.orgs["enterprise"])}
                for i in ids
            ],
        )
        conn.execute(
            insert(CooperationProjectCollege),
            [{"project_id": i, "organization_id": rng.choice(self.orgs["college"])} for i in ids],
        )
        majors = [
            {"project_id": i, "major_code": code}
            for i in ids
            for code in set(rng.sample(self.majors, rng.randint(1, 2)))
        ]
        conn.execute(insert(CooperationProjectMajor), majors)
        self._terms(conn, "cooperation_project", rows, "title", "description")

    def _social(self, conn: Any, ids: range) -> None:
        rng = self.rng
        owners = self.orgs["college"] + self.orgs["training_institution"]
        rows = [
            {
                **self._workflow(i),
                "owner_organization_id": rng.choice(owners),
                "title": title(rng),
                "description": sentence(rng, 6),
                "capacity": rng.randint(10, 200),
                "start_date": date(2026, 1, 1) + timedelta(days=rng.randint(0, 1000)),
                "end_date": None,
            }
            for i in ids
        ]
        conn.execute(insert(SocialServiceProject), rows)
        groups = [
            {"project_id": i, "target_group": group}
            for i in ids
            for group in rng.sample(list(TargetGroup), rng.randint(1, 2))
        ]
        conn.execute(insert(SocialServiceProjectTargetGroup), groups)
        certificates = [
            {"project_id": i, "certificate": rng.choice(self.certificates)}
            for i in ids
            if rng.random() < 0.5
        ]
        conn.execute(insert(SocialServiceProjectCertificate), certificates)
        self._terms(conn, "social_service_project", rows, "title", "description")


def queries(rng: random.Random, seeder: Seeder) -> dict[str, dict[str, Callable[[], Any]]]:
    """Per feed and kind of query, a function drawing the next request's path and params."""
    feeds = {
        "tech-projects": lambda: {"cluster_code": f"C0{rng.randint(1, 7)}"},
        "enterprises": lambda: {
            "district_code": rng.choice(seeder.districts),
            "size": rng.choice(list(EnterpriseSize)).value,
        },
        "cooperation-projects": lambda: {"major_code": rng.choice(seeder.majors)[:2]},
        "social-service-projects": lambda: {"target_group": rng.choice(list(TargetGroup)).value},
    }
    return {
        feed: {
            "list": lambda: {},
            "filtered": filtered,
            "q2": lambda: {"q": rng.choice(WORDS2)},
            "q4": lambda: {"q": rng.choice(WORDS4)},
        }
        for feed, filtered in feeds.items()
    }


def measure(client: TestClient, path: str, params: Callable[[], dict[str, Any]]) -> list[float]:
    timings = []
    for n in range(WARMUP + QUERIES_PER_KIND):
        p = params()
        started = time.perf_counter()
        response = client.get(path, params=p)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.text
        if n >= WARMUP:
            timings.append(elapsed)
    return timings


def analyze(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def run(url: str, sizes: list[int]) -> list[tuple[str, str, int, float, float]]:
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        load_reference_data(session)
    seeder = Seeder(engine)
    settings = app_settings(url)
    results = []
    seeded = 0
    rng = random.Random(7)
    plan = queries(rng, seeder)
    for size in sizes:
        started = time.perf_counter()
        seeder.seed(seeded, size)
        seeded = size
        analyze(engine)
        print(
            f"  seeded {size:,} items per feed in {time.perf_counter() - started:.0f} s", flush=True
        )
        app = create_app(settings)
        with TestClient(app) as client:
            for feed, kinds in plan.items():
                for kind, params in kinds.items():
                    timings = measure(client, f"/api/v1/{feed}", params)
                    row = (feed, kind, size, percentile(timings, 50), percentile(timings, 95))
                    results.append(row)
                    print(
                        f"  {feed:24} {kind:9} {size:>8,}  p50 {row[3]:6.1f} ms  "
                        f"p95 {row[4]:6.1f} ms",
                        flush=True,
                    )
        app.state.engine.dispose()
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--rows", type=int, default=100_000, help="items per feed")
    args = parser.parse_args()
    sizes = sorted({min(10_000, args.rows), args.rows})
    summary: dict[str, list[tuple[str, str, int, float, float]]] = {}
    for db in args.db or ["sqlite", "postgresql"]:
        print(f"{db}:", flush=True)
        with scratch_database(db) as url:
            summary[db] = run(url, sizes)
    if len(sizes) == 2:
        print(f"\np95 growth from {sizes[0]:,} to {sizes[1]:,} items (target < 2x, p95 < 30 ms):")
        for db, rows in summary.items():
            p95 = {(f, k, s): p for f, k, s, _, p in rows}
            for feed, kind, size, _, p in rows:
                if size == sizes[1]:
                    growth = p / p95[(feed, kind, sizes[0])]
                    print(f"  {db:10} {feed:24} {kind:9} p95 {p:6.1f} ms  x{growth:.2f}")


if __name__ == "__main__":
    main()
