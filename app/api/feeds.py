"""What the four government feeds' routes share: ETags and the
workflow routes (get, publish, withdraw, delete), registered once per feed."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response, status

from app.api.deps import OptionalPrincipal, SessionDep, Writer, require_department
from app.api.openapi import FEED_MOVED, responses
from app.schemas.common import Id
from app.services.feeds import workflow
from app.services.feeds.workflow import Feed
from app.services.permissions import Principal

IfMatch = Annotated[
    str | None,
    Header(description='The ETag (W/"<version>") you read; a stale one answers 412'),
]


def with_etag(response: Response, item: Any) -> Any:
    response.headers["ETag"] = workflow.etag(item)
    return item


def add_workflow_routes(router: APIRouter, feed: Feed[Any], noun: str, domain: str) -> None:
    """GET and DELETE /{item_id}, POST /{item_id}/publish and /withdraw for `feed`;
    their operation ids are `<domain>_get`, `_publish`, `_withdraw` and `_delete`."""
    Read = feed.read
    Publisher = Annotated[Principal, Depends(require_department(*feed.policy.publishers))]
    publishers = " or ".join(d.value for d in feed.policy.publishers)

    @router.get(
        "/{item_id}",
        operation_id=f"{domain}_get",
        response_model=Read,
        summary=f"Get a {noun}",
        responses=responses(404, headers=["ETag"]),
    )
    def get_item(
        item_id: Id, principal: OptionalPrincipal, session: SessionDep, response: Response
    ) -> Any:
        """Published ones for everybody, drafts for their owner and the publisher; with an ETag."""
        return with_etag(response, workflow.get_item(session, principal, feed, item_id))

    @router.post(
        "/{item_id}/publish",
        operation_id=f"{domain}_publish",
        response_model=Read,
        summary=f"Publish a {noun}",
        responses=FEED_MOVED,
        description=f"draft or withdrawn → published, by {publishers} (or a platform admin). "
        f"Writes a `{feed.resource}.published` event.",
    )
    def publish(item_id: Id, principal: Publisher, session: SessionDep, response: Response) -> Any:
        return with_etag(response, workflow.publish_item(session, principal, feed, item_id))

    @router.post(
        "/{item_id}/withdraw",
        operation_id=f"{domain}_withdraw",
        response_model=Read,
        summary=f"Withdraw a {noun}",
        responses=FEED_MOVED,
        description=f"published → withdrawn, by {publishers} (or a platform admin). "
        f"Writes a `{feed.resource}.withdrawn` event; it may be published again.",
    )
    def withdraw(item_id: Id, principal: Publisher, session: SessionDep, response: Response) -> Any:
        return with_etag(response, workflow.withdraw_item(session, principal, feed, item_id))

    @router.delete(
        "/{item_id}",
        operation_id=f"{domain}_delete",
        status_code=status.HTTP_204_NO_CONTENT,
        summary=f"Delete a draft {noun}",
        responses=responses(404, 409),
    )
    def delete(item_id: Id, principal: Writer, session: SessionDep) -> None:
        """Drafts only (409 otherwise: withdraw a published item instead)."""
        workflow.delete_item(session, principal, feed, item_id)
