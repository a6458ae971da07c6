"""``gridgov.widgets.QuickSelect`` draws the same select as Django's template-rendered one."""

import re

from django import forms

from gridgov.widgets import QuickSelect


class Places(forms.Form):
    place = forms.ChoiceField(choices=[("", "—"), ("1", "东门社区"), ("2", "<b>&\"西门\"")], required=False)


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_a_quick_select_is_the_django_select_without_its_whitespace():
    for value in (None, "1", "2", "nowhere"):
        plain = Places(initial={"place": value})
        quick = Places(initial={"place": value})
        quick.fields["place"].widget = QuickSelect(choices=quick.fields["place"].choices, attrs={"class": "x"})
        plain.fields["place"].widget = forms.Select(choices=plain.fields["place"].choices, attrs={"class": "x"})
        assert squeezed(str(quick["place"])) == squeezed(str(plain["place"]))
    # The labels are escaped, the chosen one is marked.
    drawn = QuickSelect(choices=Places.base_fields["place"].choices).render("place", "2")
    assert '<option value="2" selected>&lt;b&gt;&amp;&quot;西门&quot;</option>' in drawn
