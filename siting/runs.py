"""Industry siting runs on the county's data: the options a command, the API or the page gives,
the criteria (siting.criteria), the analysis (analysis.suitability) and a result that every
interface writes out the same way."""
import dataclasses
import hashlib
import math
import os
import threading
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis.suitability import candidate_sites, check_points, load_profiles, score_surface, sensitivity
from gisplan.api import Conflict, Refusal
from layers.models import Industry, LandCover, Zone

from layers.regions import county_named

from .criteria import county_stack

DEFAULT_TOP = 10
MAX_TOP = 50
LAYER_LABELS = {
    "elevation": gettext_lazy("elevation (m)"), "slope": gettext_lazy("slope (°)"),
    "aspect": gettext_lazy("aspect (° from north)"), "landcover": gettext_lazy("land cover"),
    "road_distance": gettext_lazy("distance to a road (m)"),
    "trunk_road_distance": gettext_lazy("distance to a national or provincial road (m)"),
    "river_distance": gettext_lazy("distance to a river (m)"),
    "seat_distance": gettext_lazy("distance to the county seat (m)"),
    "town_distance": gettext_lazy("distance to a town seat (m)"),
    "ecological_protection": gettext_lazy("ecological protection area"),
    "basic_farmland": gettext_lazy("basic farmland"),
}
MASKS = ("ecological_protection", "basic_farmland")
OPTIONAL = ("landcover",)  # without it a profile runs on its other criteria, and says so


class StaleSite(Conflict):
    """The candidate asked for is no longer among the analysis's sites."""


@cache
def _profiles(path):
    return load_profiles(path)


def profiles():
    """The industry profiles in force (GISPLAN_INDUSTRY_PROFILES or the shipped file)."""
    return _profiles(str(settings.INDUSTRY_PROFILES))


@dataclasses.dataclass(frozen=True)
class SitingOptions:
    industry: str  # an Industry.Kind value
    zone: str | None = None  # a zone code: only that zone is scored
    top: int = DEFAULT_TOP  # candidate sites described
    county: str | None = None  # the county's 6-digit code; None: the main county

    def checked(self):
        """These options, or a Refusal with the reason."""
        county = county_named(self.county)
        if self.industry not in Industry.Kind.values:
            raise Refusal(_("unknown industry type %(industry)s; choose one of %(kinds)s")
                          % {"industry": self.industry, "kinds": ", ".join(Industry.Kind.values)})
        if self.industry not in profiles():
            raise Refusal(_("the industry profiles say nothing about %(industry)s")
                          % {"industry": self.industry})
        if self.zone is not None:  # a code of the county's zones, or of the directions
            codes = sorted({*Zone.Code.values, *Zone.objects.of_county(county).values_list("code", flat=True)})
            if self.zone not in codes:
                raise Refusal(_("unknown zone %(zone)s; choose one of %(codes)s")
                              % {"zone": self.zone, "codes": ", ".join(codes)})
        if not 1 <= self.top <= MAX_TOP:
            raise Refusal(_("top is a whole number from 1 to %(most)d") % {"most": MAX_TOP})
        return self


def describe_constraint(rule):
    """A constraint in words: 'slope (°) > 25', 'land cover: water, built-up'."""
    label = LAYER_LABELS.get(rule.layer, rule.layer)
    if rule.layer in MASKS:
        return str(label)
    if rule.classes:
        names = [_landcover(c) if rule.layer == "landcover" else str(c) for c in rule.classes]
        return f"{label}: {', '.join(names)}"
    parts = ([f"> {rule.above:g}"] if rule.above is not None else []) + \
        ([f"< {rule.below:g}"] if rule.below is not None else [])
    return f"{label} {' '.join(parts)}"


