"""The region portal: the counties of a city or the province, each with its figures, coloured
on the map by poverty incidence or by the share of villages exited; a county drills down to its
own portal. Zoomed in, the villages (by incidence or exit status) and the roads come from the
vector tiles (layers/tiles.py), drawn by Leaflet.VectorGrid: a province's 20,000 villages are
never sent whole.

The counties' figures are their villages' totals, or, for a county whose villages are not loaded
yet, its baseline (registered rural and poor population, poor households). The outlines go in
the page, simplified for the scale of a province, with the figures.
"""
import json
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from layers.models import County, ServiceCenter, ServiceCoverage, SimplifyPreserveTopology, Village
from layers.regions import region_name
from layers.tile_api import tile_url

from .frame import Overlay, map_frame, section
from .portal_text import (EXIT_COLORS, NO_DATA, ROAD_STYLE, exit_labels, exit_section,
                          incidence_classes, roads_section, share_classes)

# Outlines for a map of a province: about 200 m, beyond what a county-sized screen shows.
OUTLINE_DEGREES = 0.002
# The villages are drawn from this zoom (a county fills the screen), the roads from the tiles'
# first zoom.
VILLAGES_FROM_ZOOM = 9
# The share of a county's villages that have exited: classes of the second choropleth.
EXITED_CLASSES = ((0.25, "#f7fcf5"), (0.5, "#c7e9c0"), (0.75, "#74c476"), (None, "#238b45"))


@dataclass(frozen=True)
class Covered:
    """A service's coverage of the poor population in a county (or the region), from the latest
    region-wide coverage run; `reach` says within what."""

    covered_poor_population: int
    poor_population: int
    reach: str = ""

    @property
    def poor_share(self):
        return self.covered_poor_population / self.poor_population if self.poor_population else None


@dataclass(frozen=True)
class CountyRow:
    adcode: str
    name: str
    villages: int  # loaded village committees (0: the county's baseline only)
    population: int
    poor_households: int
    poor_population: int
    exited: int
    services: tuple = ()  # a Covered (or None) per column of service_columns

    @property
    def incidence(self):
        return self.poor_population / self.population if self.population else None

    @property
    def exited_share(self):
        return self.exited / self.villages if self.villages else None


@dataclass(frozen=True)
class RegionArea:
    """What the map frame fits: the counties' extent in lon/lat."""

    web_boundary: Polygon


def service_columns(counties):
    """{service: {county id: Covered}}: the services a region-wide coverage run has figures for
    in `counties`, in the order of the kinds of center."""
    found = {}
    for row in ServiceCoverage.objects.filter(county__in=counties):
        unit = _("min by road") if row.mode == "network" else _("m in a straight line")
        reach = _("within %(threshold)g %(unit)s, %(when)s") % {
            "threshold": row.threshold, "unit": unit,
            "when": formats.date_format(timezone.localtime(row.computed_at), "SHORT_DATE_FORMAT")}
        found.setdefault(row.service, {})[row.county_id] = Covered(
            row.covered_poor_population, row.poor_population, reach)
    return {kind: found[kind] for kind in ServiceCenter.Kind.values if kind in found}


def county_rows(counties, columns=None):
    """One CountyRow per county of `counties`, in code order: one aggregate over their villages,
    with the services of `columns` (service_columns)."""
    totals = {row.pop("county"): row for row in Village.objects.filter(county__in=counties)
              .values("county").order_by().annotate(
                  villages=Count("pk"), population=Sum("population"),
                  poor_households=Sum("poor_households"), poor_population=Sum("poor_population"),
                  exited=Count("pk", filter=Q(exit_status=Village.ExitStatus.EXITED)))}
    rows = []
    for county in counties.order_by("adcode"):
        found = totals.get(county.pk)
        services = tuple(by_county.get(county.pk) for by_county in (columns or {}).values())
        rows.append(CountyRow(county.adcode, county.name, **found, services=services) if found
                    else CountyRow(county.adcode, county.name, 0, county.rural_population,
                                   county.poor_households, county.poor_population, 0, services))
    return rows


def totals(rows):
    """The region's row: the sums of its counties'."""
    services = tuple(Covered(*(sum(getattr(c, name) for c in column if c) for name in (
        "covered_poor_population", "poor_population"))) for column in zip(*(r.services for r in rows)))
    return CountyRow("", _("All counties"), *(sum(getattr(r, name) for r in rows) for name in (
        "villages", "population", "poor_households", "poor_population", "exited")), services)


def outlines(counties, rows):
    """The counties as GeoJSON features (simplified lon/lat) with their figures."""
    by_code = {row.adcode: row for row in rows}
    features = []
    for adcode, shape in counties.annotate(_outline=AsGeoJSON(SimplifyPreserveTopology(
            "web_boundary", OUTLINE_DEGREES), precision=4)).values_list("adcode", "_outline"):
        row = by_code[adcode]
        features.append({"type": "Feature", "geometry": json.loads(shape) if shape else None,
                         "properties": {"adcode": adcode, "name": row.name,
                                        "incidence": row.incidence, "exited_share": row.exited_share,
                                        "poor_population": row.poor_population,
                                        "villages": row.villages}})
    return {"type": "FeatureCollection", "features": features}


def exited_classes():
    return share_classes(EXITED_CLASSES)


def region_context(code):
    """Everything the region page shows for the counties of region `code` ("": every county)."""
    counties = County.objects.in_region(code).defer("boundary")
    columns = service_columns(counties)
    rows = county_rows(counties, columns)
    extent = counties.aggregate(extent=Extent("web_boundary"))["extent"]
    frame = map_frame([Overlay("counties", _("Counties")), Overlay("villages", _("Villages")),
                       Overlay("roads", _("Roads"))], [
        section(_("Poverty incidence"),
                *({"kind": "swatch", "color": c["color"], "label": c["label"]} for c in incidence_classes()),
                {"kind": "swatch", "color": NO_DATA, "label": _("no data")}),
        section(_("Villages exited"),
                *({"kind": "swatch", "color": c["color"], "label": c["label"]} for c in exited_classes())),
        exit_section(), roads_section()],
        {"incidence": _("Poverty incidence"), "exited_share": _("Villages exited"),
         "poor_population": _("Poor population"), "villages": _("Villages"),
         "open_county": _("Open the county's portal"), "no_data": _("no data"), "code": _("Code"),
         "town": _("Town"), "exit_status": _("Exit status")},
        page={"counties": outlines(counties, rows), "portal": reverse("maps:home"),
              "tiles": {name: tile_url(name) for name in ("villages", "roads")},
              "exit_labels": exit_labels(),
              "villages_from_zoom": VILLAGES_FROM_ZOOM,
              "styles": {"incidence": incidence_classes(), "exited_share": exited_classes(),
                         "no_data": NO_DATA, "exit": EXIT_COLORS,
                         "roads": {k: {"color": c, "weight": w} for k, (c, w) in ROAD_STYLE.items()}}},
        area=RegionArea(Polygon.from_bbox(extent)) if extent else None)
    provinces = {row.adcode[:2] for row in rows}
    return {"code": code, "name": region_name(code), "rows": rows, "total": totals(rows),
            "services": [ServiceCenter.Kind(kind).label for kind in columns], "frame": frame,
            # What "coverage of the region" runs for: the city or province; every county (a
            # superuser's page) is its one province.
            "run_region": code if len(code) in (2, 4) else "".join(provinces) if len(provinces) == 1 else "",
            "center_kinds": ServiceCenter.Kind.choices}
