"""The one map bootstrap, on the server: every map page (the portal, a zone's page, the plan
editor, the comparison, coverage, siting) gets its Leaflet map from `map_frame`.

Folium builds the frame in Python: the map fitted to the county (or a zone), the offline basemap
and the optional online tiles (with their subdomains and attribution) as base layers, one empty
layer group per overlay, full screen, measuring and the layer control, with every script and
style from this application's static files, never from a CDN. base.html writes the frame's
head; the page includes maps/map.html where the map goes. In the browser maps/static/maps/map.js
finishes it (scale, legend, a fit that keeps the county clear of the controls, one fetch helper,
the texts) and the page's own script draws its data into the layer groups.
"""
from dataclasses import dataclass

import folium
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from folium import plugins

from layers import rasters
from layers.basemap import offline_basemap, tile_basemap
from layers.models import County, RasterLayer, Zone

# Outlines are simplified to this many degrees (about 200 m) for keeping the controls off them.
OUTLINE_TOLERANCE_DEGREES = 0.002
COUNTY_LINE = "#333333"  # the county's outline, as map.js draws it


@dataclass(frozen=True)
class Overlay:
    """A layer group the page's script fills: its key, its name in the layer control, and
    whether it is shown at first."""

    key: str
    label: str
    shown: bool = True


@dataclass(frozen=True)
class MapFrame:
    head: str  # for <head>: Leaflet, the plugins, folium's styles
    div: str  # the map's element
    script: str  # folium's script making the map, its base layers, groups and controls
    config: dict  # what maps/static/maps/map.js and the page's script read (#map-config)


class LinkedImageOverlay(folium.raster_layers.ImageOverlay):
    """An image overlay that links its image by a site-relative URL (folium would take such a
    string for a file path and embed the file)."""

    def __init__(self, url, **kwargs):
        super().__init__(image="data:,", **kwargs)
        self.url = url


def local_assets():
    """folium's asset lists pointed at this application's static files."""
    measure = "leaflet-measure.cn.js" if get_language().startswith("zh") else "leaflet-measure.en.js"
    return {
        "map_js": [("leaflet", static("vendor/leaflet/leaflet.js"))],
        "map_css": [("leaflet_css", static("vendor/leaflet/leaflet.css"))],
        "fullscreen_js": [("fullscreen", static("vendor/leaflet.fullscreen/Control.FullScreen.js"))],
        "fullscreen_css": [("fullscreen_css", static("vendor/leaflet.fullscreen/Control.FullScreen.css"))],
        "measure_js": [("measure", static(f"vendor/leaflet-measure/{measure}"))],
        "measure_css": [("measure_css", static("vendor/leaflet-measure/leaflet-measure.css"))],
    }


def texts():
    """The words map.js shows, in the user's language; a page adds its own (`page_texts`)."""
    return {
        "basemap": _("Terrain (offline)"), "tiles": _("Online map"), "legend": _("Legend"),
        "county": _("County boundary"),
        "failed": _("The request failed: "), "loading": _("Loading…"),
        "fullscreen": _("Full screen"), "fullscreen_exit": _("Leave full screen"),
    }


def area_of(area):
    """The bounds ((south, west), (north, east)) and the simplified outline (rings of
    [lat, lon]) of a County or Zone, from its lon/lat web shape."""
    shape = area.web_boundary or area.boundary.transform(4326, clone=True)
    west, south, east, north = shape.extent
    simple = shape.simplify(OUTLINE_TOLERANCE_DEGREES, preserve_topology=True)
    polygons = [simple] if simple.geom_type == "Polygon" else list(simple)
    outline = [[[round(y, 5), round(x, 5)] for x, y in ring.coords]
               for polygon in polygons for ring in polygon]
    return ((south, west), (north, east)), outline


def section(title, *entries):
    """A section of the legend: a title and its entries, each a dict with a `kind` ("swatch",
    "line", "symbol", "ramp" or "note"), a `label` and how it is drawn: `color`, `weight`,
    `dash`, `fill` (a line's or swatch's), `shape` (a symbol's: circle, square, triangle,
    diamond, star, pentagon, cross), `colors`, `low`, `high` and `id` (a ramp's)."""
    return {"title": title, "entries": list(entries)}


