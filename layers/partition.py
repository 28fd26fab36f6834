"""The invariant of the Zone model: a plan version's zones are a partition of the county. Taking
area for a zone, checking the partition, and what a change moves between zones.

Plain GEOS geometry in the storage CRS (metres); no database. The zone import
(layers/importing) and the plan edits (plans/edits.py) call these before they write anything.
"""
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.utils.translation import gettext as _

from gisplan.api import Conflict

# Overlay results carry rounding noise; anything smaller than this is not a gap or an overlap.
AREA_TOLERANCE = 1.0  # square metres


class PartitionError(Conflict):
    """A change that would leave the zones something other than a partition of the county."""


def polygons(geometry, srid):
    """The polygonal parts of an overlay result as one MultiPolygon (lines and points dropped)."""
    parts = []
    stack = [geometry]
    while stack:
        g = stack.pop()
        if isinstance(g, Polygon):
            if g.area > 0:
                parts.append(g)
        elif g.geom_type in ("MultiPolygon", "GeometryCollection"):
            stack.extend(g)
    return MultiPolygon(parts, srid=srid)


def take(zones, code, area, county):
    """The partition after zone `code` takes `area`: its neighbours lose it, the county clips it.

    `zones` maps zone code -> (Multi)Polygon; returns a new dict of MultiPolygons. Raises
    PartitionError if the change would take a zone's last piece of land.
    """
    area = area.intersection(county)
    result = {}
    for other, boundary in zones.items():
        changed = boundary.union(area) if other == code else boundary.difference(area)
        result[other] = polygons(changed, county.srid)
        if result[other].area <= AREA_TOLERANCE:
            raise PartitionError(_("this change would leave zone %(code)s with no land") % {"code": other})
    return result


def problems(zones, county):
    """Why `zones` (code -> geometry) is not a partition of `county`, in words; [] if it is."""
    found = []
    union = None
    for code, boundary in zones.items():
        if boundary is None or boundary.empty or boundary.area <= AREA_TOLERANCE:
            found.append(_("zone %(code)s is empty") % {"code": code})
            continue
        if not boundary.valid:
            found.append(_("zone %(code)s is not a valid polygon: %(reason)s")
                         % {"code": code, "reason": boundary.valid_reason})
            continue
        union = boundary if union is None else union.union(boundary)
    if found:
        return found
    codes = sorted(zones)
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            overlap = zones[a].intersection(zones[b]).area
            if overlap > AREA_TOLERANCE:
                found.append(_("zones %(a)s and %(b)s overlap by %(km2).3f km²")
                             % {"a": a, "b": b, "km2": overlap / 1e6})
    gap = county.difference(union).area
    if gap > AREA_TOLERANCE:
        found.append(_("%(km2).3f km² of the county is in no zone") % {"km2": gap / 1e6})
    outside = union.difference(county).area
    if outside > AREA_TOLERANCE:
        found.append(_("%(km2).3f km² of the zones lies outside the county") % {"km2": outside / 1e6})
    return found


@dataclass(frozen=True)
class Place:
    """A village as a change sees it: where its committee is and what it counts."""

    code: str
    location: GEOSGeometry
    households: int
    population: int
    poor_population: int


@dataclass(frozen=True)
class Move:
    """What passes from one zone to another."""

    source: str
    target: str
    area_km2: float
    villages: tuple  # village codes
    households: int
    population: int
    poor_population: int


def zone_of(place, prepared):
    return next((code for code, shape in prepared.items() if shape.contains(place.location)), None)


def moves(before, after, places, srid=None):
    """Area and villages that change zone between two partitions (code -> geometry each), the
    area measured in EPSG `srid` (default: the geometries' own CRS).

    A village belongs to the zone that contains its committee, as on save (layers.models.Zoned).
    """
    before_prepared = {code: g.prepared for code, g in before.items()}
    after_prepared = {code: g.prepared for code, g in after.items()}
    moved = {}
    for place in places:
        pair = zone_of(place, before_prepared), zone_of(place, after_prepared)
        if pair[0] != pair[1]:
            moved.setdefault(pair, []).append(place)
    result = []
    for source in sorted(before):
        for target in sorted(after):
            if source == target:
                continue
            piece = before[source].intersection(after[target])
            area = (piece.transform(srid, clone=True) if srid and srid != piece.srid else piece).area
            villages = moved.get((source, target), [])
            if area <= AREA_TOLERANCE and not villages:
                continue
            result.append(Move(source, target, area / 1e6, tuple(p.code for p in villages),
                               sum(p.households for p in villages),
                               sum(p.population for p in villages),
                               sum(p.poor_population for p in villages)))
    return result


def changed_areas(before, after):
    """(source, target, MultiPolygon) for each pair of zones between which land changed hands."""
    pieces = []
    for source in sorted(before):
        for target in sorted(after):
            if source != target:
                piece = polygons(before[source].intersection(after[target]), before[source].srid)
                if piece.area > AREA_TOLERANCE:
                    pieces.append((source, target, piece))
    return pieces
