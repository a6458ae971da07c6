"""``gridgov stats [--json]``: counts from every app listed in ``gridgov.demo.STATS``."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov import demo
from gridgov.management.base import TranslatedCommand, columns


class Command(TranslatedCommand):
    help = _("Print counts: organisations per kind, grids, micro-grids, people per role, and more.")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help=_("Print JSON (with the codes as keys) instead of a table."))

    def handle(self, *args, as_json: bool = False, **options):
        counts = demo.collect_stats()
        if as_json:
            self.stdout.write(dumps(counts))
        else:
            self.stdout.write("\n".join(lines(counts, labels())))


class MessageFigures(models.TextChoices):
    TOTAL = "total", _("All")
    UNREAD = "unread", _("Unread")


def labels() -> dict:
    """The words for each figure of ``collect_stats``; a nested figure's parts are the values of a choice
    class, whose labels name them."""
    from gridgov.bookings.models import BookingState
    from gridgov.indices.models import Colour
    from gridgov.orgs.models import NodeKind, Role
    from gridgov.reports.models import ReportState
    from gridgov.tasks.models import ClaimState, TaskState
    from gridgov.volunteers.models import NeedState

    return {
        "organisations": (_("Organisations per kind"), NodeKind),
        "grids": _("Grids"),
        "micro_grids": _("Micro-grids"),
        "people": _("People"),
        "people_per_role": (_("People per role"), Role),
        "points_issued": _("Points issued (grants less reversals)"),
        "points_redeemed": _("Points redeemed at merchants"),
        "points_outstanding": _("Points held by people"),
        "tasks": (_("Tasks per state"), TaskState),
        "task_claims": (_("Task claims per state"), ClaimState),
        "task_points_audited": _("Points of audited claims"),
        "notices": _("Notices"),
        "merchants": _("Merchants"),
        "merchants_active": _("Active merchants"),
        "catalogue_items": _("Catalogue items on offer"),
        "redemptions": _("Redemptions"),
        "redemption_points": _("Points redeemed"),
        "reports": (_("Reports per state"), ReportState),
        "reports_open": _("Open reports"),
        "reports_overdue": _("Overdue reports"),
        "alerts_open": _("Open alerts"),
        "bookings": (_("Education bases and bookings"), {
            "bases": _("Bases"), "routes": _("Routes"), "plans": _("Activity plans"),
            "bookings": (_("Bookings per state"), BookingState), "person_visits": _("Person-visits"),
            "ratings": _("Ratings")}),
        "volunteer_needs": (_("Volunteer needs per state"), NeedState),
        "volunteer_hours": _("Volunteer hours credited this year"),
        "callouts": _("Emergency call-outs"),
        "households": _("Households"),
        "household_members": _("People living in households"),
        "member_household_links": _("Member–household links"),
        "visits": _("Household visits this month"),
        "households_ranked": _("Households inspected and ranked this month"),
        "patrols": _("Patrol check-ins this month"),
        "boundaries": _("Nodes with a boundary"),
        "messages": (_("Messages in inboxes"), MessageFigures),
        "index_rule_sets": _("Index rule sets"),
        "index_runs": _("Index computations"),
        "index_runs_published": _("Index computations published"),
        "index_standings": _("Index standings"),
        "index_colours_published": (_("Published colour codes per colour"), Colour),
        "index_activities": _("Organisational-life activities"),
        "index_news_items": _("News items"),
        "index_assessments": _("Assessments of people"),
        "organisation_codes": _("Organisation QR codes"),
    }


def dumps(counts: dict) -> str:
    return json.dumps(counts, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def lines(counts: dict, words: dict, indent: str = ""):
    """One line per figure, its words padded to one column; nested figures indented under their heading.
    A figure without words (an app added to ``STATS`` but not here) shows its code."""
    named = {}
    for key, value in counts.items():
        label = words.get(key, key)
        named[key] = (str(label[0] if isinstance(label, tuple) else label), value, label)
    width = max((columns(text) for text, _value, _label in named.values()), default=0)
    for text, value, label in named.values():
        if isinstance(value, dict):
            choices = label[1] if isinstance(label, tuple) else None
            inner = choices if isinstance(choices, dict) else dict(choices.choices) if choices else {}
            yield f"{indent}{text}"
            yield from lines(value, inner, indent + "  ")
        else:
            shown = f"{value:,}" if isinstance(value, int) else value
            yield f"{indent}{text}{' ' * (width - columns(text))}  {shown}"
