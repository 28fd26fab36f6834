"""Protected land of the sample county: an ecological protection area (生态保护红线) over the high
mountains and basic farmland (永久基本农田) on the flat valley cropland, both synthetic."""
import numpy as np
import shapely
from rasterio import features
from scipy import ndimage
from shapely.geometry import MultiPolygon, shape

from analysis.landcover import CROPLAND

ECOLOGY_ABOVE_M = 1700.0  # the Qinling and Mangling crests
FARMLAND_SLOPE = 6.0  # degrees
FARMLAND_BELOW_M = 1100.0
FARMLAND_CLEAR_OF_SEATS_M = 1500.0  # room left for the towns to grow
MIN_PATCH_M2 = {"ecological_protection": 1_000_000.0, "basic_farmland": 200_000.0}


def protected_land(grid, terrain, county, seats):
    """{kind: MultiPolygon} in the storage CRS, clipped to the county (a shapely geometry);
    `seats` are (x, y) town seats."""
    X, Y = grid.centers()
    near_seat = np.zeros(grid.shape, bool)
    for x, y in seats:
        near_seat |= np.hypot(X - x, Y - y) < FARMLAND_CLEAR_OF_SEATS_M
    masks = {
        "ecological_protection": terrain.dem >= ECOLOGY_ABOVE_M,
        "basic_farmland": ((terrain.landcover == CROPLAND) & (terrain.slope <= FARMLAND_SLOPE)
                           & (terrain.dem <= FARMLAND_BELOW_M) & ~near_seat),
    }
    return {kind: _polygons(mask, grid, county, MIN_PATCH_M2[kind]) for kind, mask in masks.items()}


def _polygons(mask, grid, county, min_area):
    mask = ndimage.binary_opening(mask, iterations=2)
    parts = [shape(g) for g, _ in features.shapes(mask.astype(np.uint8), mask=mask,
                                                   transform=grid.transform)]
    merged = shapely.intersection(shapely.union_all(parts).simplify(grid.cell), county)
    kept = [p for p in getattr(merged, "geoms", [merged])
            if p.geom_type == "Polygon" and p.area >= min_area]
    return MultiPolygon(kept)
