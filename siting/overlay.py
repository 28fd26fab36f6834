"""The suitability surface as a transparent PNG in web mercator, for the siting page's map."""
import struct
import warnings
import zlib

import numpy as np
import pyproj
import rasterio
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from rasterio.warp import Resampling, calculate_default_transform, reproject

WEB_MERCATOR = "EPSG:3857"
# Scores 0..1 from red through yellow to green (ColorBrewer RdYlGn), drawn half transparent.
RAMP = np.array([(215, 48, 39), (252, 141, 89), (254, 224, 139), (217, 239, 139),
                 (145, 207, 96), (26, 152, 80)], float)
ALPHA = 170
MAX_PIXELS = 2048  # the image's longer side


def surface_png(path, credits=()):
    """The surface at `path` as PNG bytes and its (south, west, north, east) in degrees; the
    `credits` (the attributions of the data it derives from) go into its Copyright text."""
    with rasterio.open(path) as surface:
        transform, width, height = calculate_default_transform(
            surface.crs, WEB_MERCATOR, surface.width, surface.height, *surface.bounds)
        if max(width, height) > MAX_PIXELS:  # a map image, not the data: memory stays bounded
            shrink = MAX_PIXELS / max(width, height)
            transform, width, height = calculate_default_transform(
                surface.crs, WEB_MERCATOR, surface.width, surface.height, *surface.bounds,
                dst_width=max(1, round(width * shrink)), dst_height=max(1, round(height * shrink)))
        score = np.full((height, width), np.nan, np.float32)
        reproject(rasterio.band(surface, 1), score, dst_transform=transform,
                  dst_crs=WEB_MERCATOR, resampling=Resampling.nearest, dst_nodata=np.nan)
    rgba = np.zeros((4, height, width), np.uint8)
    known = ~np.isnan(score)
    at = np.clip(score[known], 0, 1) * (len(RAMP) - 1)
    low = np.minimum(at.astype(int), len(RAMP) - 2)
    mix = (at - low)[:, None]
    colours = RAMP[low] * (1 - mix) + RAMP[low + 1] * mix
    for band in range(3):
        rgba[band][known] = colours[:, band].round()
    rgba[3][known] = ALPHA
    with warnings.catch_warnings(), MemoryFile() as memory:
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # its bounds go in a header
        with memory.open(driver="PNG", width=width, height=height, count=4, dtype="uint8") as png:
            png.write(rgba)
        data = memory.read()
    if credits:
        data = with_text(data, "Copyright", "; ".join(credits))
    west, north = transform @ (0, 0)
    east, south = transform @ (width, height)
    to_degrees = pyproj.Transformer.from_crs(3857, 4326, always_xy=True)
    (west, east), (south, north) = to_degrees.transform([west, east], [south, north])
    return data, (south, west, north, east)


def with_text(png, keyword, text):
    """PNG bytes with an international text chunk (iTXt, UTF-8) `keyword`: `text` after the
    header, where image viewers and exiftool read it."""
    body = keyword.encode("latin-1") + b"\0\0\0" + b"\0" + b"\0" + text.encode()
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body + struct.pack(">I", zlib.crc32(b"iTXt" + body))
    header_end = 8 + 4 + 4 + 13 + 4  # the signature and the IHDR chunk
    return png[:header_end] + chunk + png[header_end:]
