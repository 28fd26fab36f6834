"""The basemap image from tiny rasters whose colours can be worked out by hand."""
import numpy as np
from rasterio.io import MemoryFile
from rasterio.transform import from_origin

from analysis.landcover import CROPLAND, FOREST, WATER
from analysis.terrain import HYPSOMETRIC, hypsometric_tint
from layers.basemap import TINTS, basemap_image

# A 2 x 2 grid of 100 m cells near the sample county, in its storage CRS.
GRID = dict(driver="GTiff", width=2, height=2, count=1, crs="EPSG:4546",
            transform=from_origin(420000, 3780000, 100, 100))


def dataset(array, **grid):
    memory = MemoryFile()
    with memory.open(**{**GRID, **grid}, dtype=array.dtype) as dst:
        dst.write(array, 1)
    return memory.open()


OUTLINE = {"type": "Polygon", "coordinates": [[(419000, 3779000), (421000, 3779000),
                                                (421000, 3781000), (419000, 3781000),
                                                (419000, 3779000)]]}
# Flat ground lit from 45 degrees above the horizon: hillshade 255 * cos 45° = 180, so the light
# is 0.35 + 0.65 * 180 / 255 = 0.809 of the full tint.
FLAT_LIGHT = 0.35 + 0.65 * 180 / 255


def shown(image, colour):  # within a few levels: resampling to web mercator blends cells
    colours = image.reshape(3, -1).T.astype(int)
    return (np.abs(colours - np.array(colour)).max(axis=1) <= 4).any()


def test_flat_cells_take_their_land_cover_tint_lit_by_the_hillshade():
    dem = dataset(np.full((2, 2), 500, np.float32))
    cover = dataset(np.array([[CROPLAND, WATER], [CROPLAND, WATER]], np.uint8))
    image, _ = basemap_image(dem, cover, OUTLINE)
    assert image.shape[0] == 3
    assert shown(image, [FLAT_LIGHT * v for v in TINTS[CROPLAND]])
    assert shown(image, [FLAT_LIGHT * v for v in TINTS[WATER]])


def test_without_land_cover_the_tint_follows_elevation():
    # One elevation everywhere: the ramp's lowest colour, lit as flat ground.
    image, _ = basemap_image(dataset(np.full((2, 2), 500, np.float32)), None, OUTLINE)
    assert shown(image, [FLAT_LIGHT * v for v in HYPSOMETRIC[0]])
    assert not shown(image, [FLAT_LIGHT * v for v in TINTS[CROPLAND]])


def test_the_ramp_runs_from_the_lowest_to_the_highest_ground():
    rgb = hypsometric_tint(np.array([[0.0, 1000.0, np.nan]]), 0, 1000)
    assert rgb[:, 0, 0].tolist() == HYPSOMETRIC[0].tolist()
    assert rgb[:, 0, 1].tolist() == HYPSOMETRIC[-1].tolist()
    assert rgb[:, 0, 2].tolist() == HYPSOMETRIC[0].tolist()  # no data: the lowest tint


def test_without_a_dem_the_land_cover_is_evenly_lit():
    image, _ = basemap_image(None, dataset(np.full((2, 2), FOREST, np.uint8)), OUTLINE)
    assert shown(image, [0.9 * v for v in TINTS[FOREST]])
