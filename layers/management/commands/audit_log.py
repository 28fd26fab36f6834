import csv
import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from layers import audit
from layers.commands import CountyCommand
from layers.regions import county_named
from layers.spreadsheets import csv_text


def day(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since must be a date like 2020-06-30, not {text!r}") from None


class Command(CountyCommand):
    help = ("Who created, changed or deleted which plan version, zone, village, service center, "
            "industry, road or river of the county, and when: newest first, as CSV on stdout.")
    needs = ("layers.view_zone",)  # as the audit log's page

    def add_arguments(self, parser):
        parser.add_argument("--user", help="only this user's changes")
        parser.add_argument("--model", choices=sorted(audit.AUDITED), help="only this kind of object")
        parser.add_argument("--since", help="only changes on or after this date (YYYY-MM-DD)")
        parser.add_argument("--limit", type=int, default=1000, help="at most this many (1000)")
        self.add_county_arguments(parser)

    def handle(self, *args, user, model, since, limit, county, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        changes = audit.changes(county_named(county), user=user, model=model,
                                since=since and day(since), limit=limit)
        out = csv.writer(self.stdout, lineterminator="\n")
        out.writerow(["at", "user", "action", "model", "object_id", "object", "fields", "note"])
        for change in changes:
            out.writerow([csv_text(value) for value in (
                timezone.localtime(change.at).isoformat(), change.user, change.action, change.model,
                change.object_id, change.label, "; ".join(change.fields), change.note)])
