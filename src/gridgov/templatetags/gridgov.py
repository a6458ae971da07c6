"""``{% form_token %}``: the one-time key every POST form carries (``gridgov.submissions``); ``{% pager page %}``: the
one pager under a paged list (``gridgov.pages.page_of``)."""

import uuid

from django import template
from django.utils.html import format_html

from gridgov.submissions import FORM_FIELD

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, uuid.uuid4().hex)


@register.inclusion_tag("_pager.html", takes_context=True)
def pager(context, page, previous="", next=""):  # noqa: A002 (the word the template says)
    """Where ``page`` (a ``Page``) sits in its list, with links to the pages either side that keep the request's
    other parameters (filters, the area chosen …). ``previous`` and ``next`` name the links where a list has
    its own words for them (a statement's "newer" and "older")."""
    request = context.get("request")
    kept = request.GET.copy() if request is not None else None
    if kept is not None:
        kept.pop("page", None)
    return {"page": page, "kept": kept.urlencode() if kept else "", "previous": previous, "next": next}
