"""GET /api/assessment/: every village against the exit modules, the record checked against the
map, the priority list and the household categories; ?format=csv|xlsx for the file. trends/:
the figures by quarter; goals/: the three goals; league/: the income league table. Errors are
JSON {"error": "..."}: 400 bad options, 401 anonymous, 403 without the view permission
(gisplan/api.py)."""
import tempfile

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.gzip import gzip_page

from gisplan.api import Refusal, answer, attachment, endpoint, flag
from layers.forms import sent_file
from layers.models import Village, VillagePeriod
from layers.regions import county_of, works_in_a_county
from layers.roles import VIEW_DATA

from .goals import run_goals
from .league import run_league
from .periods import import_periods, trends, worse
from .report import SUFFIXES, write_report
from .runs import AssessOptions, run_assessment

IMPORT_PERMISSION = "layers.add_villageperiod"
DENIED = gettext_lazy("your role may not view villages")


@endpoint("GET", permission=VIEW_DATA, denied=DENIED)
@gzip_page
def assessment(request):
    fmt = request.GET.get("format") or "json"
    if fmt != "json" and f".{fmt}" not in SUFFIXES:
        raise Refusal(_("format is json, csv or xlsx"))
    run = run_assessment(AssessOptions(request.GET.get("module") or "standard",
                                       county_of(request).adcode))
    if fmt != "json":
        return attachment(f"exit-assessment.{fmt}", lambda path: write_report(run, path))
    rules = run.rules
    return answer({
        "summary": run.summary(), "module": run.options.module,
        "map_checks": {"road_within_m": rules.road_within_m,
                       "clinic_within_minutes": rules.clinic_within_minutes,
                       "clinic_kinds": list(rules.clinic_kinds)},
        "villages": list(run.rows()), "priority": run.priority(),
        "categories": run.categories()})


@endpoint("GET", permission=VIEW_DATA, denied=DENIED)
@gzip_page
def trend(request):
    """The county's and each zone's figures quarter by quarter, and the villages that got worse
    in the latest quarter."""
    periods = VillagePeriod.objects.of_county(county_of(request))
    return answer({
        "trends": [{**vars(t), "periods": [f"{y}Q{q}" for y, q in t.periods]}
                   for t in trends(periods)],
        "worse": worse(periods)})


@endpoint("GET", permission=VIEW_DATA, denied=DENIED)
@gzip_page
def goals(request):
    """The three goals: each indicator now, by quarter and what remains, for the county, each
    zone and each town."""
    return answer(run_goals(county_of(request)).as_json())


@endpoint("GET", permission=VIEW_DATA, denied=DENIED)
@gzip_page
def league_table(request):
    """Households (by code), villages and towns ranked by the growth of their poor per-capita
    net income over `quarter` (2017Q2; the latest by default)."""
    run = run_league(county_of(request), request.GET.get("quarter") or None,
                     with_households=works_in_a_county(request.user))
    before, quarter = run.labels
    return answer({"quarter": quarter, "before": before, "quarters": run.quarters,
                   "households": run.households, "villages": run.villages, "towns": run.towns})


@endpoint("POST", permission=IMPORT_PERMISSION,
          denied=gettext_lazy("only planners import statistics"))
def periods(request):
    """Import a quarter's statistics of the county's villages: multipart `file` (.xlsx or
    .csv), `encoding`, `dry_run=true`."""
    villages = Village.objects.of_county(county_of(request))  # another county's: not found
    with tempfile.TemporaryDirectory() as folder:
        report = import_periods(sent_file(request, folder), dry_run=flag(request.POST, "dry_run"),
                                encoding=request.POST.get("encoding") or None, villages=villages)
    return answer({"rows": report.rows, "dry_run": report.dry_run,
                   "periods": [f"{y}Q{q}" for y, q in report.periods]},
                  status=200 if report.dry_run else 201)
