"""The offline basemap: the county's hillshade tinted by land cover, as a web-mercator JPEG.

Map widgets and the portal show it as a single image, so that no tile server is needed.
"""
import warnings

import numpy as np
import rasterio
from rasterio import features
from rasterio.errors import NotGeoreferencedWarning
from rasterio.warp import Resampling, calculate_default_transform, reproject

from data.sample.terrain import BUILT_UP, CROPLAND, FOREST, GRASSLAND, ORCHARD, WATER

WEB_MERCATOR = "EPSG:3857"
# Land-cover tints, blended with the hillshade.
TINTS = {CROPLAND: (236, 222, 160), ORCHARD: (200, 226, 150), FOREST: (122, 170, 110),
         GRASSLAND: (196, 214, 160), BUILT_UP: (224, 170, 160), WATER: (120, 170, 230)}


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
