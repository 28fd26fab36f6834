from urllib.parse import urlsplit

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language

from layers.models import County, Industry, RasterLayer, ServiceCenter, Zone

from . import figures
from .portal import Basemap, TileBasemap, portal_map, rendered
from .portal_text import legend_labels, map_labels, popup_labels


def portal(request, code=None):
    """The map portal: the county (or one zone of the plan in force) with its figures."""
    county = County.objects.first()
    if county is None:
        return render(request, "maps/portal.html", {"county": None})
    zone = get_object_or_404(Zone.objects.in_force(), code=code) if code else None
    west, south, east, north = (zone or county).web_boundary.extent
    fmap, groups = portal_map(((south, west), (north, east)), _basemap(), map_labels(),
                              get_language(), _tiles())
    head, div, script = rendered(fmap)
    rows = [figures.zone_figures(zone)] if zone else figures.county_figures(county)
    config = {
        "map": fmap.get_name(), "groups": groups, "zone": code or "",
        "api": reverse("layers:layer", args=["NAME"]).replace("NAME", "{name}"),
        "labels": popup_labels(), "legend": legend_labels(),
        "html2canvas": static("vendor/html2canvas/html2canvas.min.js"),
        "export_name": f"{county.name}{'-' + zone.name if zone else ''}.png",
    }
    return render(request, "maps/portal.html", {
        "county": county, "zone": zone, "rows": rows, "zones": Zone.objects.in_force(),
        "map_head": head, "map_div": div, "map_script": script, "config": config,
        "center_kinds": [(k, ServiceCenter.Kind(k).label) for k in figures.PLAN_CENTER_KINDS]
        + [(k, ServiceCenter.Kind(k).label) for k in ("town_health_center", "village_clinic")],
        "industry_kinds": Industry.Kind.choices,
        "bars": figures.chart_bars(rows[:-1] if not zone else rows, "poor_population"),
        "incidence_bars": figures.chart_bars(rows, "incidence"),
    })


def _basemap():
    layer = RasterLayer.objects.filter(kind=RasterLayer.Kind.BASEMAP).first()
    if layer is None:
        return None
    west, south, east, north = layer.footprint.transform(4326, clone=True).extent
    return Basemap(reverse("maps:basemap"), ((south, west), (north, east)))


def _tiles():
    if not settings.TILE_URL:
        return None
    # Leaflet needs an attribution for custom tiles; the provider's host name is the least.
    attribution = settings.TILE_ATTRIBUTION or urlsplit(settings.TILE_URL).hostname or "tiles"
    return TileBasemap(settings.TILE_URL, attribution, settings.TILE_SUBDOMAINS)


def basemap(request):
    """The offline basemap image (a JPEG in EPSG:3857) rendered from the county's own DEM."""
    layer = RasterLayer.objects.filter(kind=RasterLayer.Kind.BASEMAP).first()
    if layer is None:
        raise Http404("no basemap has been loaded")
    try:
        return FileResponse(open(layer.path, "rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise Http404("the basemap file is missing; run load_sample") from None

