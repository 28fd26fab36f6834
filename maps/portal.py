"""The portal: the county, or one zone of the plan in force, on the map with its figures.

The map carries no data: maps/static/maps/portal.js draws the villages and the roads from the
vector tiles (/tiles/) and fills the other layer groups from the GeoJSON endpoints under
/api/layers/, so the page is the same size for any county.
"""
from django.templatetags.static import static
from django.urls import reverse

from layers import rasters
from layers.models import Industry, ServiceCenter, Zone
from layers.tile_api import tile_url

from . import figures
from .frame import Overlay, map_frame
from .portal_text import exit_labels, legend, map_labels, popup_labels, styles

# The overlays, in drawing order: (key, shown at first). portal.js knows each key.
OVERLAYS = (
    ("towns", False), ("zones", True), ("villages_incidence", True),
    ("villages_exit", False), ("rivers", True), ("roads", True), ("centers", True),
    ("clinics", False), ("industries", True),
)


def portal_context(county, zone):
    """Everything the portal template shows for the county, or for one `zone` of it."""
    labels = map_labels()
    rows = [figures.zone_figures(zone)] if zone else figures.county_figures(county)
    frame = map_frame([Overlay(key, labels[key], shown) for key, shown in OVERLAYS],
                      legend(), popup_labels(), area=zone or county, page={
                          "zone": zone.code if zone else "",
                          "api": reverse("layers:layer", args=["NAME"]).replace("NAME", "{name}"),
                          "tiles": {name: tile_url(name) for name in ("villages", "roads")},
                          "county": county.adcode, "portal": reverse("maps:home"),
                          "exit_labels": exit_labels(),
                          "styles": styles(),
                          "html2canvas": static("vendor/html2canvas/html2canvas.min.js"),
                          "export_name": f"{county.name}{'-' + zone.name if zone else ''}.png",
                      })
    return {
        "county": county, "zone": zone, "rows": rows, "frame": frame,
        "real_terrain": bool(rasters.terrain_note(county)),
        "zones": Zone.objects.of_county(county).in_force().only("code", "name", "color"),
        "center_kinds": ServiceCenter.Kind.choices, "industry_kinds": Industry.Kind.choices,
        "bars": figures.chart_bars(rows if zone else rows[:-1], "poor_population"),
    }
