"""``gridgov tasks roll``: spawn the next instance of recurring tasks and expire stale claims."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.management.base import TranslatedCommand
from gridgov.tasks import services


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Task housekeeping. roll: spawn the next instance of recurring tasks and expire claims past their deadline."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["roll"], help=gettext_lazy("roll: run the daily housekeeping now"))

    def handle(self, *args, action, **options):
        spawned = services.tasks_roll()
        self.stdout.write(_("Spawned %(count)d recurring task instance(s).") % {"count": len(spawned)})
