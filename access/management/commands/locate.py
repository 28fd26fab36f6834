from access.runs import DEFAULT_TIME_LIMIT, MODELS, MODES, LocateOptions, run_locate
from access.tables import write_table
from layers.commands import CountyCommand
from layers.models import ServiceCenter
from layers.roles import RUN_ANALYSIS


class Command(CountyCommand):
    help = ("Where new service centers should go: location set covering (lscp), maximal covering "
            "(mclp), p-median or p-center, solved exactly with HiGHS over the villages weighted by "
            "poor population and the candidate sites (existing centers, village committees, town "
            "seats). One row per open site in --out; a summary line here.")
    needs = (RUN_ANALYSIS,)

    def add_arguments(self, parser):
        parser.add_argument("--service", required=True, choices=ServiceCenter.Kind.values)
        parser.add_argument("--model", required=True, choices=MODELS)
        parser.add_argument("--p", type=int, help="new sites to open (mclp, pmedian, pcenter)")
        parser.add_argument("--mode", choices=MODES,
                            help="network (default, unless --max-distance is given) or euclidean")
        reach = parser.add_mutually_exclusive_group()
        reach.add_argument("--max-distance", type=float, metavar="METRES")
        reach.add_argument("--max-minutes", type=float, metavar="MIN")
        parser.add_argument("--keep-existing", action="store_true",
                            help="the existing centers stay open; p counts new sites only")
        parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
                            help="then report the best solution found and its gap (default %(default)s)")
        parser.add_argument("--across-borders", action="store_true",
                            help="neighbouring counties' centers serve too, over their roads, and stay open")
        parser.add_argument("--capacities", action="store_true",
                            help="mclp and pmedian: each village whole to one site within the "
                                 "centers' capacities")
        parser.add_argument("--new-capacity", type=float, metavar="PEOPLE",
                            help="with --capacities: the people each new site takes (default: "
                                 "no limit)")
        parser.add_argument("--out", help="a .csv, .xlsx or .geojson file for the open sites")
        self.add_county_arguments(parser)

    def handle(self, *args, **options):
        mode = options["mode"] or ("euclidean" if options["max_distance"] is not None else "network")
        run = run_locate(LocateOptions(
            options["service"], options["model"], options["p"], mode, options["max_distance"],
            options["max_minutes"], options["keep_existing"], options["time_limit"],
            options["county"], options["across_borders"], options["capacities"],
            options["new_capacity"]))
        if options["out"]:
            write_table(run.rows(), options["out"], run.sites.lonlat()[run.solution.sites])
        self.stdout.write(run.summary())
