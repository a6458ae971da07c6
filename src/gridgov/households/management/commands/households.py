"""``gridgov households bulletin``: compute the weekly village bulletin (红榜村 / 黑榜村) of every street, or one.
``gridgov households tallies``: check the coverage tallies against the rows (``--rebuild`` recounts them)."""

from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.errors import DomainError
from gridgov.households import tallies, villages
from gridgov.management.base import TranslatedCommand
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.permissions import SYSTEM
from gridgov.triggers import check


class Command(TranslatedCommand):
    help = gettext_lazy("Households. bulletin: compute last week's village bulletin (or --week 2026-11-30) of every "
                        "street, or --street CODE; a week computed before is left as it was. tallies: check the "
                        "coverage tallies against the households and links (--rebuild recounts them).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["bulletin", "tallies"], help=gettext_lazy("bulletin or tallies"))
        parser.add_argument("--week", help=gettext_lazy("a day of the week (2026-11-30)"))
        parser.add_argument("--street", help=gettext_lazy("the street's code"))
        parser.add_argument("--rebuild", action="store_true", help=gettext_lazy("recount the tallies"))

    def handle(self, *args, action, week=None, street=None, rebuild=False, **options):
        if action == "tallies":
            return self.tallies(rebuild)
        try:
            day = date.fromisoformat(week) if week else None
        except ValueError:
            raise CommandError(_("--week is a date, e.g. --week 2026-11-30.")) from None
        streets = Node.objects.filter(kind=NodeKind.STREET).order_by("path")
        if street:
            streets = streets.filter(code=street)
            if not streets.exists():
                raise CommandError(_("No street with the code %(code)s.") % {"code": street})
        for found in streets:
            try:
                bulletin, created = villages.bulletin_compute(actor=SYSTEM, street=found, week=day)
            except DomainError as error:
                raise CommandError(str(error.message)) from None
            words = _("computed") if created else _("already computed")
            self.stdout.write(f"{found.name} {bulletin.week:%Y-%m-%d}: {words}")

    def tallies(self, rebuild: bool) -> None:
        check(self, rebuild=rebuild, recount=tallies.rebuild, disagreements=tallies.disagreements,
              wrong=_("%(count)d coverage tallies disagree with the rows; --rebuild recounts them."),
              right=_("The coverage tallies agree with the households and links."))