@dataclasses.dataclass(frozen=True)
class SitingRun:
    """Where an industry fits in the county (or a zone), its candidate sites and conflicts."""

    options: SitingOptions
    profile: object  # analysis.suitability.Profile
    county: object  # siting.criteria.CountyStack
    surface: object  # analysis.suitability.Surface
    sites: tuple  # analysis.suitability.Site, best first
    changes: tuple  # analysis.suitability.WeightChange
    existing: tuple  # (Industry, PointCheck) for the projects of this type
    omitted: tuple = ()  # layers the profile uses that the county lacks (its land use)

    @property
    def intended(self):
        """Codes of the zones in force meant for the industry."""
        return [z.code for z in self.county.zones.values()
                if self.options.industry in z.preferred_industries]

    @property
    def cell_km2(self):
        return self.surface.grid.cell_area / 1e6

    def zone_of(self, label):
        zone = self.county.zones.get(label)
        return (zone.code, zone.name) if zone else ("", "")

    def village_of(self, label):
        return self.county.villages.get(label, ("", ""))

    def zone_rows(self):
        """Per zone: scored and suitable land, mean score, whether it is meant for the industry;
        suitable land in a zone not meant for it is a conflict."""
        tally, rows = self.surface.by_zone, []
        for label, zone in sorted(self.county.zones.items(), key=lambda item: item[1].code):
            if self.options.zone and zone.code != self.options.zone:
                continue
            scored = int(tally.scored[label]) if label < len(tally.scored) else 0
            suitable = int(tally.suitable[label]) if label < len(tally.suitable) else 0
            intended = zone.code in self.intended
            rows.append({"code": zone.code, "name": zone.name, "intended": intended,
                         "scored_km2": scored * self.cell_km2,
                         "suitable_km2": suitable * self.cell_km2,
                         "mean_score": float(tally.mean[label]) if scored else None,
                         "conflict_km2": 0.0 if intended else suitable * self.cell_km2})
        return rows

    def village_rows(self, limit=20):
        """The villages with the most suitable land."""
        tally = self.surface.by_village
        order = [int(v) for v in np.argsort(-tally.suitable, kind="stable") if v > 0
                 and tally.suitable[v] > 0][:limit]
        return [{"code": self.village_of(v)[0], "name": self.village_of(v)[1],
                 "suitable_km2": int(tally.suitable[v]) * self.cell_km2,
                 "mean_score": float(tally.mean[v])} for v in order]

    def excluded_rows(self):
        return [{"constraint": describe_constraint(rule), "km2": cells * self.cell_km2}
                for rule, cells in zip(self.profile.constraints, self.surface.excluded_cells)]

    def site_rows(self):
        rows = []
        for site in self.sites:
            zone_code, zone_name = self.zone_of(site.zone)
            village_code, village_name = self.village_of(site.village)
            rows.append({
                "id": site.id, "rank": site.rank, "area_ha": site.area / 1e4,
                "score": site.score, "best": site.best, "zone": zone_code, "zone_name": zone_name,
                "village": village_code, "village_name": village_name, "conflict": site.conflict,
                "criteria": [{"layer": s.layer, "label": str(LAYER_LABELS.get(s.layer, s.layer)),
                              "weight": s.weight, "value": _value(s.layer, s.value),
                              "score": s.score, "contribution": s.contribution}
                             for s in site.shares]})
        return rows

    def existing_rows(self):
        """The county's projects of this type: their score, and what makes them a conflict."""
        rows = []
        for industry, check in self.existing:
            zone_code = self.zone_of(check.zone)[0]
            reasons = [describe_constraint(self.profile.constraints[k]) for k in check.excluded_by]
            if zone_code and zone_code not in self.intended:
                reasons.append(_("zone %(zone)s is not meant for this industry") % {"zone": zone_code})
            rows.append({"id": industry.pk, "name": industry.name, "status": industry.status,
                         "zone": zone_code,
                         "score": None if math.isnan(check.score) else check.score,
                         "conflicts": reasons})
        return rows

    def sensitivity_rows(self):
        return [{"layer": c.layer, "label": str(LAYER_LABELS.get(c.layer, c.layer)),
                 "change": f"{(c.factor - 1) * 100:+.0f}%", "moved": c.moved,
                 "largest_shift": c.largest_shift, "tau": c.tau, "top_unchanged": c.top_unchanged,
                 "ranking": [int(i) for i in self._ranks(c.ranking)]} for c in self.changes]

    def _ranks(self, ranking):
        """The original ranks of the sites, in their new order."""
        rank = {site.id: site.rank for site in self.sites}
        return [rank[i] for i in ranking]

    def site(self, site_id):
        found = next((s for s in self.sites if s.id == site_id), None)
        if found is None:
            raise StaleSite(_("candidate %(site)s is not among the sites of this analysis any more; "
                              "run it again") % {"site": site_id})
        return found

    def summary(self):
        rows = self.zone_rows()
        scored = sum(r["scored_km2"] for r in rows)
        suitable = sum(r["suitable_km2"] for r in rows)
        conflict = sum(r["conflict_km2"] for r in rows)
        return (_("%(industry)s: %(suitable).1f of %(scored).1f km² scored is suitable (score ≥ "
                  "%(threshold)g); %(sites)d candidate sites; %(conflict).1f km² suitable in "
                  "zones not meant for it")
                % {"industry": Industry.Kind(self.options.industry).label, "suitable": suitable,
                   "scored": scored, "threshold": self.profile.threshold,
                   "sites": len(self.sites), "conflict": conflict}) + "".join(
            "; " + _("run without %(layer)s: the county has none") % {"layer": LAYER_LABELS[layer]}
            for layer in self.omitted)


