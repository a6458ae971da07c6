"""The inbox in the JSON API: my messages, the unread count, marking read. Someone else's message is 404."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from gridgov.api_schemas import Id, Limit, Offset, Page, errors, page
from gridgov.notifications import selectors, services

router = Router(tags=["messages"])


class MessageOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str = Field(description="The page to act on (a path of this site).")
    node_code: str | None = Field(None, description="The place the message is about.")
    node_name: str | None = None
    count: int = Field(description="How many events the message stands for (grouped when many arrive at once).")
    created_at: datetime
    updated_at: datetime = Field(description="The latest event; the inbox is ordered by it, newest first.")
    read_at: datetime | None

    @staticmethod
    def resolve_node_code(message):
        return message.node.code if message.node_id else None

    @staticmethod
    def resolve_node_name(message):
        return message.node.name if message.node_id else None


class UnreadOut(Schema):
    count: int


class ReadAllOut(Schema):
    marked: int = Field(description="How many unread messages were marked read.")


@router.get("/messages", response=Page[MessageOut], summary="My messages, the latest first")
def inbox(request, limit: Limit = 100, offset: Offset = 0,
          unread: bool = Query(False, description="Only the unread ones.")):
    return page(selectors.inbox(person=request.person, unread=unread), limit=limit, offset=offset)


@router.get("/messages/unread-count", response=UnreadOut, summary="How many of my messages are unread")
def unread_count(request):
    return {"count": selectors.unread_count(person=request.person)}


@router.post("/messages/{int:message_id}/read", response={200: MessageOut, **errors(404)},
             summary="Mark one of my messages read")
def read(request, message_id: Id):
    services.message_read(person=request.person, message_id=message_id)
    return selectors.message_of(person=request.person, message_id=message_id)


@router.post("/messages/read-all", response=ReadAllOut, summary="Mark all my messages read")
def read_all(request):
    return {"marked": services.messages_read_all(person=request.person)}
