import os
from datetime import datetime, timezone
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import condition

from layers.models import County, RasterLayer, Zone

from .portal import Basemap, TileBasemap, portal_context

# Officials, analysts and planners all hold it; a signed-in user without a role does not.
PORTAL_PERMISSION = "layers.view_village"


@permission_required(PORTAL_PERMISSION, raise_exception=True)
def portal(request, code=None):
    """The map portal: the county (or one zone of the plan in force) with its figures."""
    county = County.objects.defer("boundary").first()
    if county is None:
        if code:
            raise Http404("no county is loaded")
        return render(request, "maps/portal.html", {"county": None})
    zone = get_object_or_404(Zone.objects.in_force().defer("boundary"), code=code) if code else None
    context = portal_context(county, zone, offline_basemap(), tile_basemap(), get_language())
    return render(request, "maps/portal.html", context)


def offline_basemap():
    layer = RasterLayer.objects.filter(kind=RasterLayer.Kind.BASEMAP).first()
    if layer is None:
        return None
    west, south, east, north = layer.footprint.transform(4326, clone=True).extent
    return Basemap(reverse("maps:basemap"), ((south, west), (north, east)))


def tile_basemap():
    if not settings.TILE_URL:
        return None
    # Leaflet needs an attribution for custom tiles; the provider's host is the least.
    attribution = settings.TILE_ATTRIBUTION or urlsplit(settings.TILE_URL).hostname or settings.TILE_URL
    return TileBasemap(settings.TILE_URL, attribution, settings.TILE_SUBDOMAINS)


def basemaps():
    """The offline basemap and the optional tiles, as the scripts of the editor and the analysis
    pages take them."""
    basemap, tiles = offline_basemap(), tile_basemap()
    return {"basemap": {"url": basemap.url, "bounds": basemap.bounds} if basemap else None,
            "tiles": {"url": tiles.url, "attribution": tiles.attribution,
                      "subdomains": tiles.subdomains} if tiles else None}


def _basemap_modified(request):
    layer = RasterLayer.objects.filter(kind=RasterLayer.Kind.BASEMAP).first()
    try:
        return datetime.fromtimestamp(os.path.getmtime(layer.path), timezone.utc) if layer else None
    except OSError:
        return None


@permission_required(PORTAL_PERMISSION, raise_exception=True)
@condition(last_modified_func=_basemap_modified)
def basemap(request):
    """The offline basemap image (a JPEG in EPSG:3857) rendered from the county's own DEM."""
    layer = RasterLayer.objects.filter(kind=RasterLayer.Kind.BASEMAP).first()
    if layer is None:
        raise Http404("no basemap has been loaded")
    try:
        response = FileResponse(open(layer.path, "rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise Http404("the basemap file is missing; run load_sample") from None
    response["Cache-Control"] = "private, max-age=86400"
    return response
