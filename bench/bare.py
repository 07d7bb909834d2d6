"""The bare reference for `bench/http.py`: FastAPI, SQLAlchemy Core and Pydantic models doing
the same work as the product's tech-project routes, on the same database, and nothing else.

    DATABASE_URL=... SECRET_KEY=... uvicorn --factory bench.bare:create_app

Same work: one count and one page (or, for a search of two or four characters, a walk of
its term's index and the sum of its counts, or with a filter a count of the index up to
10,001; for other lengths, the product's term
match and relevance ranked once with its count in a window), the same fields, the same sign-in check
(the JWT, then the user and organisation rows), the same writes for a create (the item,
its search terms and an audit row, in one write transaction). No middleware, no metrics, no
logging. Every connection the pool opens stays open (a pool as large as the thread pool).
"""

import os
from datetime import UTC, date, datetime
from typing import Annotated, Any

import anyio
from fastapi import FastAPI, Header, HTTPException, Query, Response
from jose import jwt
from pydantic import BaseModel
from sqlalchemy import (
    Engine,
    MetaData,
    and_,
    case,
    create_engine,
    event,
    func,
    insert,
    not_,
    or_,
    select,
    true,
)

THREADS = int(os.environ.get("BARE_THREADS", "40"))  # FastAPI's default thread pool


class Item(BaseModel):
    id: int
    status: str
    owner_organization_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    withdrawn_at: datetime | None
    kind: str
    title: str
    summary: str
    description: str | None
    cluster_code: str | None
    deadline: date | None
    contact: str | None


class Page(BaseModel):
    items: list[Item]
    total: int
    limit: int
    offset: int
    total_relation: str = "eq"


class NewItem(BaseModel):
    kind: str
    title: str
    summary: str
    description: str | None = None
    cluster_code: str | None = None
    deadline: date | None = None
    contact: str | None = None


def engine_for(url: str) -> Engine:
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=THREADS, max_overflow=0)
    engine = create_engine(
        url,
        pool_size=THREADS,
        max_overflow=0,
        connect_args={"check_same_thread": False, "isolation_level": None},
    )

    @event.listens_for(engine, "connect")
    def _connect(conn: Any, _record: Any) -> None:
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute(f"PRAGMA mmap_size={1 << 30}")  # as the product reads the file

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))

    return engine


def grams(text: str, size: int) -> list[str]:
    text = text.lower()
    return sorted({text[i : i + size] for i in range(len(text) - size + 1)})


def weights(texts: list[str | None]) -> dict[str, int]:
    """Two- and four-character terms, each weighted by the first text holding it."""
    found: dict[str, int] = {}
    for i, text in enumerate(texts):
        for t in [*grams(text or "", 2), *grams(text or "", 4)]:
            found.setdefault(t, len(texts) - i)
    return found


