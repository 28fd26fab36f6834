from access.runs import DEFAULT_METRES, DEFAULT_MINUTES, MODES, CoverageOptions, run_coverage
from access.tables import write_table
from layers.commands import CountyCommand
from layers.models import ServiceCenter
from layers.roles import RUN_ANALYSIS


class Command(CountyCommand):
    help = ("Which villages are within reach of a kind of service center: by road in travel minutes "
            "(default) or in a straight line. One row per village in --out; a summary line here.")
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
        parser.add_argument("--out", help="a .csv, .xlsx or .geojson file for the village rows")
        self.add_county_arguments(parser)

    def handle(self, *args, **options):
        mode = options["mode"] or ("euclidean" if options["max_distance"] is not None else "network")
        run = run_coverage(CoverageOptions(options["service"], mode, options["max_distance"],
                                           options["max_minutes"], options["planned"],
                                           county=options["county"],
                                           across_borders=options["across_borders"]))
        if options["out"]:
            write_table(run.rows(), options["out"], run.villages.xy)
        self.stdout.write(run.summary())
