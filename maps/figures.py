"""The figures the portal shows: per zone of the plan in force and for the whole county."""
from dataclasses import dataclass

from django.db.models import Count, Sum

from layers.models import County, Industry, ServiceCenter, Village, Zone


@dataclass(frozen=True)
class AreaFigures:
    name: str
    color: str
    villages: int
    households: int
    population: int
    poor_households: int
    poor_population: int
    exited: int
    centers: dict  # kind label -> count
    industries: int
    households_driven: int

    @property
    def incidence(self):
        return self.poor_population / self.population if self.population else None


def area_figures(name, color, villages, centers, industries):
    totals = villages.totals()
    by_kind = dict(ServiceCenter.Kind.choices)
    driven = industries.aggregate(n=Count("pk"), driven=Sum("poor_households_driven"))
    return AreaFigures(
        name, color, totals["villages"], totals["households"] or 0, totals["population"] or 0,
        totals["poor_households"] or 0, totals["poor_population"] or 0, totals["exited"],
        {by_kind[row["kind"]]: row["n"]
         for row in centers.values("kind").annotate(n=Count("pk")).order_by("kind")},
        driven["n"], driven["driven"] or 0)


def county_figures():
    """(county, [figures per zone in force..., figures for the county]) or (None, [])."""
    county = County.objects.first()
    if county is None:
        return None, []
    rows = [area_figures(zone.name, zone.color, Village.objects.in_zone(zone),
                         ServiceCenter.objects.in_zone(zone), Industry.objects.in_zone(zone))
            for zone in Zone.objects.in_force().order_by("code")]
    rows.append(area_figures(county.name, "", Village.objects.all(), ServiceCenter.objects.all(),
                             Industry.objects.all()))
    return county, rows
