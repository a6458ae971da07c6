"""What every router shares: the error body, the list page, and the types of the values the API accepts.

Kept apart from ``gridgov.api`` (which imports every router) so that an app's ``api.py`` can import them
without an import cycle.

Every value the API accepts has a documented range, checked before a view runs (422 ``invalid_request``):
ids and counts are bounded integers (nothing reaches the database that a 64-bit column, or SQLite,
cannot hold), text has the length of the column it lands in (nothing is cut to fit), a datetime without
a UTC offset is read in ``settings.TIME_ZONE`` (Asia/Shanghai), and dates lie between 2000 and 2099.
Business rules on top of these (a deadline in the future and at most a few years ahead, points within a
task's limit) stay with the services, which refuse with their own codes.
"""

import unicodedata
from datetime import date, datetime, time
from typing import Annotated, Generic, TypeVar

from django.utils import timezone
from ninja import Field, Form, Query, Schema
from pydantic import AfterValidator

from gridgov.limits import COUNT_MAX, EARLIEST_DATE, LATEST_DATE, aware  # noqa: F401  (COUNT_MAX for routers)

# ---------------------------------------------------------------------------------------------- errors


class ErrorOut(Schema):
    """Every error the API answers: a stable ``code`` (see the table in the API description) and a message."""

    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["No node with this code in your area."])
    errors: list[dict] | None = Field(None, description="The problems one by one, when there are several: the "
                                      "fields of a malformed request, the rows or features of a refused import.")


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The refusals an operation documents, each answered as ``ErrorOut``: ``response={200: X, **errors(403)}``.

    401 (no token), 422 (malformed input) and, for bodies, 413/415 are added to every operation that can
    answer them (``gridgov.api``); list here the statuses of the operation's own refusals.
    """
    return {status: ErrorOut for status in statuses}


# ---------------------------------------------------------------------------------------------- numbers

ID_MAX = 2**53 - 1  # an id a JavaScript client holds exactly; far above any row count of one installation


def _id_field(**extra):
    return Field(ge=1, le=ID_MAX, description="An id (1 to 2⁵³−1).", **extra)


Id = Annotated[int, _id_field()]
"""An object id in a body or a path (``{int:pk}``): 1 … 2⁵³−1; anything else is 422, not a database error."""

# ---------------------------------------------------------------------------------------------- text

_LINE_BREAKS = {"\n", "\r", "\t"}


def _unstorable(character: str) -> bool:
    """NUL (PostgreSQL's text cannot hold it) and lone surrogates (not encodable as UTF-8)."""
    return character == "\x00" or "\ud800" <= character <= "\udfff"


def unstorable_text(value: str) -> bool:
    return any(_unstorable(character) for character in value)


def _single_line(value: str) -> str:
    for character in value:
        if unicodedata.category(character) in ("Cc", "Cs", "Zl", "Zp"):
            raise ValueError("control characters and line breaks are not allowed here")
    return value


def _paragraphs(value: str) -> str:
    for character in value:
        if character not in _LINE_BREAKS and unicodedata.category(character) in ("Cc", "Cs"):
            raise ValueError("control characters are not allowed")
    return value


# The same rules for the OpenAPI document (and the clients generated from it); the validators give the message.
LINE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"
PARAGRAPHS_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"

Line = Annotated[str, AfterValidator(_single_line), Field(json_schema_extra={"pattern": LINE_PATTERN})]
"""One line of text (a title, a name, a reason): no control characters. Give it a ``max_length``."""

Paragraphs = Annotated[str, AfterValidator(_paragraphs), Field(json_schema_extra={"pattern": PARAGRAPHS_PATTERN})]
"""Text that may span lines (a description, evidence): tabs and line breaks, no other control characters."""


Coordinate = Annotated[str, Form("", max_length=32, description="Decimal degrees, e.g. 28.116; empty: none.")]
"""A latitude or longitude in a multipart form; the service refuses what is not a finite number in range."""


def max_length_of(model, field: str) -> int:
    """The column size of ``model.field``: the API refuses longer text instead of the database cutting it."""
    return model._meta.get_field(field).max_length


# ---------------------------------------------------------------------------------------------- time

DATE_RANGE = f"{EARLIEST_DATE.isoformat()} … {LATEST_DATE.isoformat()}"


def _datetime_in_range(value: datetime) -> datetime:
    value = aware(value)  # without a UTC offset: wall-clock time in Asia/Shanghai (what phones send)
    first = timezone.make_aware(datetime.combine(EARLIEST_DATE, time.min))
    last = timezone.make_aware(datetime.combine(LATEST_DATE, time.max))
    if not first <= value <= last:
        raise ValueError(f"the date must lie within {DATE_RANGE}")
    return value


def _date_in_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"the date must lie within {DATE_RANGE}")
    return value


IN_RANGE = {"pattern": "^20[0-9]{2}-"}  # 2000 … 2099, for the document: JSON Schema has no minimum for dates

DateTime = Annotated[datetime, AfterValidator(_datetime_in_range), Field(json_schema_extra=IN_RANGE)]
"""A datetime from 2000 to 2099; without a UTC offset it is read in Asia/Shanghai."""

Day = Annotated[date, AfterValidator(_date_in_range), Field(json_schema_extra=IN_RANGE)]
"""A date from 2000 to 2099."""


# ---------------------------------------------------------------------------------------------- lists

MAX_LIMIT = 500
DEFAULT_LIMIT = 100

Limit = Annotated[int, Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")]
Offset = Annotated[int, Query(0, ge=0, le=10**9, description="Items to skip.")]

Item = TypeVar("Item")


class Page(Schema, Generic[Item]):
    """One page of a list: every list endpoint answers this shape, with ``limit`` and ``offset`` parameters."""

    items: list[Item]
    count: int = Field(description="How many there are in all, before limit and offset.", examples=[532])
    limit: int = Field(examples=[DEFAULT_LIMIT])
    offset: int = Field(examples=[0])


def page(rows, *, limit: int, offset: int, build=None) -> dict:
    """One ``Page`` of ``rows`` (a queryset or a list); ``build`` turns the page's slice into its items.

    A page shorter than ``limit`` tells the count without a second query (the task square, polled by every
    worker's phone, usually fits in one page).
    """
    chunk = rows[offset : offset + limit]
    items = list(build(chunk) if build else chunk)
    if len(items) < limit and (items or offset == 0):
        count = offset + len(items)
    else:
        count = len(rows) if isinstance(rows, (list, tuple)) else rows.count()
    return {"items": items, "count": count, "limit": limit, "offset": offset}

