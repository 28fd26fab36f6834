from pathlib import Path

from assessment.periods import import_periods
from gisplan.commands import RefusingCommand


class Command(RefusingCommand):
    help = ("Import villages' quarterly statistics (XLSX or CSV keyed by village code, with "
            "year and quarter columns), all or nothing; quarters already held are kept, never "
            "overwritten.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--encoding", help="the text encoding of a CSV file (e.g. gbk)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and report, write nothing")

    def handle(self, *args, path, dry_run, encoding, **options):
        report = import_periods(path, dry_run=dry_run, encoding=encoding)
        quarters = ", ".join(f"{y}Q{q}" for y, q in report.periods)
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(f"{verb} {report.rows} rows for {quarters}")
