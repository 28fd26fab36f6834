from pathlib import Path

from assessment.api import IMPORT_PERMISSION
from assessment.periods import import_periods
from layers.commands import CountyCommand
from layers.models import Village
from layers.regions import county_named


class Command(CountyCommand):
    help = ("Import villages' quarterly statistics (XLSX or CSV keyed by village code, with "
            "year and quarter columns), all or nothing; quarters already held are kept, never "
            "overwritten. Each row's county is its code's; with --county (or --as) only that "
            "county's villages are taken.")
    needs = (IMPORT_PERMISSION,)

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--encoding", help="the text encoding of a CSV file (e.g. gbk)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and report, write nothing")
        self.add_county_arguments(parser)

    def handle(self, *args, path, dry_run, encoding, county, **options):
        villages = Village.objects.of_county(county_named(county)) if county else None
        report = import_periods(path, dry_run=dry_run, encoding=encoding, villages=villages)
        quarters = ", ".join(f"{y}Q{q}" for y, q in report.periods)
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(f"{verb} {report.rows} rows for {quarters}")
