from pathlib import Path

from households.importing import import_households
from households.models import IMPORT_PERMISSIONS
from layers.commands import CountyCommand
from layers.models import Village
from layers.regions import county_named


class Command(CountyCommand):
    help = ("Import the county's register of poor households (XLSX or CSV, one row per member "
            "as the national system exports it: 户编号, 姓名, 证件号码, 与户主关系, ...), all or "
            "nothing; a changed status is added to the household's log; the village figures "
            "are then counted from the register.")
    needs = IMPORT_PERMISSIONS

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--encoding", help="the text encoding of a CSV file (e.g. gbk)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and report, write nothing")
        self.add_county_arguments(parser)

    def handle(self, *args, path, dry_run, encoding, county, **options):
        report = import_households(path, dry_run=dry_run, encoding=encoding,
                                   villages=Village.objects.of_county(county_named(county)),
                                   user=options.get("user"))
        self.stdout.write(report.summary())
