"""The vector-tile endpoints (layers/tiles.py): a tile of a layer, and its TileJSON."""
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from gisplan.api import NotFound, answer, endpoint, require

from . import tiles
from .api import CACHE_SECONDS, LAYERS
from .models import DataVersion
from .regions import region_of


def tile_url(name, request=None):
    """The address of layer `name`'s tiles, with {z}, {x} and {y} for a map to fill; absolute
    with `request`."""
    url = reverse("tile", args=[name, 0, 0, 0])
    url = request.build_absolute_uri(url) if request is not None else url
    return url.replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf")


def _layer(request, name):
    if name not in LAYERS:
        raise NotFound(_("no such layer: %(name)s") % {"name": name})
    require(request.user, LAYERS[name].permission, _("your role may not view this layer"))


@endpoint("GET")
def layer_tile(request, name, z, x, y):
    """A tile: 304 when the caller's copy (If-None-Match) is still current, else from the
    cache of this version of the data, else built."""
    _layer(request, name)
    tiles.tile_bounds(z, x, y)  # an address that does not exist is refused first
    # The version first, the tile after: a change committed in between is cached under the
    # older version, which is never asked for again; never older rows under a newer version.
    version, region = DataVersion.objects.current(), region_of(request.user)
    tag = tiles.etag(version, region)
    if tag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        key = f"{name}/{z}/{x}/{y}@{version}/{region}"
        data = caches["tiles"].get(key)
        if data is None:
            data = tiles.tile(name, z, x, y, region)
            caches["tiles"].set(key, data)
        response = HttpResponse(data, content_type=tiles.MVT)
    response["ETag"] = tag
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    return response


@endpoint("GET")
def layer_tilejson(request, name):
    _layer(request, name)
    response = answer(tiles.tilejson(name, tile_url(name, request), region_of(request.user)))
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    return response
