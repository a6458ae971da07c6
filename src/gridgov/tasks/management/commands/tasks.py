"""``gridgov tasks roll``: spawn the next instance of recurring tasks and expire stale claims.
``gridgov tasks tallies``: check the claim tallies against the claims (``--rebuild`` recounts them)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.management.base import TranslatedCommand
from gridgov.tasks import services, tallies
from gridgov.triggers import check


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Task housekeeping. roll: spawn the next instance of recurring tasks and expire claims past their deadline. "
        "tallies: check the open claims' tallies against the claims (--rebuild recounts them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["roll", "tallies"],
                            help=gettext_lazy("roll: run the daily housekeeping now; tallies: check the tallies"))
        parser.add_argument("--rebuild", action="store_true", help=gettext_lazy("recount the tallies"))

    def handle(self, *args, action, rebuild=False, **options):
        if action == "tallies":
            return self.tallies(rebuild)
        spawned = services.tasks_roll()
        self.stdout.write(_("Spawned %(count)d recurring task instance(s).") % {"count": len(spawned)})

    def tallies(self, rebuild: bool) -> None:
        check(self, rebuild=rebuild, recount=tallies.rebuild, disagreements=tallies.disagreements,
              wrong=_("%(count)d claim tallies disagree with the claims; --rebuild recounts them."),
              right=_("The claim tallies agree with the claims."))