def _value(layer, value):
    return _landcover(int(value)) if layer == "landcover" else round(value, 1)


def _landcover(code):
    """A land-cover class by its name, or its code when the class is unknown."""
    return str(LandCover(code).label) if code in LandCover.values else str(code)


def run_siting(options, progress=lambda stage, fraction: None):
    """Score the county for `options.industry`, find the candidate sites, test their ranking and
    check the existing projects. The surface is kept as surface_path(options). `progress` is
    called with "criteria" or "surface" and the fraction of that stage done."""
    options = options.checked()
    profile = profiles()[options.industry]
    county = county_stack(county_named(options.county),
                          lambda fraction: progress("criteria", fraction))
    omitted = tuple(layer for layer in OPTIONAL if layer in profile.layers
                    and layer not in county.stack.paths)
    for layer in omitted:
        profile = profile.without(layer)
    zones = tuple(label for label, zone in county.zones.items() if zone.code == options.zone)
    if options.zone and not zones:
        raise Refusal(_("the plan in force has no zone %(zone)s") % {"zone": options.zone})
    path = surface_path(options, county)
    scratch = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tif")
    try:
        surface = score_surface(county.stack, profile, scratch, zones=zones,
                                progress=lambda fraction: progress("surface", fraction))
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
    for old in path.parent.glob(f"{county.county.adcode}-{options.industry}-{options.zone or 'all'}-*.tif"):
        if old != path:  # the surface of an earlier state of the data
            old.unlink(missing_ok=True)
    surface = dataclasses.replace(surface, path=path)
    # Every zone not meant for the industry is a conflict, also when none is meant for it.
    intended = tuple(label for label, z in county.zones.items()
                     if options.industry in z.preferred_industries)
    sites = candidate_sites(county.stack, surface, intended=intended, top=options.top)
    existing = tuple(Industry.objects.of_county(county.county).filter(kind=options.industry)
                     .order_by("name"))
    srid = county.stack.grid.crs.to_epsg()
    checks = check_points(county.stack, profile, [
        (p.x, p.y) for p in (i.location.transform(srid, clone=True) for i in existing)])
    return SitingRun(options, profile, county, surface, sites, sensitivity(sites, profile),
                     tuple(zip(existing, checks)), omitted)


def surface_path(options, county=None):
    """Where the surface of these options on the county as it is now is kept (named by the
    county first: a county's run replaces only its own earlier surfaces)."""
    county = county or county_stack(county_named(options.county))
    key = hashlib.sha256(repr((profiles()[options.industry], sorted(county.stack.paths.items())))
                         .encode()).hexdigest()[:16]
    folder = Path(settings.DATA_DIR) / "suitability"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{county.county.adcode}-{options.industry}-{options.zone or 'all'}-{key}.tif"


def save_site(options, site_id, name):
    """Record a candidate site of a fresh run as a proposed Industry and return it."""
    run = run_siting(dataclasses.replace(options, top=MAX_TOP))
    site = run.site(site_id)
    srid = run.surface.grid.crs.to_epsg()
    geometry = GEOSGeometry(memoryview(shapely.to_wkb(site.geometry)), srid=srid)
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon(geometry, srid=srid)
    point = GEOSGeometry(memoryview(shapely.to_wkb(site.geometry.point_on_surface())), srid=srid)
    return Industry.objects.create(county=run.county.county, kind=options.industry, name=name,
                                   location=point,
                                   site=geometry, status=Industry.Status.PROPOSED)
