"""``gridgov tasks roll``: spawn the next instance of recurring tasks and expire stale claims."""

from django.core.management.base import BaseCommand

from gridgov.tasks import services


class Command(BaseCommand):
    help = "Task housekeeping. 'roll': next instances of recurring tasks, and expiry of claims past the deadline."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["roll"])

    def handle(self, *args, action, **options):
        spawned = services.tasks_roll()
        self.stdout.write(f"spawned {len(spawned)} recurring task instance(s)")
