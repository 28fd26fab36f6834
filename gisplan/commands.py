"""The base of gisplan's management commands: a refusal ends the command with its one-line
message and a non-zero exit, never a traceback."""
from django.core.management.base import BaseCommand, CommandError

from .api import REFUSALS, one_line


class RefusingCommand(BaseCommand):
    def prepare(self, options):
        """Check or complete the `options` before the command runs (a refusal ends it)."""

    def execute(self, *args, **options):
        try:
            self.prepare(options)
            return super().execute(*args, **options)
        except REFUSALS as problem:
            raise CommandError(one_line(problem)) from None