def terrain_legend(county):
    """A legend section saying how fine the county's DEM and land use really are, and whether
    they are real."""
    notes = [{"kind": "note", "label": f"{layer.get_kind_display()}: {rasters.resolution_note(layer)}"}
             for layer in RasterLayer.objects.of_county(county).filter(kind__in=rasters.KINDS)
             .order_by("kind")]
    if rasters.terrain_note(county):
        notes.append({"kind": "note", "label": rasters.terrain_note(county)})
    return [section(_("Terrain"), *notes)] if notes else []


def map_frame(overlays, legend=(), page_texts=None, page=None, area=None):
    """The map of a page, fitted to `area` (a County or Zone; by default the main county, and
    China before a county is loaded), over its county's basemap.

    `overlays` are the page's layer groups (Overlay), in drawing order, after the county's
    outline, which every map has and map.js draws; `legend` its sections (`section`);
    `page_texts` the words its script shows; `page` any other data its script reads (URLs,
    styles), all in the config under "texts" and "page".
    """
    # The county's full boundary is not needed: its web shape is.
    area = area or County.objects.defer("boundary").default()
    # Its county's basemap and terrain; a map of many counties (a region) has none.
    county = area if isinstance(area, County) else area.plan.county if isinstance(area, Zone) else None
    assets = local_assets()
    words = {**texts(), **(page_texts or {})}
    fmap = folium.Map(location=None, tiles=None, prefer_canvas=True, control_scale=False,
                      zoom_control=True)
    # A county map: no need to see the globe, nor to zoom past what the data can show.
    basemap, tiles = offline_basemap(county) if county else None, tile_basemap()
    # Leaflet writes an attribution as HTML: the texts are a user's, escaped.
    credits = " | ".join(escape(text) for text in rasters.attributions(county)) if county else ""
    fmap.options.update(minZoom=6, maxZoom=17, zoomSnap=0.25,
                        attributionControl=bool(tiles or credits))
    fmap.default_js, fmap.default_css = assets["map_js"], assets["map_css"]
    if basemap:
        # In the tile pane, as any base layer: under every overlay (a siting surface too).
        LinkedImageOverlay(basemap.url, bounds=basemap.bounds, name=words["basemap"],
                           overlay=False, pixelated=False, interactive=False, pane="tilePane",
                           className="gisplan-basemap", attribution=credits).add_to(fmap)
    if tiles:
        folium.TileLayer(tiles=tiles.url, attr=tiles.attribution, name=words["tiles"],
                         overlay=False, subdomains=tiles.subdomains or "abc").add_to(fmap)
    groups = {}
    for overlay in [Overlay("county", words["county"]), *overlays]:
        # Leaflet's layer control writes a name as HTML: a plan's name is a user's text.
        group = folium.FeatureGroup(name=escape(overlay.label), show=overlay.shown)
        group.add_to(fmap)
        groups[overlay.key] = group.get_name()
    fullscreen = plugins.Fullscreen(title=words["fullscreen"], title_cancel=words["fullscreen_exit"])
    fullscreen.default_js, fullscreen.default_css = assets["fullscreen_js"], assets["fullscreen_css"]
    fullscreen.add_to(fmap)
    measure = plugins.MeasureControl(position="topleft", primary_length_unit="kilometers",
                                     secondary_length_unit="meters",
                                     primary_area_unit="hectares", secondary_area_unit="sqmeters",
                                     active_color="#0b3d91", completed_color="#0b3d91")
    measure.default_js, measure.default_css = assets["measure_js"], assets["measure_css"]
    measure.add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    bounds, outline = area_of(area) if area is not None else (
        basemap.bounds if basemap else ((18.0, 73.0), (54.0, 135.0)), [])
    root = fmap.get_root()
    root.render()
    return MapFrame(root.header.render(), root.html.render(), root.script.render(), {
        "map": fmap.get_name(), "groups": groups, "bounds": bounds, "outline": outline,
        "county": reverse("layers:layer", args=["county"]),
        "legend": [*legend, section("", {"kind": "line", "color": COUNTY_LINE, "weight": 2.5,
                                          "label": words["county"]}),
                   *(terrain_legend(county) if county else [])],
        "texts": words,
        "language": get_language(), "time_zone": settings.TIME_ZONE, "page": page or {},
    })
