"""The inbox (站内消息): cards newest first, a tap opens the page to act on and marks the message read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.errors import NotFound
from gridgov.notifications import selectors, services
from gridgov.pages import page_of, person_of

PER_PAGE = 20


@login_required
def inbox(request):
    person = person_of(request)
    unread = request.GET.get("unread") == "1"
    page = page_of(request, selectors.inbox(person=person, unread=unread), per_page=PER_PAGE)
    return render(request, "notifications/inbox.html", {
        "page": page, "unread": unread, "unread_count": selectors.unread_count(person=person),
        "query": "unread=1" if unread else "",
    })


@login_required
@require_POST
def open_message(request, pk):
    """Mark the message read and go to its page (a POST: opening a message changes it)."""
    person = person_of(request)
    try:
        message = services.message_read(person=person, message_id=pk)
    except NotFound:
        raise Http404 from None
    if url_has_allowed_host_and_scheme(message.url, allowed_hosts=None):  # a path of this site, never elsewhere
        return redirect(message.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request):
    if services.messages_read_all(person=person_of(request)):
        messages.success(request, _("Every message is marked read."))
    return redirect("notifications:inbox")


@login_required
def badge(request):
    """The unread count for the page shell, polled by htmx."""
    person = person_of(request)
    return render(request, "notifications/_badge.html", {"unread_count": selectors.unread_count(person=person)})
