"""The basemap image from tiny rasters whose colours can be worked out by hand."""
import numpy as np
import pytest
from rasterio.io import MemoryFile
from rasterio.transform import from_origin

from analysis.landcover import CROPLAND, WATER
from layers.basemap import TINTS, basemap_image

# A 2 x 2 grid of 100 m cells near the sample county, in its storage CRS.
GRID = dict(driver="GTiff", width=2, height=2, count=1, crs="EPSG:4546",
            transform=from_origin(420000, 3780000, 100, 100))


def dataset(array, **grid):
    memory = MemoryFile()
    with memory.open(**{**GRID, **grid}, dtype=array.dtype) as dst:
        dst.write(array, 1)
    return memory.open()


def test_cells_take_their_land_cover_tint_lit_by_the_hillshade():
    shade = dataset(np.array([[255, 255], [0, 0]], np.uint8))
    cover = dataset(np.array([[CROPLAND, WATER], [CROPLAND, WATER]], np.uint8))
    outline = {"type": "Polygon", "coordinates": [[(419000, 3779000), (421000, 3779000),
                                                   (421000, 3781000), (419000, 3781000),
                                                   (419000, 3779000)]]}
    image, _ = basemap_image(shade, cover, outline)
    assert image.shape[0] == 3
    colours = image.reshape(3, -1).T.astype(int)

    def shown(colour):  # within a few levels: bilinear resampling blends neighbouring cells
        return (np.abs(colours - np.array(colour)).max(axis=1) <= 4).any()

    # Full light (255) shows the tint itself; no light (0) shows 35% of it.
    assert shown(TINTS[CROPLAND]) and shown(TINTS[WATER])
    assert shown([0.35 * v for v in TINTS[CROPLAND]])


def test_rasters_on_different_grids_are_refused():
    shade = dataset(np.zeros((2, 2), np.uint8))
    cover = dataset(np.zeros((2, 2), np.uint8), transform=from_origin(420050, 3780000, 100, 100))
    with pytest.raises(ValueError, match="share one grid"):
        basemap_image(shade, cover, {"type": "Point", "coordinates": (0, 0)})
