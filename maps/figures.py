"""The figures the portal shows: per zone of the plan in force and for the whole county."""
from dataclasses import dataclass

from django.db.models import Count, Sum

from layers.models import Industry, ServiceCenter, Village, Zone


@dataclass(frozen=True)
class AreaFigures:
    code: str  # zone code, or "" for the county
    name: str
    color: str
    villages: int
    households: int
    population: int
    poor_households: int
    poor_population: int
    exited: int
    centers: dict  # center kind -> existing and planned centers
    industries: dict  # industry kind -> projects
    households_driven: int

    @property
    def incidence(self):
        return self.poor_population / self.population if self.population else None


def _counts(queryset):
    return dict(queryset.values_list("kind").annotate(n=Count("pk")).order_by())


def area_figures(code, name, color, villages, centers, industries):
    totals = villages.totals()
    return AreaFigures(
        code, name, color, totals["villages"], totals["households"] or 0,
        totals["population"] or 0, totals["poor_households"] or 0,
        totals["poor_population"] or 0, totals["exited"], _counts(centers), _counts(industries),
        industries.aggregate(n=Sum("poor_households_driven"))["n"] or 0)


def zone_figures(zone):
    return area_figures(zone.code, zone.name, zone.color, Village.objects.in_zone(zone),
                        ServiceCenter.objects.in_zone(zone), Industry.objects.in_zone(zone))


def county_figures(county):
    """Figures for each zone in force, then for the whole county."""
    rows = [zone_figures(zone) for zone in Zone.objects.of_county(county).in_force().order_by("code")]
    rows.append(area_figures("", county.name, "", Village.objects.of_county(county),
                             ServiceCenter.objects.of_county(county),
                             Industry.objects.of_county(county)))
    return rows


def chart_bars(rows, value):
    """(row, value, width in % of the largest) for a horizontal bar chart of `value`."""
    values = [getattr(row, value) or 0 for row in rows]
    largest = max(values, default=0) or 1
    return [(row, v, round(100 * v / largest, 1)) for row, v in zip(rows, values)]
