"""The basemaps: the offline one, the county's hillshade tinted by land cover as a web-mercator
JPEG, and an optional online one (tiles from a configured URL, e.g. Tianditu).

Every map (the pages' Leaflet maps, the admin's OpenLayers widgets) shows the offline basemap as
a single image, so that no tile server is needed on an intranet.
"""
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
import rasterio
from django.conf import settings
from django.urls import reverse
from rasterio import features
from rasterio.errors import NotGeoreferencedWarning
from rasterio.warp import Resampling, calculate_default_transform, reproject

from analysis.landcover import BUILT_UP, CROPLAND, FOREST, GRASSLAND, ORCHARD, WATER

from .models import RasterLayer

WEB_MERCATOR = "EPSG:3857"
# Land-cover tints, blended with the hillshade.
TINTS = {CROPLAND: (236, 222, 160), ORCHARD: (200, 226, 150), FOREST: (122, 170, 110),
         GRASSLAND: (196, 214, 160), BUILT_UP: (224, 170, 160), WATER: (120, 170, 230)}


@dataclass(frozen=True)
class Basemap:
    """The offline basemap image and the area it covers."""

    url: str
    bounds: tuple  # ((south, west), (north, east)) in degrees


@dataclass(frozen=True)
class TileBasemap:
    """An optional online basemap configured from the environment (GISPLAN_TILE_*)."""

    url: str
    attribution: str
    subdomains: str = ""


def basemap_layer():
    """The RasterLayer of the offline basemap image, or None before one is loaded."""
    return RasterLayer.objects.filter(kind=RasterLayer.Kind.BASEMAP).first()


def offline_basemap():
    layer = basemap_layer()
    if layer is None:
        return None
    west, south, east, north = layer.footprint.transform(4326, clone=True).extent
    return Basemap(reverse("basemap"), ((south, west), (north, east)))


def tile_basemap():
    if not settings.TILE_URL:
        return None
    # Leaflet needs an attribution for custom tiles; the provider's host is the least.
    attribution = settings.TILE_ATTRIBUTION or urlsplit(settings.TILE_URL).hostname or settings.TILE_URL
    return TileBasemap(settings.TILE_URL, attribution, settings.TILE_SUBDOMAINS)


def basemap_image(shade, cover, outline):
    """The basemap as an RGB array in EPSG:3857 and its transform.

    `shade` and `cover` are open datasets of the hillshade and the land cover on one grid;
    `outline` is a GeoJSON-like geometry in their CRS, outside which the image fades to white.
    """
    if (shade.crs, shade.transform, shade.shape) != (cover.crs, cover.transform, cover.shape):
        raise ValueError("the hillshade and the land cover must share one grid")
    inside = features.rasterize([outline], out_shape=shade.shape, transform=shade.transform)
    rgb = _tint(shade.read(1).astype(float), cover.read(1), inside.astype(bool))
    transform, width, height = calculate_default_transform(
        shade.crs, WEB_MERCATOR, shade.width, shade.height, *shade.bounds)
    out = np.full((3, height, width), 255, np.uint8)
    for band in range(3):
        reproject(rgb[band], out[band], src_transform=shade.transform, src_crs=shade.crs,
                  dst_transform=transform, dst_crs=WEB_MERCATOR, resampling=Resampling.bilinear,
                  init_dest_nodata=False)  # keep white, not black, where no cell falls
    return out, transform


def write_jpeg(image, transform, path):
    """Write an RGB array as a plain JPEG (small for the web; its bounds live in the database)
    and return its bounds (west, south, east, north)."""
    _, height, width = image.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path, "w", driver="JPEG", width=width, height=height, count=3,
                           dtype="uint8", quality=82) as dst:
            dst.write(image)
    west, north = transform @ (0, 0)
    east, south = transform @ (width, height)
    return west, south, east, north


def _tint(shade, cover, inside):
    light = 0.35 + 0.65 * shade / 255.0
    rgb = np.full((3,) + shade.shape, 255.0)
    for code, color in TINTS.items():
        here = cover == code
        for band in range(3):
            rgb[band][here] = color[band] * light[here]
    rgb[:, ~inside] = 255 - 0.45 * (255 - rgb[:, ~inside])  # fade outside the county
    return rgb.astype(np.uint8)
