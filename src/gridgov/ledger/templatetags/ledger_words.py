"""``memo|memo_words``: a statement line's memo in words.

Memos are stored text. Older databases hold memos written in English by the system ("report #57",
"Reverses #12"); those known patterns read in the page's language, anything else shows as written.
"""

import re

from django import template
from django.utils.translation import gettext as _

register = template.Library()

PATTERNS = [
    (re.compile(r"^report #(\d+)$"), lambda match: _("Resident report no. %(number)s") % {"number": match[1]}),
    (re.compile(r"^Reverses #(\d+)$"), lambda match: _("Reverses posting no. %(sequence)s") % {"sequence": match[1]}),
]


@register.filter
def memo_words(memo) -> str:
    text = str(memo or "")
    for pattern, words in PATTERNS:
        match = pattern.match(text)
        if match:
            return words(match)
    return text
