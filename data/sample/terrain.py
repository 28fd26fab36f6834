"""Terrain of the sample county: a DEM with carved river valleys, and land cover from it."""
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from analysis.landcover import BUILT_UP, CROPLAND, FOREST, GRASSLAND, ORCHARD, WATER


@dataclass(frozen=True)
class River:
    """A river course in the storage CRS with its valley-floor profile."""

    name: str
    xy: np.ndarray  # (n, 2) densified vertices from source to mouth
    floor: np.ndarray  # valley-floor elevation at each vertex
    half_width: np.ndarray  # valley half-width at each vertex, metres
    synthetic_name: bool


@dataclass(frozen=True)
class Terrain:
    dem: np.ndarray  # float32 metres
    slope: np.ndarray  # degrees
    valley: np.ndarray  # 0 on a valley floor, towards 1 on the slopes and ridges
    height_above_floor: np.ndarray  # metres above the nearest valley floor
    landcover: np.ndarray  # uint8 codes of analysis.landcover


def densify(points, values, step):
    """Points every `step` metres along a polyline, with `values` interpolated by distance."""
    points = np.asarray(points, dtype=float)
    seg = np.hypot(*np.diff(points, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(seg)])
    at = np.linspace(0.0, along[-1], max(2, int(along[-1] / step) + 1))
    xy = np.column_stack([np.interp(at, along, points[:, 0]), np.interp(at, along, points[:, 1])])
    return xy, [np.interp(at, along, np.asarray(v, dtype=float)) for v in values]


def fractal_noise(shape, beta, rng):
    """Spectral synthesis: Gaussian noise whose power falls off as 1/f**beta, scaled to std 1."""
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.rfftfreq(shape[1])[None, :]
    f = np.hypot(fx, fy)
    f[0, 0] = 1.0
    amplitude = f ** (-beta / 2.0)
    amplitude[0, 0] = 0.0
    phase = rng.uniform(0, 2 * np.pi, amplitude.shape)
    field = np.fft.irfft2(amplitude * np.exp(1j * phase), s=shape)
    return (field - field.mean()) / field.std()


def ridged_noise(shape, wavelengths, rng):
    """Ridged multifractal noise in about 0..1: sharp crests where band-limited noise crosses zero,
    so that slopes meet in ridges and valleys as in eroded mountains."""
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.rfftfreq(shape[1])[None, :]
    f = np.maximum(np.hypot(fx, fy), 1e-9)
    total = np.zeros(shape)
    for wavelength, weight in wavelengths:
        band = np.exp(-0.5 * (np.log(f * wavelength) / 0.45) ** 2)
        spectrum = band * np.exp(1j * rng.uniform(0, 2 * np.pi, band.shape))
        n = np.fft.irfft2(spectrum, s=shape)
        total += weight * (1 - np.abs(n / n.std() / 2.5).clip(0, 1)) ** 2
    return total / sum(weight for _, weight in wavelengths)


def slope_degrees(dem, cell):
    dzdy, dzdx = np.gradient(dem, cell)
    return np.degrees(np.arctan(np.hypot(dzdx, dzdy)))


