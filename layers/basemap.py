"""The basemaps: the offline one, the county's hillshade tinted by land cover as a web-mercator
JPEG, and an optional online one (tiles from a configured URL, e.g. Tianditu).

Every map (the pages' Leaflet maps, the admin's OpenLayers widgets) shows the offline basemap as
a single image, so that no tile server is needed on an intranet.
"""
import math
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
import rasterio
from django.conf import settings
from django.urls import reverse
from rasterio import Affine, features
from rasterio.errors import NotGeoreferencedWarning
from rasterio.warp import Resampling, calculate_default_transform, reproject

from analysis.landcover import BUILT_UP, CROPLAND, FOREST, GRASSLAND, ORCHARD, WATER
from analysis.terrain import hillshade, hypsometric_tint

from .models import RasterLayer

WEB_MERCATOR = "EPSG:3857"
MAX_SIDE = 4096  # cells a side of the grid the basemap is drawn from
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


def basemap_layer(county):
    """The RasterLayer of the county's offline basemap image, or None before one is loaded."""
    return RasterLayer.objects.of_county(county).filter(kind=RasterLayer.Kind.BASEMAP).first()


def basemap_url(layer):
    """The address of the basemap image `layer`: a new image (each import makes a new row) has a
    new address, so that no browser shows the one it cached before."""
    return f"{reverse('basemap')}?v={layer.pk}"


def offline_basemap(county):
    layer = basemap_layer(county)
    if layer is None:
        return None
    west, south, east, north = layer.footprint.transform(4326, clone=True).extent
    return Basemap(basemap_url(layer), ((south, west), (north, east)))


def tile_basemap():
    if not settings.TILE_URL:
        return None
    # Leaflet needs an attribution for custom tiles; the provider's host is the least.
    attribution = settings.TILE_ATTRIBUTION or urlsplit(settings.TILE_URL).hostname or settings.TILE_URL
    return TileBasemap(settings.TILE_URL, attribution, settings.TILE_SUBDOMAINS)


def basemap_image(dem, cover, outline, max_side=MAX_SIDE):
    """The basemap as an RGB array in EPSG:3857 and its transform: the hillshade of the DEM
    tinted by land cover, or by elevation (a hypsometric tint) when there is no land cover.

    `dem` and `cover` are open datasets (either may be None, not both); the land cover is read
    onto the DEM's grid. `outline` is a GeoJSON-like geometry in their CRS, outside which the
    image fades to white. A grid with more than `max_side` cells a side is drawn averaged down.
    """
    base = dem or cover
    step = max(1, math.ceil(max(base.width, base.height) / max_side))
    shape = (math.ceil(base.height / step), math.ceil(base.width / step))
    transform = base.transform @ Affine.scale(base.width / shape[1], base.height / shape[0])
    inside = features.rasterize([outline], out_shape=shape, transform=transform).astype(bool)
    if dem is not None:
        z = dem.read(1, out_shape=shape, resampling=Resampling.average, masked=True)
        z = z.astype(float).filled(np.nan)
        light = 0.35 + 0.65 * hillshade(z, transform.a, -transform.e) / 255.0
    else:
        z, light = None, np.full(shape, 0.9)
    if cover is not None:
        classes = np.zeros(shape, np.uint8)
        reproject(rasterio.band(cover, 1), classes, dst_transform=transform, dst_crs=base.crs,
                  resampling=Resampling.nearest if step == 1 else Resampling.mode)
        rgb = np.full((3,) + shape, 255.0)
        for code, color in TINTS.items():
            here = classes == code
            for band in range(3):
                rgb[band][here] = color[band]
    else:
        known = inside & ~np.isnan(z)
        low, high = np.percentile(z[known], (1, 99)) if known.any() else (0.0, 1.0)
        rgb = hypsometric_tint(z, low, high)
    rgb = rgb * light
    rgb[:, ~inside] = 255 - 0.45 * (255 - rgb[:, ~inside])  # fade outside the county
    rgb = rgb.astype(np.uint8)
    web, width, height = calculate_default_transform(
        base.crs, WEB_MERCATOR, shape[1], shape[0], *base.bounds)
    out = np.full((3, height, width), 255, np.uint8)
    for band in range(3):
        reproject(rgb[band], out[band], src_transform=transform, src_crs=base.crs,
                  dst_transform=web, dst_crs=WEB_MERCATOR, resampling=Resampling.bilinear,
                  init_dest_nodata=False)  # keep white, not black, where no cell falls
    return out, web


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
