from pathlib import Path

from django.utils.translation import gettext as _
from tqdm import tqdm

from access.tables import write_table
from batches.cluster import new_batch, resumed, run_on_cluster, workers_here
from batches.models import ANALYSES
from batches.report import export_rows, summary
from gisplan.api import Refusal
from gisplan.commands import RefusingCommand
from layers.regions import acting_as
from layers.roles import RUN_ANALYSIS


def names(text):
    return [word for word in (text or "").split(",") if word]


class Command(RefusingCommand):
    help = ("Every county of a city or the province through coverage, the exit assessment and "
            "industry siting at once, one task per county and analysis on a Dask cluster: the "
            "scheduler of --scheduler, or worker processes started here for the batch "
            "(GISPLAN_DASK_WORKERS). A progress bar, then one line: what succeeded and what "
            "failed, with why. --resume runs again only what a batch lacks.")

    def add_arguments(self, parser):
        parser.add_argument("--region", metavar="CODE",
                            help="the city (4 digits) or the province (2) whose counties to run")
        parser.add_argument("--analyses", default=",".join(ANALYSES),
                            help=f"some of {','.join(ANALYSES)} (default: all)")
        parser.add_argument("--services", help="the kinds of center coverage runs, comma "
                                               "separated (default: every kind)")
        parser.add_argument("--industries", help="the industries siting runs, comma separated "
                                                 "(default: every industry with a profile)")
        parser.add_argument("--scheduler", metavar="ADDRESS",
                            help="a running Dask scheduler, tcp://HOST:8786 (make cluster)")
        parser.add_argument("--workers", type=int, metavar="N",
                            help="worker processes started here without --scheduler (default: "
                                 "GISPLAN_DASK_WORKERS, else one per core)")
        parser.add_argument("--resume", metavar="BATCH",
                            help="run the tasks batch BATCH lacks, or whose earlier run failed")
        parser.add_argument("--out", help="a .csv or .xlsx file for the batch's figures")
        parser.add_argument("--as", dest="as_user", metavar="USER",
                            help="act as this user: a region outside theirs is not found")

    def prepare(self, options):
        if bool(options["region"]) == bool(options["resume"]):
            raise Refusal(_("give --region for a new batch or --resume for an earlier one"))
        if options["workers"] is not None and not 1 <= options["workers"] <= 64:
            raise Refusal(_("--workers is a whole number from 1 to 64"))
        if not options["scheduler"] and options["workers"] is None:
            workers_here()  # GISPLAN_DASK_WORKERS checked before anything is written
        out = Path(options["out"]) if options["out"] else None
        if out and (out.suffix.lower() not in (".csv", ".xlsx") or not out.parent.is_dir()):
            raise Refusal(_("--out is a .csv or .xlsx file in a folder that exists"))
        options["user"] = None
        if options["as_user"]:
            options["user"], _county = acting_as(options["as_user"], None, (RUN_ANALYSIS,))
        if options["resume"]:
            options["batch"] = resumed(options["resume"], options["user"])
        else:
            options["batch"] = new_batch(options["region"], names(options["analyses"]),
                                         names(options["services"]), names(options["industries"]),
                                         options["user"])

    def handle(self, *args, **options):
        batch = options["batch"]
        with tqdm(desc=f"batch {batch.pk}", unit="task", disable=options["verbosity"] == 0) as bar:
            def progress(done, total, task, status):
                bar.total = total
                bar.n = done
                if task:
                    bar.set_postfix_str(f"{task[1]} {task[0]} {status}", refresh=False)
                bar.refresh()

            batch = run_on_cluster(batch, options["scheduler"], options["workers"], progress)
        if options["out"]:
            write_table(export_rows(batch, batch.results.with_counties()),
                        options["out"])
        self.stdout.write(summary(batch))
