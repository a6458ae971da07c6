"""``gridgov stats [--json]``: counts from every app listed in ``gridgov.demo.STATS``."""

import json

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy

from gridgov import demo


class Command(BaseCommand):
    help = gettext_lazy("Print counts: organisations per kind, grids, micro-grids, people per role, and more.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help=gettext_lazy("Print JSON instead of a table.")
        )

    def handle(self, *args, as_json: bool = False, **options):
        counts = demo.collect_stats()
        if as_json:
            self.stdout.write(dumps(counts))
        else:
            self.stdout.write("\n".join(lines(counts)))


def dumps(counts: dict) -> str:
    return json.dumps(counts, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def lines(counts: dict, indent: str = ""):
    """One line per figure, nested figures indented under their heading."""
    width = max((len(str(key)) for key in counts), default=0)
    for key, value in counts.items():
        if isinstance(value, dict):
            yield f"{indent}{key}"
            yield from lines(value, indent + "  ")
        else:
            yield f"{indent}{str(key).ljust(width)}  {value}"
