"""Form widgets the apps share. Foundation: it imports no app.

``QuickSelect`` is Django's ``Select`` written out in Python: Django renders each option through two template
includes, which for the places of a street (500 and more: its communities, grids and micro-grids) was most of
the page's time (60 ms of the volunteer need form at a street of a province, issue 18). The HTML is the same
but for whitespace. Option groups are not drawn: it is for flat lists (the model choice fields).
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join("", "<option value=\"{}\"{}>{}</option>", (
            ("" if option["value"] is None else str(option["value"]), flatatt(option["attrs"]), option["label"])
            for _group, choices, _index in widget["optgroups"] for option in choices))
        return format_html("<select name=\"{}\"{}>{}</select>", widget["name"], flatatt(widget["attrs"]), options)
