import numpy as np
from django.utils.translation import gettext as _

from access.runs import (DEFAULT_METRES, DEFAULT_MINUTES, MODES, CoverageOptions, region_summary,
                         run_coverage, run_region_coverage)
from access.tables import write_table
from gisplan.api import Refusal
from layers.commands import CountyCommand
from layers.models import ServiceCenter
from layers.regions import region_name, region_named
from layers.roles import RUN_ANALYSIS


class Command(CountyCommand):
    help = ("Which villages are within reach of a kind of service center: by road in travel minutes "
            "(default) or in a straight line. One row per village in --out; a summary line here. "
            "With --region, every county of a city or the province, across borders.")
    needs = (RUN_ANALYSIS,)

    def add_arguments(self, parser):
        parser.add_argument("--service", required=True, choices=ServiceCenter.Kind.values,
                            help="the kind of center")
        parser.add_argument("--mode", choices=MODES,
                            help="network: travel minutes on the roads (the default, unless "
                                 "--max-distance is given); euclidean: metres in a straight line")
        reach = parser.add_mutually_exclusive_group()
        reach.add_argument("--max-distance", type=float, metavar="METRES",
                           help=f"euclidean threshold (default {DEFAULT_METRES:g})")
        reach.add_argument("--max-minutes", type=float, metavar="MIN",
                           help=f"network threshold (default {DEFAULT_MINUTES:g})")
        parser.add_argument("--planned", action="store_true", help="count planned centers too")
        parser.add_argument("--across-borders", action="store_true",
                            help="neighbouring counties' centers serve too, over their roads")
        parser.add_argument("--capacities", action="store_true",
                            help="also send each village whole to one center within the centers' "
                                 "capacities (least total travel), and say which are over capacity")
        parser.add_argument("--out", help="a .csv, .xlsx or .geojson file for the village rows")
        self.add_county_arguments(parser)
        parser.add_argument("--region", metavar="CODE",
                            help="every county of a city (4 digits) or the province (2), each "
                                 "served across borders; a line per county and the region's")

    def prepare(self, options):
        if options.get("region") and options.get("county"):
            raise Refusal(_("name a county or a region, not both"))
        if options.get("region") and options.get("capacities"):
            raise Refusal(_("capacities are reported for one county at a time, not a region"))
        super().prepare(options)
        if options.get("region"):
            region_named(options["region"], options.get("user"))

    def handle(self, *args, **options):
        mode = options["mode"] or ("euclidean" if options["max_distance"] is not None else "network")
        coverage = CoverageOptions(options["service"], mode, options["max_distance"],
                                   options["max_minutes"], options["planned"],
                                   county=options["county"], across_borders=options["across_borders"],
                                   capacities=options["capacities"])
        if not options["region"]:
            run = run_coverage(coverage)
            if options["out"]:
                write_table(run.rows(), options["out"], run.villages.lonlat())
            self.stdout.write(run.summary())
            if run.capacity_summary():
                self.stdout.write(run.capacity_summary())
            return
        runs = run_region_coverage(coverage, options["region"])
        if options["out"]:  # the rows of every county, each with its county's code
            write_table([{"county": run.options.county, **row} for run in runs for row in run.rows()],
                        options["out"], np.concatenate([run.villages.lonlat() for run in runs]))
        for run in runs:
            self.stdout.write(f"{region_name(run.options.county)}: {run.summary()}")
        self.stdout.write(region_summary(runs, region_name(options["region"])))
