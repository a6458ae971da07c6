"""What every ``gridgov`` command shares."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation


class TranslatedCommand(BaseCommand):
    """A command that speaks the site's language (zh-Hans), its ``help`` a lazy translation (``gettext_lazy``,
    as every user-facing string is).

    argparse wraps the description with a regular expression, which needs a real ``str``: the lazy text is
    made one when the parser is built. Argument helps may stay lazy: argparse only ever ``%``-formats them,
    which yields a ``str``. The command runs in ``LANGUAGE_CODE`` whatever a caller in the same process
    (a test, a task runner) last activated.
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            self.help = str(self.help)
            return super().create_parser(prog_name, subcommand, **kwargs)

    def execute(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            return super().execute(*args, **options)


def columns(text: str) -> int:
    """Terminal columns a text takes: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
