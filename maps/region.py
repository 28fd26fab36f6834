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
from django.utils.translation import gettext as _

from layers.models import County, SimplifyPreserveTopology, Village
from layers.regions import region_name

from .frame import Overlay, map_frame, section
from .portal_text import (EXIT_COLORS, NO_DATA, ROAD_STYLE, exit_section, incidence_classes,
                          roads_section, share_classes)

# Outlines for a map of a province: about 200 m, beyond what a county-sized screen shows.
OUTLINE_DEGREES = 0.002
# The villages are drawn from this zoom (a county fills the screen), the roads from the tiles'
# first zoom.
VILLAGES_FROM_ZOOM = 9
# The share of a county's villages that have exited: classes of the second choropleth.
EXITED_CLASSES = ((0.25, "#f7fcf5"), (0.5, "#c7e9c0"), (0.75, "#74c476"), (None, "#238b45"))


@dataclass(frozen=True)
class CountyRow:
    adcode: str
    name: str
    villages: int  # loaded village committees (0: the county's baseline only)
    population: int
    poor_households: int
    poor_population: int
    exited: int

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


def county_rows(counties):
    """One CountyRow per county of `counties`, in code order: one aggregate over their villages."""
    totals = {row.pop("county"): row for row in Village.objects.filter(county__in=counties)
              .values("county").order_by().annotate(
                  villages=Count("pk"), population=Sum("population"),
                  poor_households=Sum("poor_households"), poor_population=Sum("poor_population"),
                  exited=Count("pk", filter=Q(exit_status=Village.ExitStatus.EXITED)))}
    rows = []
    for county in counties.order_by("adcode"):
        found = totals.get(county.pk)
        rows.append(CountyRow(county.adcode, county.name, **found) if found else CountyRow(
            county.adcode, county.name, 0, county.rural_population, county.poor_households,
            county.poor_population, 0))
    return rows


def totals(rows):
    """The region's row: the sums of its counties'."""
    return CountyRow("", _("All counties"), *(sum(getattr(r, name) for r in rows) for name in (
        "villages", "population", "poor_households", "poor_population", "exited")))


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


def tile_url(name):
    """The address of layer `name`'s vector tiles, with {z}, {x} and {y} for Leaflet to fill."""
    return reverse("tile", kwargs={"name": name, "z": 0, "x": 0, "y": 0}).replace(
        "/0/0/0.pbf", "/{z}/{x}/{y}.pbf")


def region_context(code):
    """Everything the region page shows for the counties of region `code` ("": every county)."""
    counties = County.objects.in_region(code).defer("boundary")
    rows = county_rows(counties)
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
         "open": _("Open the county's portal"), "no_data": _("no data"), "code": _("Code"),
         "town": _("Town"), "exit_status": _("Exit status")},
        page={"counties": outlines(counties, rows), "portal": reverse("maps:home"),
              "tiles": {name: tile_url(name) for name in ("villages", "roads")},
              "village_api": reverse("layers:layer", kwargs={"name": "villages"}),
              "villages_from_zoom": VILLAGES_FROM_ZOOM,
              "styles": {"incidence": incidence_classes(), "exited_share": exited_classes(),
                         "no_data": NO_DATA, "exit": EXIT_COLORS,
                         "roads": {k: {"color": c, "weight": w} for k, (c, w) in ROAD_STYLE.items()}}},
        area=RegionArea(Polygon.from_bbox(extent)) if extent else None)
    return {"code": code, "name": region_name(code), "rows": rows, "total": totals(rows),
            "frame": frame}