def build_terrain(grid, county_mask, rivers, peak_xy, peak_elevation, seat_xy, rng):
    """The DEM and land cover of the sample county on `grid`.

    The valley floor comes from the river profiles; relief above it rises to the north-west and
    toward the northern (Huashan) and southern (Mangling) border ridges, with fractal noise,
    and a dome raises the summit near `peak_xy` to `peak_elevation`.
    """
    X, Y = grid.centers()
    cell = grid.cell
    on_river = np.zeros(grid.shape, bool)
    floor_at = np.zeros(grid.shape, np.float32)
    width_at = np.zeros(grid.shape, np.float32)
    for river in rivers:
        r, c = grid.cell_of(river.xy[:, 0], river.xy[:, 1])
        on_river[r, c] = True
        floor_at[r, c] = river.floor
        width_at[r, c] = river.half_width
    distance, (ir, ic) = ndimage.distance_transform_edt(~on_river, sampling=cell, return_indices=True)
    floor_near = floor_at[ir, ic]
    width_near = width_at[ir, ic]
    wobble = 1 + 0.35 * fractal_noise(grid.shape, 3.0, rng)  # irregular valley sides
    valley = 1.0 - np.exp(-((distance / (width_near * wobble.clip(0.4))) ** 2))
    floor_smooth = ndimage.gaussian_filter(floor_near, sigma=3000 / cell)
    floor = floor_near * (1 - valley) + floor_smooth * valley

    rows, cols = np.nonzero(county_mask)
    xmin, xmax = X[0, cols.min()], X[0, cols.max()]
    ymin, ymax = Y[rows.max(), 0], Y[rows.min(), 0]
    u = np.clip((X - xmin) / (xmax - xmin), 0, 1)
    v = np.clip((Y - ymin) / (ymax - ymin), 0, 1)
    amplitude = 380 + 900 * np.clip(0.6 * (1 - u) + 0.4 * v, 0, 1)

    inside = ndimage.distance_transform_edt(county_mask, sampling=cell)
    outside = ndimage.distance_transform_edt(~county_mask, sampling=cell)
    to_border = np.where(county_mask, inside, outside)
    luo = rivers[0]
    order = np.argsort(luo.xy[:, 0])
    north = Y > np.interp(X, luo.xy[order, 0], luo.xy[order, 1])
    ridge = np.where(north, 650.0, 420.0) * np.exp(-to_border / 5000) * (0.45 + 0.55 * (1 - u))

    broad = fractal_noise(grid.shape, 3.6, rng)
    crests = ridged_noise(grid.shape, [(9000 / cell, 1.0), (4500 / cell, 0.8),
                                       (2200 / cell, 0.5), (1000 / cell, 0.2)], rng)
    relief = amplitude * (0.2 + 0.15 * broad + 0.9 * crests) + ridge
    relief = np.maximum(relief, 30.0) * (1 - 0.6 * np.exp(-distance / 2500))
    # The broad eastern valley: flats and tablelands within a few kilometres of the Luo.
    east = np.clip((X - seat_xy[0]) / 25000.0, 0, 1)
    relief *= 1 - 0.5 * east * np.exp(-distance / 6000)

    dem = floor + valley * relief
    # Summits elsewhere stay below the peak; the peak itself is a cone blended into the relief.
    crest = peak_elevation - 350
    dem = np.where(dem > crest, crest + (dem - crest) * 0.3, dem)
    peak_distance = np.hypot(X - peak_xy[0], Y - peak_xy[1])
    blend = np.exp(-(peak_distance / 3500.0) ** 2)
    cone = peak_elevation - 0.15 * peak_distance
    dem = (dem * (1 - blend) + np.maximum(cone, dem) * blend).astype(np.float32)

    slope = slope_degrees(dem, cell)
    landcover = classify_landcover(dem, slope, dem - floor, distance, rng)
    return Terrain(dem, slope.astype(np.float32), valley.astype(np.float32),
                   (dem - floor).astype(np.float32), landcover)


def classify_landcover(dem, slope, above_floor, river_distance, rng):
    """Cropland on gentle low land, orchards and grass on middle slopes, forest high and steep."""
    jitter = fractal_noise(dem.shape, 2.0, rng)
    cover = np.full(dem.shape, FOREST, np.uint8)
    cover[(slope < 22 + 4 * jitter) & (dem > 1700 + 150 * jitter)] = GRASSLAND
    cover[(slope < 16 + 3 * jitter) & (dem < 1350 + 100 * jitter)] = ORCHARD
    cover[(slope < 9 + 2 * jitter) & (above_floor < 140 + 40 * jitter)] = CROPLAND
    cover[river_distance < 45] = WATER
    return cover


def mark_built_up(landcover, grid, seats, slope):
    """Built-up land around town seats: (x, y, radius) in metres, on gentle ground only."""
    X, Y = grid.centers()
    for x, y, radius in seats:
        near = (np.hypot(X - x, Y - y) < radius) & (slope < 12) & (landcover != WATER)
        landcover[near] = BUILT_UP
    return landcover
