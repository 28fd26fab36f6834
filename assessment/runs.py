"""Village exit assessment on the county's data: both modules criterion by criterion with the
reason for each failure, the criteria the map can check against the record (a road near the
committee, a clinic within reach by road), a priority list and the household
categories. The command, the API and the page all write out an AssessmentRun.

The assessment covers the villages the exit rules apply to (layers.exit_criteria.EXIT_ASSESSED):
a residents' committee (社区) that was never a poor village is left out; its poor households
still count among the household categories."""
import math
from dataclasses import dataclass

import numpy as np
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from analysis.exit import assess
from analysis.network import nearest_by_road
from gisplan.api import Refusal
from layers import arrays
from layers.arrays import exit_columns
from layers.exit_criteria import EXIT_ASSESSED, exit_rules, failure_reason, module_label
from layers.models import Road, ServiceCenter, Village
from layers.networks import network_with
from layers.naming import village_label
from layers.regions import county_named

SEPARATOR = "；"
# The zones' service centers, each checked by road within the rules' services_within_minutes.
SERVICES = (ServiceCenter.Kind.RELIEF, ServiceCenter.Kind.AGRI_POLICY,
            ServiceCenter.Kind.ELDERLY_CARE, ServiceCenter.Kind.CHILDREN_CARE,
            ServiceCenter.Kind.HEALTH_CHECK)
CATEGORIES = ("poor_households", "industry_support_households", "livelihood_guarantee_households")


@dataclass(frozen=True)
class AssessOptions:
    module: str = "standard"  # the module the priority list and the summary follow
    county: str | None = None  # the county's 6-digit code; None: the main county

    def checked(self):
        """These options, or a Refusal with the reason."""
        county_named(self.county)
        if self.module not in exit_rules().modules:
            raise Refusal(_("unknown module %(module)s; choose one of %(modules)s")
                          % {"module": self.module,
                             "modules": ", ".join(exit_rules().modules)})
        return self


@dataclass(frozen=True)
class AssessmentRun:
    """Every village assessed (in code order) against every module of the rules in force."""

    options: AssessOptions
    villages: list  # dicts: code, name (the village's label), zone, zone_name, figures
    columns: dict  # the columns the modules read (layers.arrays.exit_columns)
    results: dict  # module name -> analysis.exit.Assessment
    road_on_map: np.ndarray  # bool: a road within the rules' distance of the committee
    clinic_minutes: np.ndarray | None  # by road to the nearest clinic of the rules'
    # clinic_kinds (None: no roads)
    services_covered: dict  # service kind -> bool per village: a center within reach by road
    committees: list  # dicts: zone, zone_name and CATEGORIES of every committee, assessed or not

    @property
    def rules(self):
        return exit_rules()

    def reasons(self, module, i):
        """Why village `i` fails `module`, one phrase per criterion missed."""
        result = self.results[module]
        criteria = self.rules.modules[module].criteria
        return [failure_reason(c, [self.columns[column][i] for column in c.columns])
                for c, met in zip(criteria, result.met[i]) if not met]

    @property
    def clinic_words(self):
        """The kinds of center that count as a clinic, in words ("village clinic")."""
        labels = dict(ServiceCenter.Kind.choices)
        return _(" or ").join(str(labels.get(kind, kind)) for kind in self.rules.clinic_kinds)

    def clinic_on_map(self, i):
        if self.clinic_minutes is None:
            return None
        return bool(self.clinic_minutes[i] <= self.rules.clinic_within_minutes)

    def disagreements(self, i):
        """Where the record and the map disagree about village `i`, in words."""
        out = []
        village = self.villages[i]
        road, recorded_road = bool(self.road_on_map[i]), village["road_connected"]
        metres = f"{self.rules.road_within_m:g}"
        if recorded_road and not road:
            out.append(_("recorded as road-connected, but no road is within %(m)s m of the "
                         "village committee") % {"m": metres})
        elif road and not recorded_road:
            out.append(_("a road passes within %(m)s m of the village committee, but the village "
                         "is recorded as not connected") % {"m": metres})
        clinic, recorded_clinic = self.clinic_on_map(i), village["has_clinic"]
        words = {"min": f"{self.rules.clinic_within_minutes:g}", "kinds": self.clinic_words}
        if clinic is not None and recorded_clinic and not clinic:
            out.append(_("recorded as having a clinic, but no %(kinds)s is within %(min)s "
                         "minutes by road") % words)
        elif clinic and not recorded_clinic:
            out.append(_("a %(kinds)s is within %(min)s minutes by road, but no clinic is "
                         "recorded") % words)
        return out

    def rows(self):
        """One dict per village: the columns of the assess_exit command's output."""
        for i, village in enumerate(self.villages):
            incidence = self.columns["incidence"][i]
            minutes = None if self.clinic_minutes is None else self.clinic_minutes[i]
            yield {
                "code": village["code"], "name": village["name"],
                "zone": village["zone_name"] or "",
                "population": village["population"],
                "poor_population": village["poor_population"],
                "incidence_pct": None if math.isnan(incidence) else round(100 * float(incidence), 2),
                **{f"{name}_pass": bool(result.passed[i]) for name, result in self.results.items()},
                **{f"{name}_failed": SEPARATOR.join(self.reasons(name, i))
                   for name in self.results},
                "road_on_map": bool(self.road_on_map[i]),
                "clinic_minutes": None if minutes is None or not np.isfinite(minutes)
                else round(float(minutes), 1),
                "record_vs_map": SEPARATOR.join(self.disagreements(i)),
                "services_out_of_reach": SEPARATOR.join(
                    str(ServiceCenter.Kind(kind).label)
                    for kind, covered in self.services_covered.items() if not covered[i]),
                "industry_support_households": village["industry_support_households"],
                "livelihood_guarantee_households": village["livelihood_guarantee_households"],
            }

    def priority(self):
        """The villages that fail the chosen module: the most poor people first, then those
        that miss the fewest criteria."""
        result = self.results[self.options.module]
        failing = np.flatnonzero(~result.passed)
        order = sorted(failing, key=lambda i: (-self.villages[i]["poor_population"],
                                               result.failures[i], self.villages[i]["code"]))
        return [{"rank": rank, "code": self.villages[i]["code"], "name": self.villages[i]["name"],
                 "zone": self.villages[i]["zone_name"] or "",
                 "poor_population": self.villages[i]["poor_population"],
                 "missing": int(result.failures[i]),
                 "what": SEPARATOR.join(self.reasons(self.options.module, i))}
                for rank, i in enumerate(order, 1)]

    def categories(self):
        """Poor households by category (产业扶持户, 民生保障户) per zone and for the county, in
        every committee: those left out of the assessment have poor households too."""
        def total(zone, name, villages):
            return {"zone": zone, "zone_name": name, "villages": len(villages),
                    **{field: sum(v[field] for v in villages) for field in CATEGORIES}}
        zones = {v["zone"]: v["zone_name"] for v in self.committees if v["zone"]}
        return [total(code, zones[code], [v for v in self.committees if v["zone"] == code])
                for code in sorted(zones)] + [total(None, _("County"), self.committees)]

    def summary(self):
        parts = [_("%(module)s: %(passed)d of %(villages)d villages pass")
                 % {"module": module_label(name), "passed": int(result.passed.sum()),
                    "villages": len(self.villages)} for name, result in self.results.items()]
        disagreeing = sum(1 for i in range(len(self.villages)) if self.disagreements(i))
        parts.append(_("%(count)d villages where the record and the map disagree")
                     % {"count": disagreeing})
        left_out = len(self.committees) - len(self.villages)
        if left_out:
            parts.append(_("%(count)d residents' committees not assessed: never poor villages")
                         % {"count": left_out})
        return "; ".join(parts)


