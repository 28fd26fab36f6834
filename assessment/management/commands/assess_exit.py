from pathlib import Path

from django.core.management.base import CommandError

from assessment.report import SUFFIXES, write_report
from assessment.runs import AssessOptions, run_assessment
from layers.commands import CountyCommand


class Command(CountyCommand):
    help = ("Assess every village against the exit modules, check the record against the map, "
            "and write one row per village (CSV, or XLSX laid out for printing with the priority "
            "list and the household categories).")

    def add_arguments(self, parser):
        parser.add_argument("--module", default="standard",
                            help="the module the priority list follows (standard or "
                                 "demonstration, or a module of GISPLAN_EXIT_RULES)")
        parser.add_argument("--out", type=Path, help="the output, .csv or .xlsx")
        self.add_county_arguments(parser)

    def handle(self, *args, module, out, county=None, **options):
        if out is not None:
            if out.suffix.lower() not in SUFFIXES:
                raise CommandError(f"--out must end in {' or '.join(SUFFIXES)}, not {out.name}")
            if not out.parent.is_dir():
                raise CommandError(f"no folder {out.parent} to write {out.name} into")
        run = run_assessment(AssessOptions(module, county))
        if out is not None:
            write_report(run, out)
        self.stdout.write(run.summary())
        for row in run.priority()[:10]:
            self.stdout.write(f"{row['rank']:>3}. {row['code']} {row['name']} ({row['zone']}) "
                              f"{row['poor_population']}: {row['what']}")
