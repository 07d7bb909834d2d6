"""The publishing workflow shared by the four government feeds, written once.

Each feed's module (`tech_projects`, `enterprise_directory`, `cooperation_projects`,
`social_service_projects`) describes itself with a `Feed`: its table, schemas,
permission policy, searchable texts and business checks. These functions do the
rest: visibility, draft → published → withdrawn (→ published), optimistic locking
(ETag `W/"<version>"`, `If-Match`), the audit trail, the event outbox and the
search index, all in the request's transaction.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core import clock
from app.core.errors import Conflict, NotFound, PreconditionFailed
from app.core.i18n import Text, t
from app.models.enums import FeedStatus
from app.models.feed import FeedCount, FeedItem
from app.models.search_term import EVERY_OWNER, SearchTerm, SearchTermCount
from app.schemas.common import PageParams
from app.schemas.feeds import FeedFilters
from app.services import labels, permissions
from app.services.audit import changes, record_audit
from app.services.checks import Problems
from app.services.events import record_event
from app.services.feeds import search
from app.services.permissions import FeedPolicy, Principal
from app.services.query import Paged, by_ids, paginate

Check = Callable[[Session, Problems, Any], None]


Item = TypeVar("Item", bound=FeedItem)


@dataclass(frozen=True)
class Feed(Generic[Item]):
    resource: str  # "tech_project": audit actions, event types and search terms
    label: Text  # t("科技项目", "tech project"), in messages
    model: type[Item]  # the table
    create: type[BaseModel]  # its fields are the item's writable fields
    read: type[BaseModel]  # the public representation, carried by events
    policy: FeedPolicy
    text_fields: tuple[str, ...]  # searched by `q`, the most relevant first
    check: Check  # business validation: adds to `Problems` (422) or raises Conflict

    def texts(self, item: Item) -> list[str | None]:
        return [getattr(item, f) for f in self.text_fields]

    def values(self, item: Item) -> dict[str, Any]:
        return {f: getattr(item, f) for f in self.create.model_fields}


def etag(item: FeedItem) -> str:
    return f'W/"{item.version}"'


def _published(item: FeedItem) -> bool:
    return bool(item.status == FeedStatus.published)


def visibility(
    principal: Principal | None, feed: Feed[Any], status: Any = None, owner: Any = None
) -> ColumnElement[bool]:
    """Which items the caller sees, the one rule for lists, gets and counts: published ones
    for everybody, the others for their owner and those who see all drafts
    (`sees_all_drafts`). `status` and `owner` are the item's columns unless given
    (`FeedCount`'s)."""
    sees_all, org_id = _viewer(principal, feed)
    return _visible(feed, sees_all, org_id is not None, status, owner, org_id)


def _viewer(principal: Principal | None, feed: Feed[Any]) -> tuple[bool, int | None]:
    """Whether the caller sees every item, and the organisation whose drafts it sees."""
    if permissions.sees_all_drafts(principal, feed.policy):
        return True, None
    return False, principal.org_id if principal is not None else None


def _visible(
    feed: Feed[Any],
    sees_all: bool,
    owns: bool,
    status: Any = None,
    owner: Any = None,
    org_id: int | None = None,
) -> ColumnElement[bool]:
    """`visibility`'s rule; the organisation is the bound parameter `viewer_org` (its value
    `org_id`, or given at execution for a statement kept in `_statements`)."""
    status = feed.model.status if status is None else status
    owner = feed.model.owner_organization_id if owner is None else owner
    if sees_all:
        return true()
    visible: ColumnElement[bool] = status == FeedStatus.published
    if owns:
        visible = or_(visible, owner == bindparam("viewer_org", org_id, required=org_id is None))
    return visible


@dataclass(frozen=True)
class _Statements:
    """One feed's statements for one kind of caller (see `_statements`)."""

    get: Select[Any]  # one item: `item_id`
    count: Select[Any]  # how many it sees (`FeedCount`)
    page: Select[Any]  # a page of the unfiltered list: `limit`, `offset`


# Per feed and kind of caller (sees all, sees its organisation's drafts): see `_statements`.
_STATEMENTS: dict[tuple[str, bool, bool], _Statements] = {}


def _statements(feed: Feed[Any], sees_all: bool, owns: bool) -> _Statements:
    """The get by id, the count and the unfiltered list's page of one feed for one kind of
    caller, built once: a statement built anew per request cost about as much as running
    it (bench/instructions.py). Their parameters: `viewer_org` (when `owns`), and `item_id`
    or `limit` and `offset`."""
    key = (feed.resource, sees_all, owns)
    if key not in _STATEMENTS:
        model, visible = feed.model, _visible(feed, sees_all, owns)
        _STATEMENTS[key] = _Statements(
            get=select(model).where(visible, model.id == bindparam("item_id")),
            count=select(func.coalesce(func.sum(FeedCount.items), 0)).where(
                FeedCount.resource == feed.resource,
                _visible(feed, sees_all, owns, FeedCount.status, FeedCount.owner_key),
            ),
            page=select(model)
            .where(visible)
            .order_by(*_newest_first(model))
            .limit(bindparam("limit"))
            .offset(bindparam("offset")),
        )
    return _STATEMENTS[key]


def _newest_first(model: Any) -> list[Any]:
    """A list's order without `q`: newest change first (the highest id among equals)."""
    return [model.updated_at.desc(), model.id.desc()]


def _prepared(principal: Principal | None, feed: Feed[Any]) -> tuple[_Statements, dict[str, Any]]:
    """The caller's `_statements` and the parameters they take."""
    sees_all, org_id = _viewer(principal, feed)
    statements = _statements(feed, sees_all, org_id is not None)
    return statements, {} if org_id is None else {"viewer_org": org_id}


def get_item(session: Session, principal: Principal | None, feed: Feed[Item], item_id: int) -> Item:
    """One item the caller may see (the list's rule plus the id); any other is not found."""
    statements, params = _prepared(principal, feed)
    item: Item | None = session.scalars(statements.get, {**params, "item_id": item_id}).first()
    if item is None:
        raise NotFound(t(f"没有这个{feed.label.zh}。", f"No such {feed.label.en}."))
    return item


def list_items(
    session: Session,
    principal: Principal | None,
    feed: Feed[Item],
    page: PageParams,
    common: FeedFilters,
    filters: Sequence[ColumnElement[bool]] = (),
) -> Paged[Item]:
    """The items the caller may see, newest change first, or by relevance for `q`."""
    model = feed.model
    if not (common.q or filters or common.status or common.owner_organization_id is not None):
        statements, params = _prepared(principal, feed)
        total = int(session.scalar(statements.count, params) or 0)
        window = {**params, "limit": page.limit, "offset": page.offset}
        return Paged(session.scalars(statements.page, window).all(), total)
    stmt = select(model).where(visibility(principal, feed), *filters)
    if common.status:
        stmt = stmt.where(model.status == common.status)
    if common.owner_organization_id is not None:
        stmt = stmt.where(model.owner_organization_id == common.owner_organization_id)
    order = _newest_first(model)
    if common.q and (term := search.one_term(common.q)):
        return _search_term(session, principal, feed, page, common, filters, term)
    if common.q:
        columns = [getattr(model, f) for f in feed.text_fields]
        match, relevance = search.search(feed.resource, model.id, columns, common.q)
        stmt = stmt.where(match)
        order.insert(0, relevance.desc())
    elif not filters:
        total = count_items(session, principal, feed, common)
        return paginate(session, stmt.order_by(*order), page, total=total)
    return paginate(session, stmt.order_by(*order), page, sorts_all=bool(common.q))


def _search_term(
    session: Session,
    principal: Principal | None,
    feed: Feed[Item],
    page: PageParams,
    common: FeedFilters,
    filters: Sequence[ColumnElement[bool]],
    term: str,
) -> Paged[Item]:
    """A search for one indexed term: the list's rules on the term rows' copies of status
    and owner, so that the page is a walk of the term's index (joined to the items only
    for a feed's own filters)."""
    if not (filters or common.status or common.owner_organization_id is not None):
        sees_all, org_id = _viewer(principal, feed)
        hits, total_of = _term_statements(feed, sees_all, org_id is not None)
        params = {"term": term} if org_id is None else {"term": term, "viewer_org": org_id}
        total = int(session.scalar(total_of, params) or 0)
        window = {**params, "limit": page.limit, "offset": page.offset}
        return Paged(by_ids(session, feed.model, session.scalars(hits, window).all()), total)
    stmt = search.hits(feed.resource, term).where(
        visibility(principal, feed, SearchTerm.status, SearchTerm.owner_key)
    )
    if common.status:
        stmt = stmt.where(SearchTerm.status == common.status)
    if common.owner_organization_id is not None:
        stmt = stmt.where(SearchTerm.owner_key == common.owner_organization_id)
    if filters:
        stmt = stmt.join(feed.model, feed.model.id == SearchTerm.item_id).where(*filters)
        return search.page_of_hits(session, feed.model, stmt, page, page.exact_total_up_to)
    total = count_term(session, principal, feed, common, term)
    return search.page_of_hits(session, feed.model, stmt, page, page.exact_total_up_to, total)


# Per feed and kind of caller: see `_term_statements`.
_TERM_STATEMENTS: dict[tuple[str, bool, bool], tuple[Select[Any], Select[Any]]] = {}


def _term_statements(
    feed: Feed[Any], sees_all: bool, owns: bool
) -> tuple[Select[Any], Select[Any]]:
    """A one-term search's page of item ids and its total (`count_term`'s rule, without a
    status or owner filter) for one kind of caller, built once. Their parameters: `term`,
    `viewer_org` (when `owns`), and `limit` and `offset` for the page."""
    key = (feed.resource, sees_all, owns)
    if key not in _TERM_STATEMENTS:
        term: BindParameter[str] = bindparam("term")
        counts = SearchTermCount
        hits = search.hits(feed.resource, term).where(
            _visible(feed, sees_all, owns, SearchTerm.status, SearchTerm.owner_key)
        )
        page = hits.order_by(*search.ORDER).limit(bindparam("limit")).offset(bindparam("offset"))
        every = _visible(feed, sees_all, owns, counts.status, EVERY_OWNER)
        rows: ColumnElement[bool] = and_(counts.owner_key == EVERY_OWNER, every)
        owners: list[Any] = [EVERY_OWNER]
        if owns:  # what it sees only as the owner: its drafts and withdrawn items
            org: BindParameter[int] = bindparam("viewer_org")
            own = and_(_visible(feed, sees_all, owns, counts.status, org), not_(every))
            rows = or_(rows, and_(counts.owner_key == org, own))
            owners.append(org)
        total = select(func.coalesce(func.sum(counts.items), 0)).where(
            counts.resource == feed.resource,
            counts.term == term,
            counts.owner_key.in_(owners),  # an index seek per owner key
            rows,
        )
        _TERM_STATEMENTS[key] = (page, total)
    return _TERM_STATEMENTS[key]


def count_term(
    session: Session, principal: Principal | None, feed: Feed[Any], common: FeedFilters, term: str
) -> int:
    """How many items holding `term` the caller sees, by status and owner only: a few
    `SearchTermCount` rows (kept by triggers). Without an owner filter, the counts over
    every owner hold what the caller sees whoever owns it (published items, or all of them
    for those who see all drafts); its own organisation's counts add what it sees only as
    their owner."""
    counts = SearchTermCount
    owner = EVERY_OWNER if common.owner_organization_id is None else common.owner_organization_id
    rows = and_(counts.owner_key == owner, visibility(principal, feed, counts.status, owner))
    owners = [owner]
    org = principal.org_id if principal is not None else None
    if common.owner_organization_id is None and org is not None:
        own = visibility(principal, feed, counts.status, org)
        seen_as_owner = and_(own, not_(visibility(principal, feed, counts.status, EVERY_OWNER)))
        rows = or_(rows, and_(counts.owner_key == org, seen_as_owner))
        owners.append(org)
    stmt = select(func.coalesce(func.sum(counts.items), 0)).where(
        counts.resource == feed.resource,
        counts.term == term,
        counts.owner_key.in_(owners),  # an index seek per owner key
        rows,
    )
    if common.status:
        stmt = stmt.where(counts.status == common.status)
    return int(session.scalar(stmt) or 0)


def count_items(
    session: Session, principal: Principal | None, feed: Feed[Any], common: FeedFilters
) -> int:
    """How many items the caller sees, by status and owner only: the sum of a few
    `FeedCount` rows (kept by triggers), not a count of the items."""
    statements, params = _prepared(principal, feed)
    stmt = statements.count
    if common.status:
        stmt = stmt.where(FeedCount.status == common.status)
    if common.owner_organization_id is not None:
        stmt = stmt.where(FeedCount.owner_key == common.owner_organization_id)
    return int(session.scalar(stmt, params) or 0)


def create_item(session: Session, principal: Principal, feed: Feed[Item], data: BaseModel) -> Item:
    """A new draft owned by the caller's organisation."""
    values = data.model_dump()
    _check(session, feed, values, values.keys(), None)
    now = clock.now()
    item = feed.model(**values)
    item.status = FeedStatus.draft
    item.owner_organization_id = principal.org_id
    item.created_at = item.updated_at = now
    session.add(item)
    session.flush()
    search.index_item(session, feed.resource, item, feed.texts(item), new=True)
    record_audit(
        session,
        principal,
        f"{feed.resource}.create",
        resource_id=item.id,
        summary=changes({}, values),
    )
    return item


def update_item(
    session: Session,
    principal: Principal,
    feed: Feed[Item],
    item_id: int,
    data: BaseModel,
    if_match: str | None,
) -> Item:
    """Change the given fields; a published item's change is announced as `<resource>.updated`."""
    item = get_item(session, principal, feed, item_id)
    permissions.ensure_can_edit(
        principal, feed.policy, item.owner_organization_id, _published(item)
    )
    if if_match is not None and not _matches(if_match, item.version):
        raise PreconditionFailed(
            t(
                f"该{feed.label.zh}在您读取后已被修改（当前版本 {etag(item)}），请重新读取。",
                f"The {feed.label.en} changed since you read it (now {etag(item)}); read it again.",
            ),
            code="stale_version",
        )
    given = data.model_dump(exclude_unset=True)
    before = feed.values(item)
    patch = {k: v for k, v in given.items() if before[k] != v}
    if not patch:
        return item
    _check(session, feed, {**before, **patch}, patch.keys(), item)
    for field, value in patch.items():
        setattr(item, field, value)
    item.updated_at = clock.now()
    _flush(session, feed)
    if patch.keys() & set(feed.text_fields):
        search.index_item(session, feed.resource, item, feed.texts(item))
    record_audit(
        session,
        principal,
        f"{feed.resource}.update",
        resource_id=item.id,
        summary=changes(before, patch),
    )
    if _published(item):
        _announce(session, feed, item, "updated")
    return item


def publish_item(session: Session, principal: Principal, feed: Feed[Item], item_id: int) -> Item:
    """draft or withdrawn → published."""
    return _set_status(session, principal, feed, item_id, FeedStatus.published)


def withdraw_item(session: Session, principal: Principal, feed: Feed[Item], item_id: int) -> Item:
    """published → withdrawn: no longer public; it may be published again."""
    return _set_status(session, principal, feed, item_id, FeedStatus.withdrawn)


def delete_item(session: Session, principal: Principal, feed: Feed[Any], item_id: int) -> None:
    """Drafts only: what was published stays on record (withdraw it instead)."""
    item = get_item(session, principal, feed, item_id)
    # Who could change it, were it a draft, learns that it is not one (409).
    permissions.ensure_can_edit(principal, feed.policy, item.owner_organization_id, False)
    if item.status != FeedStatus.draft:
        raise Conflict(
            t(
                f"只能删除草稿；该{feed.label.zh}{labels.FEED_STATUS[item.status]}。",
                f"Only drafts can be deleted; this {feed.label.en} is {item.status.value}.",
            ),
            code="not_a_draft",
        )
    summary = {f: [getattr(item, f), None] for f in feed.text_fields[:1]}
    # The item's row first, then its terms, in the order of an edit (which locks the row,
    # then its terms through the copy trigger): the other order could deadlock with one.
    session.delete(item)
    _flush(session, feed)
    search.remove_item(session, feed.resource, item_id)
    record_audit(
        session, principal, f"{feed.resource}.delete", resource_id=item_id, summary=summary
    )


_VERBS = {FeedStatus.published: "published", FeedStatus.withdrawn: "withdrawn"}
_ACTIONS = {FeedStatus.published: "publish", FeedStatus.withdrawn: "withdraw"}


def _set_status(
    session: Session, principal: Principal, feed: Feed[Item], item_id: int, status: FeedStatus
) -> Item:
    item = get_item(session, principal, feed, item_id)
    if item.status == status:
        raise Conflict(
            t(
                f"该{feed.label.zh}{labels.FEED_STATUS[status]}。",
                f"The {feed.label.en} is already {status.value}.",
            ),
            code="already_published" if status == FeedStatus.published else "already_withdrawn",
        )
    if status == FeedStatus.withdrawn and item.status != FeedStatus.published:
        raise Conflict(
            t(
                f"只能撤回已发布的{feed.label.zh}。",
                f"Only a published {feed.label.en} can be withdrawn.",
            ),
            code="not_published",
        )
    before = item.status
    now = clock.now()
    item.status = status
    item.updated_at = now
    if status == FeedStatus.published:
        item.published_at = now
    else:
        item.withdrawn_at = now
    _flush(session, feed)
    record_audit(
        session,
        principal,
        f"{feed.resource}.{_ACTIONS[status]}",
        resource_id=item.id,
        summary=changes({"status": before}, {"status": status}),
    )
    _announce(session, feed, item, _VERBS[status])
    return item


def _announce(session: Session, feed: Feed[Any], item: Any, verb: str) -> None:
    record_event(
        session,
        f"{feed.resource}.{verb}",
        resource_id=item.id,
        data=feed.read.model_validate(item),
        organization_id=item.owner_organization_id,
        public=True,
    )


def _check(
    session: Session, feed: Feed[Any], values: dict[str, Any], changed: Any, item: Any | None
) -> None:
    problems = Problems(values, changed)
    feed.check(session, problems, item)
    problems.raise_if_any()


def _flush(session: Session, feed: Feed[Any]) -> None:
    """Write now; a concurrent change to the same version is a 412, not a lost update."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise PreconditionFailed(
            t(
                f"该{feed.label.zh}刚被其他请求修改，请重新读取。",
                f"The {feed.label.en} was changed by another request meanwhile; read it again.",
            ),
            code="stale_version",
        ) from exc


def _matches(if_match: str, version: int) -> bool:
    """`If-Match` holds `*` or our tag (weak or strong form) among its entity tags."""
    tags = {t.strip().removeprefix("W/") for t in if_match.split(",")}
    return "*" in tags or f'"{version}"' in tags


def publication_rows(feed: Feed[Any]) -> Callable[[Session, Any], Iterator[dict[str, Any]]]:
    """The feed as a publishable dataset: every item published at that moment, by id.

    A publication of a feed freezes the feed as the public sees it when the department
    publishes, whatever the period label says (items carry their own dates).
    """

    def rows(session: Session, _publication: Any) -> Iterator[dict[str, Any]]:
        stmt = (
            select(feed.model)
            .where(feed.model.status == FeedStatus.published)
            .order_by(feed.model.id)
        )
        for item in session.scalars(stmt):
            yield feed.read.model_validate(item).model_dump(mode="json")

    return rows
