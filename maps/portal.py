"""The portal's map, built with folium: its frame, basemaps, controls and empty layer groups.

The map carries no data: maps/static/maps/portal.js fills each group from the GeoJSON
endpoints under /api/layers/, so the page is the same size for any county. Every script and
style comes from this application's static files (`LOCAL_ASSETS`), never from a CDN.
"""
from dataclasses import dataclass

import folium
from django.templatetags.static import static
from django.urls import reverse
from folium import plugins

from layers.models import Industry, ServiceCenter, Zone

from . import figures
from .portal_text import legend_labels, map_labels, popup_labels

# The overlays, in drawing order: (key, shown at first). portal.js knows each key.
OVERLAYS = (
    ("county", True), ("towns", False), ("zones", True), ("villages_incidence", True),
    ("villages_exit", False), ("rivers", True), ("roads", True), ("centers", True),
    ("clinics", False), ("industries", True),
)


@dataclass(frozen=True)
class Basemap:
    """The offline basemap image and the area it covers."""

    url: str
    bounds: tuple  # ((south, west), (north, east)) in degrees


@dataclass(frozen=True)
class TileBasemap:
    """An optional online basemap (e.g. Tianditu) configured from the environment."""

    url: str
    attribution: str
    subdomains: str = ""


class LinkedImageOverlay(folium.raster_layers.ImageOverlay):
    """An image overlay that links its image by a site-relative URL (folium would take such a
    string for a file path and embed the file)."""

    def __init__(self, url, **kwargs):
        super().__init__(image="data:,", **kwargs)
        self.url = url


def local_assets(language):
    """folium's asset lists pointed at this application's static files."""
    measure = "leaflet-measure.cn.js" if language.startswith("zh") else "leaflet-measure.en.js"
    return {
        "map_js": [("leaflet", static("vendor/leaflet/leaflet.js"))],
        "map_css": [("leaflet_css", static("vendor/leaflet/leaflet.css"))],
        "fullscreen_js": [("fullscreen", static("vendor/leaflet.fullscreen/Control.FullScreen.js"))],
        "fullscreen_css": [("fullscreen_css", static("vendor/leaflet.fullscreen/Control.FullScreen.css"))],
        "measure_js": [("measure", static(f"vendor/leaflet-measure/{measure}"))],
        "measure_css": [("measure_css", static("vendor/leaflet-measure/leaflet-measure.css"))],
    }


def portal_map(bounds, basemap, labels, language, tiles=None):
    """The portal map fitted to `bounds` ((south, west), (north, east)) in degrees.

    `basemap` is the offline basemap image (a Basemap, or None before any is loaded), `tiles`
    an optional TileBasemap; `labels` names each overlay and control in the user's language.
    Returns the map and {overlay key: JavaScript name of its layer group}.
    """
    assets = local_assets(language)
    fmap = folium.Map(location=None, tiles=None, prefer_canvas=True, control_scale=False,
                      zoom_control=True)
    # A county map: no need to see the globe, nor to zoom past what the data can show.
    fmap.options.update(minZoom=8, maxZoom=16, zoomSnap=0.25)
    fmap.default_js, fmap.default_css = assets["map_js"], assets["map_css"]
    fmap.fit_bounds(bounds, padding=(12, 12))

    if basemap:
        LinkedImageOverlay(
            basemap.url, bounds=basemap.bounds, name=labels["basemap"],
            overlay=False, pixelated=False, interactive=False).add_to(fmap)
    if tiles:
        folium.TileLayer(tiles=tiles.url, attr=tiles.attribution, name=labels["tiles"],
                         overlay=False, subdomains=tiles.subdomains or "abc").add_to(fmap)

    groups = {}
    for key, shown in OVERLAYS:
        group = folium.FeatureGroup(name=labels[key], show=shown)
        group.add_to(fmap)
        groups[key] = group.get_name()

    fullscreen = plugins.Fullscreen(title=labels["fullscreen"], title_cancel=labels["fullscreen_exit"])
    fullscreen.default_js, fullscreen.default_css = assets["fullscreen_js"], assets["fullscreen_css"]
    fullscreen.add_to(fmap)
    measure = plugins.MeasureControl(position="topleft", primary_length_unit="kilometers",
                                     secondary_length_unit="meters",
                                     primary_area_unit="hectares", secondary_area_unit="sqmeters",
                                     active_color="#0b3d91", completed_color="#0b3d91")
    measure.default_js, measure.default_css = assets["measure_js"], assets["measure_css"]
    measure.add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap, groups


def rendered(fmap):
    """The map's <head> additions, its <div> and its <script>, to place in a Django template."""
    root = fmap.get_root()
    root.render()
    return root.header.render(), root.html.render(), root.script.render()


def portal_context(county, zone, basemap, tiles, language):
    """Everything the portal template shows for the county, or for one `zone` of it."""
    area = zone or county
    shape = area.web_boundary or area.boundary.transform(4326, clone=True)
    west, south, east, north = shape.extent
    fmap, groups = portal_map(((south, west), (north, east)), basemap, map_labels(), language,
                              tiles)
    head, div, script = rendered(fmap)
    rows = [figures.zone_figures(zone)] if zone else figures.county_figures(county)
    return {
        "county": county, "zone": zone, "rows": rows,
        "zones": Zone.objects.in_force().only("code", "name", "color"),
        "map_head": head, "map_div": div, "map_script": script,
        "config": {
            "map": fmap.get_name(), "groups": groups, "zone": zone.code if zone else "",
            "api": reverse("layers:layer", args=["NAME"]).replace("NAME", "{name}"),
            "labels": popup_labels(), "legend": legend_labels(),
            "html2canvas": static("vendor/html2canvas/html2canvas.min.js"),
            "export_name": f"{county.name}{'-' + zone.name if zone else ''}.png",
        },
        "center_kinds": ServiceCenter.Kind.choices, "industry_kinds": Industry.Kind.choices,
        "bars": figures.chart_bars(rows if zone else rows[:-1], "poor_population"),
    }