def create_app() -> FastAPI:
    engine = engine_for(os.environ["DATABASE_URL"])
    secret = os.environ["SECRET_KEY"]
    meta = MetaData()
    meta.reflect(engine, only=["tech_projects", "users", "organizations", "search_terms"])
    meta.reflect(engine, only=["search_term_counts"])
    meta.reflect(engine, only=["audit_events"])
    items, users, orgs = (
        meta.tables["tech_projects"],
        meta.tables["users"],
        meta.tables["organizations"],
    )
    terms, audit = meta.tables["search_terms"], meta.tables["audit_events"]
    counts = meta.tables["search_term_counts"]
    texts = [items.c.title, items.c.summary, items.c.description]

    async def lifespan(_app: FastAPI) -> Any:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield
        engine.dispose()

    app = FastAPI(lifespan=lifespan)

    def caller(conn: Any, authorization: str | None) -> dict[str, Any] | None:
        if not authorization:
            return None
        try:
            claims = jwt.decode(authorization.removeprefix("Bearer "), secret, algorithms=["HS256"])
        except Exception as exc:
            raise HTTPException(401) from exc
        user = (
            conn.execute(select(users).where(users.c.id == int(claims["sub"]))).mappings().first()
        )
        if user is None or not user["is_active"]:
            raise HTTPException(401)
        org_id = user["organization_id"]
        org = conn.execute(select(orgs).where(orgs.c.id == org_id)).mappings().first()
        if org is not None and org["status"] == "suspended":
            raise HTTPException(403)
        return {"user": user, "org": org}

    def visible(who: dict[str, Any] | None, status: Any = None, owner: Any = None) -> Any:
        status = items.c.status if status is None else status
        owner = items.c.owner_organization_id if owner is None else owner
        if who and (
            who["user"]["is_platform_admin"] or (who["org"] or {}).get("department") == "tech"
        ):
            return true()
        rule = status == "published"
        if who and who["org"]:
            rule = or_(rule, owner == who["org"]["id"])
        return rule

    def one_term(
        conn: Any, who: Any, term: str, cluster_code: str | None, limit: int, offset: int
    ) -> dict[str, Any]:
        stmt = select(terms.c.item_id).where(
            terms.c.resource == "tech_project",
            terms.c.term == term,
            visible(who, terms.c.status, terms.c.owner_key),
        )
        if cluster_code:
            stmt = stmt.join(items, items.c.id == terms.c.item_id)
            stmt = stmt.where(items.c.cluster_code == cluster_code)
        order = [terms.c.weight.desc(), terms.c.updated_at.desc(), terms.c.item_id.desc()]
        ids = list(conn.scalars(stmt.order_by(*order).limit(limit).offset(offset)))
        relation = "eq"
        if not cluster_code:  # the term's counts: every owner's, and the caller's own drafts
            seen = visible(who, counts.c.status, -1)
            rows, owners = and_(counts.c.owner_key == -1, seen), [-1]
            if who and who["org"]:
                owners.append(who["org"]["id"])
                rows = or_(rows, and_(counts.c.owner_key == owners[1], not_(seen)))
            total = conn.scalar(
                select(func.coalesce(func.sum(counts.c["items"]), 0)).where(
                    counts.c.resource == "tech_project",
                    counts.c.term == term,
                    counts.c.owner_key.in_(owners),
                    rows,
                )
            )
        elif 0 < len(ids) < limit or (not ids and offset == 0):
            total = offset + len(ids)
        else:
            counted = conn.scalar(select(func.count()).select_from(stmt.limit(10_001).subquery()))
            total, relation = (counted, "eq") if counted <= 10_000 else (10_000, "gte")
        found = conn.execute(select(items).where(items.c.id.in_(ids))).mappings()
        by_id = {row["id"]: row for row in found}
        page = {"items": [by_id[i] for i in ids], "total": total, "total_relation": relation}
        return {**page, "limit": limit, "offset": offset}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/tech-projects", response_model=Page)
    def list_items(
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
        offset: Annotated[int, Query(ge=0)] = 0,
        q: Annotated[str | None, Query(min_length=2, max_length=100)] = None,
        cluster_code: str | None = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> Any:
        with engine.begin() as conn:
            who = caller(conn, authorization)
            stmt = select(items).where(visible(who))
            if cluster_code:
                stmt = stmt.where(items.c.cluster_code == cluster_code)
            order = [items.c.updated_at.desc(), items.c.id.desc()]
            if not q:
                count = select(func.count()).select_from(stmt.subquery())
                total = conn.scalar(count)
                rows = conn.execute(stmt.order_by(*order).limit(limit).offset(offset)).mappings()
                return {"items": list(rows), "total": total, "limit": limit, "offset": offset}
            if len(q) in (2, 4):  # one term: a walk of its index, a bounded count
                return one_term(conn, who, q.lower(), cluster_code, limit, offset)
            wanted = grams(q, 4 if len(q) > 4 else 2)
            ids = select(terms.c.item_id).where(
                terms.c.resource == "tech_project", terms.c.term.in_(wanted)
            )
            if len(wanted) > 1:
                ids = ids.group_by(terms.c.item_id).having(func.count() == len(wanted))
            stmt = stmt.where(items.c.id.in_(ids))
            like = [c.ilike(f"%{q}%") for c in texts]
            if len(q) > 2:
                stmt = stmt.where(or_(*like))
            rank = case(*((cond, 3 - i) for i, cond in enumerate(like)), else_=0)
            ranked = stmt.with_only_columns(items.c.id, func.count().over())
            ranked = conn.execute(
                ranked.order_by(rank.desc(), *order).limit(limit).offset(offset)
            ).all()
            found = conn.execute(
                select(items).where(items.c.id.in_([r[0] for r in ranked]))
            ).mappings()
            by_id = {row["id"]: row for row in found}
            total = ranked[0][1] if ranked else 0
            return {
                "items": [by_id[r[0]] for r in ranked],
                "total": total,
                "limit": limit,
                "offset": offset,
            }

    @app.get("/api/v1/tech-projects/{item_id}", response_model=Item)
    def get_item(
        item_id: int, response: Response, authorization: Annotated[str | None, Header()] = None
    ) -> Any:
        with engine.begin() as conn:
            stmt = select(items).where(visible(caller(conn, authorization)), items.c.id == item_id)
            row = conn.execute(stmt).mappings().first()
        if row is None:
            raise HTTPException(404)
        response.headers["ETag"] = f'W/"{row["version"]}"'
        return row

    @app.get("/api/v1/auth/me")
    def me(authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        with engine.begin() as conn:
            who = caller(conn, authorization)
        if who is None:
            raise HTTPException(401)
        user, org = who["user"], who["org"]
        return {
            "user": {
                k: user[k]
                for k in (
                    "id",
                    "username",
                    "display_name",
                    "organization_id",
                    "role",
                    "is_platform_admin",
                    "is_active",
                    "created_at",
                )
            },
            "organization": dict(org) if org else None,
            "roles": [user["role"]],
            "role": user["role"],
            "is_platform_admin": user["is_platform_admin"],
            "auth_method": "token",
        }

    @app.post("/api/v1/tech-projects", status_code=201, response_model=Item)
    def create(data: NewItem, authorization: Annotated[str | None, Header()] = None) -> Any:
        with (
            engine.connect().execution_options(sqlite_begin="BEGIN IMMEDIATE") as conn,
            conn.begin(),
        ):
            who = caller(conn, authorization)
            if who is None:
                raise HTTPException(401)
            now = datetime.now(UTC)
            values = {
                **data.model_dump(),
                "status": "draft",
                "version": 1,
                "owner_organization_id": who["org"]["id"],
                "created_at": now,
                "updated_at": now,
            }
            row = conn.execute(insert(items).values(values).returning(*items.c)).mappings().one()
            copied = {"resource": "tech_project", "item_id": row["id"], "status": "draft"}
            copied |= {"owner_key": who["org"]["id"], "updated_at": now}
            conn.execute(
                insert(terms),
                [
                    {**copied, "term": t, "weight": w}
                    for t, w in sorted(
                        weights([data.title, data.summary, data.description]).items()
                    )
                ],
            )
            conn.execute(
                insert(audit).values(
                    occurred_at=now,
                    actor_user_id=who["user"]["id"],
                    actor_username=who["user"]["username"],
                    actor_organization_id=who["org"]["id"],
                    auth_method="token",
                    action="tech_project.create",
                    resource_type="tech_project",
                    resource_id=str(row["id"]),
                    summary={},
                )
            )
        return row

    return app
