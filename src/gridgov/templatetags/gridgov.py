"""``{% form_token %}``: the one-time key every POST form carries (``gridgov.submissions``)."""

import uuid

from django import template
from django.utils.html import format_html

from gridgov.submissions import FORM_FIELD

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, uuid.uuid4().hex)
