"""``{% load gridgov_permissions %}``: offer a link only to someone who may open it."""

from django import template

from gridgov.orgs import permissions

register = template.Library()


@register.filter
def may_somewhere(person, action: str) -> bool:
    """``{% if person|may_somewhere:"indices.record" %}``: the person holds a role that allows ``action`` somewhere."""
    return permissions.may_somewhere(person, action)
