"""Two plan versions side by side: figures per zone, and the land and villages that change zone."""
from dataclasses import dataclass

from layers.geojson import collection, feature, lonlat
from layers.models import Village
from layers.partition import changed_areas, moves

from .edits import partition_of, places


@dataclass(frozen=True)
class ZoneFigures:
    """A zone's land and people under one version (villages by their committee's location)."""

    code: str
    name: str
    color: str
    area_km2: float
    villages: int
    households: int
    population: int
    poor_households: int
    poor_population: int

    @property
    def incidence(self):
        return self.poor_population / self.population if self.population else None


def figures(plan):
    """ZoneFigures for each zone of `plan`, by code."""
    result = {}
    for zone in plan.zones.all():
        totals = Village.objects.of_county(plan.county_id).filter(location__within=zone.boundary).totals()
        result[zone.code] = ZoneFigures(
            zone.code, zone.name, zone.color, plan.county.area_km2(zone.boundary), totals["villages"],
            *(totals[k] or 0 for k in ("households", "population", "poor_households", "poor_population")))
    return result


@dataclass(frozen=True)
class Comparison:
    first: object  # PlanVersion
    second: object
    rows: list  # (code, ZoneFigures or None, ZoneFigures or None)
    moves: list  # partition.Move from the first version to the second
    changed: list  # (source code, target code, MultiPolygon) land that changed zone

    @property
    def names(self):
        """Zone code -> name (the second version's where both have the zone)."""
        return {code: (b or a).name for code, a, b in self.rows}


def compare(first, second):
    a, b = figures(first), figures(second)
    before, after = partition_of(first.zones.all()), partition_of(second.zones.all())
    return Comparison(first, second, [(code, a.get(code), b.get(code)) for code in sorted({*a, *b})],
                      moves(before, after, places(first), first.county.gk_srid),
                      changed_areas(before, after))


def move_data(move):
    return {"from": move.source, "to": move.target, "area_km2": round(move.area_km2, 3),
            "villages": list(move.villages), "households": move.households,
            "population": move.population, "poor_population": move.poor_population}


def _figures_data(f):
    if f is None:
        return None
    return {"name": f.name, "area_km2": round(f.area_km2, 3), "villages": f.villages,
            "households": f.households, "population": f.population,
            "poor_households": f.poor_households, "poor_population": f.poor_population,
            "incidence": None if f.incidence is None else round(f.incidence, 4)}


def comparison_data(c):
    """The comparison as JSON-ready data; the changed land as a FeatureCollection in lon/lat."""
    return {
        "a": {"id": c.first.pk, "name": c.first.name}, "b": {"id": c.second.pk, "name": c.second.name},
        "zones": [{"code": code, "a": _figures_data(fa), "b": _figures_data(fb)} for code, fa, fb in c.rows],
        "moves": [move_data(m) for m in c.moves],
        "changed": collection(feature(lonlat(g), {"from": s, "to": t,
                                                  "area_km2": round(c.first.county.area_km2(g), 3)})
                              for s, t, g in c.changed),
    }