def run_assessment(options=None):
    """Assess every village against the rules in force (`options`: AssessOptions, the standard
    module by default) and check the record against the map."""
    options = (options or AssessOptions()).checked()
    rules, county = exit_rules(), county_named(options.county)
    road_near = Road.objects.of_county(county).within_metres(OuterRef("location"), rules.road_within_m,
                                                            county.gk_srid)
    queryset = Village.objects.of_county(county).filter(EXIT_ASSESSED).order_by("code")
    villages = list(queryset.annotate(road_near=Exists(road_near), label=village_label()).values(
        "code", "label", "zone__code", "zone__name", "population", "poor_population",
        *CATEGORIES, "road_connected", "has_clinic", "road_near"))
    for village in villages:
        village["zone"], village["zone_name"] = village.pop("zone__code"), village.pop("zone__name")
        village["name"] = village.pop("label")
    committees = [{"zone": zone, "zone_name": name, **dict(zip(CATEGORIES, figures))}
                  for zone, name, *figures in Village.objects.of_county(county).values_list(
                      "zone__code", "zone__name", *CATEGORIES)]
    columns = exit_columns(queryset)
    results = {name: assess(module, columns) for name, module in rules.modules.items()}
    minutes, services = None, {}
    if Road.objects.of_county(county).exists():  # without roads nothing can be reached
        clinics = tuple(rules.clinic_kinds)  # village clinics only, unless the rules say more
        travel = road_minutes_to(county, tuple(dict.fromkeys(clinics + SERVICES)), queryset)
        minutes = np.minimum.reduce([travel[kind] for kind in clinics])
        services = {kind: travel[kind] <= rules.services_within_minutes for kind in SERVICES}
    return AssessmentRun(options, villages, columns, results,
                         np.array([v["road_near"] for v in villages], bool), minutes, services,
                         committees)


def road_minutes_to(county, kinds, queryset):
    """{kind: the minutes by road from each village of `queryset` to its nearest center of
    that kind in `county` (inf: none)}, in the villages' code order, on the county's kept road
    network (layers.networks)."""
    wanted = [("village", arrays.villages(county, queryset).ids),
              *(("center", arrays.centers([county], kind).ids) for kind in kinds)]
    kept, (origins, *destinations) = network_with([county], wanted)
    return {kind: nearest_by_road(kept.network, origins, places).cost
            for kind, places in zip(kinds, destinations)}
