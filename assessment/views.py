"""The pages /assessment/ (every village against the exit modules, the priority list, the
record checked against the map, household categories and the trends quarter by quarter),
/assessment/goals/ (the three goals) and /assessment/league/ (the income league table)."""
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from analysis.exit import RulesError
from gisplan.api import Refusal
from layers.exit_criteria import exit_rules, module_label
from layers.models import VillagePeriod
from layers.regions import county_of, works_in_a_county
from layers.roles import VIEW_DATA

from .charts import line_chart
from .goals import run_goals
from .league import run_league
from .periods import trends, worse
from .runs import AssessOptions, run_assessment

PRIORITY_LISTED = 50
LEAGUE_LISTED = 50  # households on the page; the API lists them all


@permission_required(VIEW_DATA, raise_exception=True)
def assessment_page(request):
    module = request.GET.get("module") or "standard"
    try:
        context = {"modules": [(name, module_label(name)) for name in exit_rules().modules],
                   "module": module}
        county = county_of(request)
        options = AssessOptions(module, county.adcode).checked()
    except RulesError as problem:  # a rules file broken since the server started
        return render(request, "assessment/assessment.html", {"problem": str(problem)},
                      status=500)
    except Refusal as problem:
        return render(request, "assessment/assessment.html",
                      {**context, "problem": str(problem)}, status=400)
    run = run_assessment(options)
    rows = list(run.rows())
    zone_names = {v["zone"]: v["zone_name"] for v in run.villages if v["zone"]}
    series, periods = [], VillagePeriod.objects.of_county(county)
    for trend in trends(periods):
        labels = [f"{y}Q{q}" for y, q in trend.periods]
        series.append({
            "name": zone_names.get(trend.zone, trend.zone) if trend.zone else _("County"),
            "chart": line_chart(labels, trend.poor_population),
            "rows": list(zip(labels, trend.villages, trend.poor_households,
                             trend.poor_population, trend.exited_households,
                             trend.returned_households, trend.new_households,
                             [None if i is None else f"{100 * i:.1f}%" for i in trend.incidence],
                             trend.income, trend.poor_income))})
    disagreeing = [(row, reasons) for row, reasons in
                   ((row, run.disagreements(i)) for i, row in enumerate(rows)) if reasons]
    priority = run.priority()
    query = "?" + urlencode({"module": run.options.module})
    context.update(run=run, rows=rows, priority=priority[:PRIORITY_LISTED],
                   priority_count=len(priority), categories=run.categories(),
                   series=series, worse=worse(periods), disagreeing=disagreeing,
                   module=run.options.module, module_name=module_label(run.options.module),
                   downloads={fmt: reverse("assessment_api:assessment") + f"{query}&format={fmt}"
                              for fmt in ("csv", "xlsx")})
    return render(request, "assessment/assessment.html", context)


@permission_required(VIEW_DATA, raise_exception=True)
def goals_page(request):
    try:
        run = run_goals(county_of(request))
    except Refusal as problem:  # a goals file broken since the server started
        return render(request, "assessment/goals.html", {"problem": str(problem)}, status=500)
    county = run.county
    charts = [(title, line_chart(run.quarters, values)) for title, values in (
        (_("poor population"), county.poor_population),
        (_("poverty incidence (%)"), [None if v is None else round(100 * v, 2)
                                      for v in county.incidence]),
        (_("poor households' income as a share of the county's rural average (%)"),
         [None if p is None or not c else round(100 * p / c, 1)
          for p, c in zip(county.poor_income, run.county_income)]),
        (_("households returned to poverty"), county.returned_households))]
    rows = [run.rows(area) for area in run.areas]
    return render(request, "assessment/goals.html", {
        "run": run, "targets": run.targets, "charts": charts, "county": rows[0],
        "standard": f"{100 * run.targets.incidence_below:g}%",
        "groups": [(None, rows[:1]), (_("Zones"), [r for r in rows if r["kind"] == "zone"]),
                   (_("Towns"), [r for r in rows if r["kind"] == "town"])],
        "latest": run.quarters[-1] if run.quarters else None})


@permission_required(VIEW_DATA, raise_exception=True)
def league_page(request):
    county, shown = county_of(request), works_in_a_county(request.user)
    try:
        run = run_league(county, request.GET.get("quarter") or None, with_households=shown)
    except Refusal as problem:
        return render(request, "assessment/league.html", {"problem": str(problem)}, status=400)
    before, quarter = run.labels
    return render(request, "assessment/league.html", {
        "run": run, "households": run.households[:LEAGUE_LISTED], "households_shown": shown,
        "quarter": quarter, "before": before})
