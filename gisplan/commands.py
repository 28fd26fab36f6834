"""The base of gisplan's management commands: a refusal ends the command with its one-line
message and a non-zero exit, never a traceback."""
from django.core.management.base import BaseCommand, CommandError

from .api import REFUSALS, one_line


class RefusingCommand(BaseCommand):
    @staticmethod
    def add_county_argument(parser):
        """--county CODE, for a command that acts on one county (by default the main one)."""
        parser.add_argument("--county", metavar="CODE",
                            help="the county's 6-digit code (default: the installation's main county)")

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except REFUSALS as problem:
            raise CommandError(one_line(problem)) from None
