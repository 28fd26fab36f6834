"""The raster suitability pipeline (analysis.suitability) end to end against its anchors, on a
generated N x N DEM (10,000 x 10,000 cells of 30 m by default) with its derived layers:

- derive: `derive_criteria` (slope, aspect, distances to roads, trunk roads and rivers, to the
  county seat and the town seats, zone, village, ecological_protection and basic_farmland
  labels), million cells per second and peak memory;
- score (the headline): `score_surface` with the modern_agriculture profile (5 criteria,
  slope > 25, landcover 5 or 6 and ecological_protection excluded), written as a COG;
- sites: `candidate_sites(stack, surface, top=20)` (it keeps the mask and labels in memory);

and, in the same run on the same machine, three anchors for the score:

- rasterio alone: the same tiles of the same input layers read window by window (the
  profile's layers, zone and village, 1024-cell blocks in the same order) and one float32 output
  (the DEM's window) written through the same uncompressed tiled scratch and the same COG copy
  (analysis.suitability.TILED and COG), in one thread, with the same GDAL block cache
  (CACHE_MB): the I/O floor of the score;
- gdal_calc.py: Debian's (GDAL 3.6, python3-gdal) computing the same weighted sum, numpy.interp
  and a class table in its --calc expression, the constraints and zone 0 as NaN, into a tiled
  ZSTD (level 1, floating-point predictor, 512-cell tiles, 2 threads) GTiff; its output is
  checked against the score's on a sample of cells (max abs difference, 1e-5 allowed);
- numpy in memory: every needed layer read whole, `score_block` on the whole arrays (compute
  alone, and read + compute + the same scratch-then-COG write).

    .venv/bin/python bench/suitability.py                 # 10,000 x 10,000 (about 10 minutes)
    .venv/bin/python bench/suitability.py --size 2000     # a quick run
    .venv/bin/python bench/suitability.py --size 4000 --repeat 3 --keep --folder /tmp/suit

Each stage runs in a fresh child process (this script with --stage), so its peak resident memory
(ru_maxrss) is its own; gdal_calc.py runs as a grandchild under /usr/bin/python3 and its peak is
read with RUSAGE_CHILDREN. With --repeat R every stage runs R times, interleaved; the seconds are
medians, the peaks maxima. Set-up: python3-gdal and gdal-bin are installed with apt-get when
/usr/bin/gdal_calc.py or osgeo is missing (as root; otherwise the command is printed and the
bench exits 2). Exit status 1 when gdal_calc.py's or the numpy anchor's output disagrees.
"""
import argparse
import contextlib
import json
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from debian_packages import install  # bench/debian_packages.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CELL = 30.0
CRS = "EPSG:4546"
ORIGIN = (380_000.0, 3_400_000.0)  # west, north (metres, EPSG:4546)
TILE = 512
SEED = 11
TOLERANCE = 1e-5
GDAL_CALC = "/usr/bin/gdal_calc.py"
SYSTEM_PYTHON = "/usr/bin/python3"
NUMPY_LIMIT = 12e9  # bytes: the in-memory anchor is skipped above this estimate
NUMPY_BYTES_PER_CELL = 32  # the estimate's temporaries: interp's float64, the int64 class codes ...
AIM_MCELLS, AIM_MB, AIM_RATIO = 30.0, 1024.0, 1.5


# ------------------------------------------------------------------------------------ the profile

def profile():
    """modern_agriculture of siting/industry_profiles.toml, built here so that the bench does
    not move when the county's file does (`profile_note` says whether they still agree)."""
    from analysis.suitability import Constraint, Criterion, Profile

    return Profile("modern_agriculture", (
        Criterion("slope", 3.0, ((0.0, 1.0), (6.0, 1.0), (15.0, 0.3), (25.0, 0.0))),
        Criterion("landcover", 3.0, classes=((1, 1.0), (2, 0.6), (3, 0.1), (4, 0.5))),
        Criterion("elevation", 2.0, ((700.0, 1.0), (1000.0, 0.8), (1400.0, 0.2), (1800.0, 0.0))),
        Criterion("river_distance", 1.0, ((0.0, 1.0), (1000.0, 1.0), (4000.0, 0.2))),
        Criterion("road_distance", 1.0, ((0.0, 1.0), (500.0, 1.0), (3000.0, 0.2))),
    ), (
        Constraint("slope", above=25),
        Constraint("landcover", classes=(5, 6)),
        Constraint("ecological_protection", classes=(1,)),
    ), 0.9, 20 * 10_000.0, 300 * 10_000.0)


def profile_note():
    from analysis.suitability import load_profiles

    try:
        theirs = load_profiles(ROOT / "siting" / "industry_profiles.toml")["modern_agriculture"]
    except Exception as problem:  # noqa: BLE001 - a note, not a failure
        return f"siting/industry_profiles.toml not compared ({problem})"
    same = theirs == profile()
    return ("the same as modern_agriculture in siting/industry_profiles.toml" if same else
            "DIFFERS from modern_agriculture in siting/industry_profiles.toml now")


# ------------------------------------------------------------------------------------------- data

def transform():
    from rasterio.transform import from_origin

    return from_origin(*ORIGIN, CELL, CELL)


def _noise(rows, cols, seed):
    """Deterministic uniform [0, 1) noise per cell (a 64-bit integer hash of row and column)."""
    r = np.arange(rows.start, rows.stop, dtype=np.uint64)[:, None]
    c = np.arange(cols.start, cols.stop, dtype=np.uint64)[None, :]
    h = ((r * np.uint64(0x9E3779B97F4A7C15))
         ^ ((c + np.uint64(seed)) * np.uint64(0xC2B2AE3D27D4EB4F)))
    h ^= h >> np.uint64(31)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(29)
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def _waves(x, y, amplitude, wx, wy):
    """amplitude * sin(2 pi (x / wx + y / wy)) from 1-D x (columns) and y (rows), separably."""
    ax, ay = 2 * np.pi * x / wx, 2 * np.pi * y / wy
    return amplitude * (np.sin(ax)[None, :] * np.cos(ay)[:, None]
                        + np.cos(ax)[None, :] * np.sin(ay)[:, None])


def terrain(rows, cols):
    """Elevation (float64, m) and land cover (uint8) of the cells rows x cols (two slices).

    Sums of sines and cosines of x and y (metres from the origin: 520-1880 m, slopes up to
    about 30 degrees) plus half a metre of hash noise; land cover from the elevation, two
    smooth patch fields and noise: 1 cropland, 2 orchard, 3 forest, 4 grassland, 5 built-up,
    6 water.
    """
    x = (np.arange(cols.start, cols.stop) + 0.5) * CELL
    y = (np.arange(rows.start, rows.stop) + 0.5) * CELL
    tau = 2 * np.pi
    z = (1200.0
         + 400.0 * np.sin(tau * x / 60_000)[None, :] * np.cos(tau * y / 45_000)[:, None]
         + _waves(x, y, 150.0, 9_000, 11_000)
         + 90.0 * np.cos(tau * x / 2_500)[None, :] * np.sin(tau * y / 3_100)[:, None]
         + np.abs(_waves(x, y, 40.0, 1_500, 2_000))
         + 0.5 * _noise(rows, cols, SEED))
    zc = z + 40.0 * (_noise(rows, cols, SEED + 1) - 0.5)
    patches = np.sin(tau * x / 5_300)[None, :] * np.sin(tau * y / 4_700)[:, None]
    towns = np.cos(tau * x / 7_300)[None, :] * np.cos(tau * y / 6_100)[:, None]
    landcover = np.ones(z.shape, np.uint8)
    landcover[patches > 0.55] = 2
    landcover[zc > 1300] = 4
    landcover[(zc > 1500) | (patches < -0.75)] = 3
    landcover[towns > 0.96] = 5
    landcover[zc < 760] = 6
    return z, landcover


def write_rasters(folder, size):
    """dem.tif (float32) and landcover.tif (uint8): tiled 512, ZSTD, written a strip of tiles
    at a time (never the whole raster in memory)."""
    import rasterio
    from rasterio.windows import Window

    common = dict(driver="GTiff", width=size, height=size, count=1, crs=CRS,
                  transform=transform(), tiled=True, blockxsize=TILE, blockysize=TILE,
                  compress="ZSTD", zstd_level=1)
    with rasterio.open(folder / "dem.tif", "w", dtype="float32", predictor=3, **common) as dem, \
            rasterio.open(folder / "landcover.tif", "w", dtype="uint8", predictor=2,
                          **common) as landcover:
        for row in range(0, size, TILE):
            rows = slice(row, min(size, row + TILE))
            z, classes = terrain(rows, slice(0, size))
            window = Window(0, row, size, rows.stop - row)
            dem.write(z.astype(np.float32), 1, window=window)
            landcover.write(classes, 1, window=window)


def _wiggly(rng, start, end, step, amplitude):
    """A polyline from start to end with a vertex every `step` metres, each moved sideways."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    n = max(2, int(np.hypot(*(end - start)) // step) + 1)
    t = np.linspace(0, 1, n)[:, None]
    xy = start + t * (end - start)
    normal = np.array([-(end - start)[1], (end - start)[0]]) / np.hypot(*(end - start))
    offset = np.cumsum(rng.normal(0, amplitude / 3, n))
    offset -= np.linspace(offset[0], offset[-1], n)  # ends stay put
    return xy + np.clip(offset, -amplitude, amplitude)[:, None] * normal


def features(size):
    """The vector layers of a county of size x size cells, as analysis.suitability.Features:
    wiggly roads every 8 km each way (every 4th a trunk road), meandering rivers every 20 km,
    the county seat and about 25 town seats per 300 km square, 4 zones covering the raster,
    villages as 2.4 km squares on a 3 km grid, and round ecological protection areas and
    square basic farmland blocks."""
    import shapely

    from analysis.suitability import Features

    rng = np.random.default_rng(SEED)
    extent = size * CELL
    west, north = ORIGIN
    south, east = north - extent, west + extent
    roads, trunks = [], []
    for k, at in enumerate(np.arange(4_000, extent, 8_000)):
        for start, end in (((west - 1_000, north - at), (east + 1_000, north - at)),
                           ((west + at, north + 1_000), (west + at, south - 1_000))):
            line = shapely.LineString(_wiggly(rng, start, end, 1_500, 1_500))
            roads.append(line)
            if k % 4 == 0:
                trunks.append(line)
    rivers = []
    for at in np.arange(10_000, extent + 10_000, 20_000):
        x = np.arange(west - 1_000, east + 1_000, 500.0)
        y = north - at + 2_500 * np.sin(x / 4_000 + at) + 0.25 * (x - west)
        rivers.append(shapely.LineString(np.column_stack([x, y])))
    towns = np.column_stack([rng.uniform(west, east, max(3, round(25 * (size / 10_000) ** 2))),
                             rng.uniform(south, north, max(3, round(25 * (size / 10_000) ** 2)))])
    seat = [(west + 0.47 * extent, north - 0.52 * extent)]
    cx, cy = west + 0.45 * extent, north - 0.55 * extent
    zones = [(shapely.box(west - 1_000, cy, cx, north + 1_000), 1),
             (shapely.box(cx, cy, east + 1_000, north + 1_000), 2),
             (shapely.box(west - 1_000, south - 1_000, cx, cy), 3),
             (shapely.box(cx, south - 1_000, east + 1_000, cy), 4)]
    corners = np.arange(0, extent, 3_000.0) + 300
    gx, gy = np.meshgrid(west + corners, south + corners)
    villages = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + 2_400, gy.ravel() + 2_400)
    count = max(3, round(225 * (size / 10_000) ** 2))
    centres = shapely.points(rng.uniform(west, east, count), rng.uniform(south, north, count))
    ecological = shapely.buffer(centres, rng.uniform(1_000, 4_000, count), quad_segs=8)
    fx, fy = rng.uniform(west, east, count), rng.uniform(south, north, count)
    side = rng.uniform(1_000, 3_000, count)
    farmland = shapely.box(fx, fy, fx + side, fy + side)
    return Features(
        distance_to_lines={"road_distance": roads, "trunk_road_distance": trunks,
                           "river_distance": rivers},
        distance_to_points={"seat_distance": seat, "town_distance": towns},
        labels={"zone": zones,
                "village": [(g, n) for n, g in enumerate(villages.tolist(), 1)],
                "ecological_protection": [(g, 1) for g in ecological.tolist()],
                "basic_farmland": [(g, 1) for g in farmland.tolist()]})


def stack_of(folder):
    from analysis.suitability import Stack

    paths = {"elevation": str(folder / "dem.tif"), "landcover": str(folder / "landcover.tif")}
    paths.update({p.stem: str(p) for p in sorted((folder / "criteria").glob("*.tif"))})
    return Stack.of(paths)


# --------------------------------------------------------------------------------------- stages
# Each runs in a child process of its own and returns its seconds (and notes); the child adds
# its peak and baseline resident memory.

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2 ** 20


def stage_derive(folder, size):
    import rasterio

    from analysis.suitability import derive_criteria

    given = features(size)
    base = rss_mb()
    with rasterio.open(folder / "dem.tif") as dem:
        start = time.perf_counter()
        stack = derive_criteria(dem, given, folder / "criteria")
        seconds = time.perf_counter() - start
    return dict(seconds=seconds, base=base, layers=len(stack.paths) - 1)


def stage_score(folder, size):
    from analysis.suitability import score_surface

    stack, chosen = stack_of(folder), profile()
    base = rss_mb()
    start = time.perf_counter()
    surface = score_surface(stack, chosen, folder / "score.tif")
    seconds = time.perf_counter() - start
    (folder / "surface.pickle").write_bytes(pickle.dumps(surface))
    return dict(seconds=seconds, base=base, scored=surface.scored_cells,
                suitable=surface.suitable_cells, excluded=list(surface.excluded_cells),
                study=surface.study_cells)


def stage_sites(folder, size):
    from analysis.suitability import candidate_sites

    stack = stack_of(folder)
    surface = pickle.loads((folder / "surface.pickle").read_bytes())
    base = rss_mb()
    start = time.perf_counter()
    sites = candidate_sites(stack, surface, top=20)
    seconds = time.perf_counter() - start
    return dict(seconds=seconds, base=base, sites=len(sites),
                best=sites[0].score if sites else None,
                cells=sum(s.cells for s in sites))


def score_layers():
    from analysis.suitability import VILLAGE, ZONE

    return profile().layers + [ZONE, VILLAGE]


def stage_rasterio(folder, size):
    """The same tiles of the same layers read, the DEM's written, through scratch and COG."""
    import rasterio
    import rasterio.shutil

    from analysis.suitability import BLOCK, CACHE_MB, COG, TILED

    stack = stack_of(folder)
    grid, names = stack.grid, score_layers()
    out, scratch = folder / "rasterio.tif", folder / ".rasterio.scratch.tif"
    base = rss_mb()
    start = time.perf_counter()
    with contextlib.ExitStack() as files:
        files.enter_context(rasterio.Env(GDAL_CACHEMAX=CACHE_MB))  # as score_surface
        inputs = [files.enter_context(rasterio.open(stack.paths[name])) for name in names]
        dem = names.index("elevation")
        target = files.enter_context(rasterio.open(
            scratch, "w", width=grid.width, height=grid.height, count=1, dtype="float32",
            crs=grid.crs, transform=grid.transform, nodata=float("nan"), **TILED))
        for window in grid.windows(BLOCK):
            arrays = [dataset.read(1, window=window) for dataset in inputs]
            target.write(arrays[dem].astype(np.float32, copy=False), 1, window=window)
    middle = time.perf_counter()
    with rasterio.Env(GDAL_CACHEMAX=CACHE_MB):
        rasterio.shutil.copy(scratch, out, **COG, predictor="FLOATING_POINT")
    seconds = time.perf_counter() - start
    scratch.unlink()
    return dict(seconds=seconds, base=base, cog=seconds - (middle - start), layers=len(names))


def numpy_estimate(size):
    """Bytes the in-memory anchor needs, about: its layers whole plus the temporaries."""
    itemsize = dict(elevation=4, slope=4, road_distance=4, river_distance=4, landcover=1)
    layers = profile().layers + ["zone"]
    return size * size * (sum(itemsize.get(name, 2) for name in layers) + NUMPY_BYTES_PER_CELL)


def stage_numpy(folder, size):
    import rasterio
    import rasterio.shutil

    from analysis.suitability import COG, TILED, ZONE, score_block

    stack, chosen = stack_of(folder), profile()
    grid = stack.grid
    out, scratch = folder / "numpy.tif", folder / ".numpy.scratch.tif"
    base = rss_mb()
    start = time.perf_counter()
    values = {}
    for name in chosen.layers + [ZONE]:
        with rasterio.open(stack.paths[name]) as dataset:
            values[name] = dataset.read(1)
    read = time.perf_counter()
    zone = values.pop(ZONE)
    score, _ = score_block(chosen, values)
    score[~(zone > 0)] = np.nan  # as score_surface: outside the county is nodata
    computed = time.perf_counter()
    with rasterio.open(scratch, "w", width=grid.width, height=grid.height, count=1,
                       dtype="float32", crs=grid.crs, transform=grid.transform,
                       nodata=float("nan"), **TILED) as target:
        target.write(score, 1)
    rasterio.shutil.copy(scratch, out, **COG, predictor="FLOATING_POINT")
    seconds = time.perf_counter() - start
    scratch.unlink()
    return dict(seconds=seconds, base=base, read=read - start, compute=computed - read,
                write=seconds - (computed - start))


def gdal_calc_expression(chosen, letters):
    """The profile's weighted sum as one numpy expression over gdal_calc's letters."""
    terms = []
    for criterion, weight in zip(chosen.criteria, chosen.weights):
        v = letters[criterion.layer]
        if criterion.points:
            x, y = zip(*criterion.points)
            score = f"interp({v},{list(x)},{list(y)})"
        else:
            table = [0.0] * (max(code for code, _ in criterion.classes) + 1)
            for code, value in criterion.classes:
                table[code] = value
            score = f"where({v}<{len(table)},take({table},minimum({v},{len(table) - 1})),0)"
        terms.append(f"{float(weight)!r}*{score}")
    excluded = ["(Z<=0)"]
    for rule in chosen.constraints:
        v = letters[rule.layer]
        if rule.above is not None:
            excluded.append(f"({v}>{rule.above})")
        if rule.below is not None:
            excluded.append(f"({v}<{rule.below})")
        if rule.classes:
            excluded.append(f"isin({v},{list(rule.classes)})")
    return f"where({'|'.join(excluded)},nan,{'+'.join(terms)})"


def gdal_calc_command(folder, compress):
    stack, chosen = stack_of(folder), profile()
    names = chosen.layers
    letters = dict(zip(names, "ABCDEFGHIJKLMNOPQRSTUVWXY"))
    letters["zone"] = "Z"
    command = [SYSTEM_PYTHON, GDAL_CALC, "--quiet", "--overwrite", "--type", "Float32",
               "--NoDataValue", "nan", "--hideNoData", "--format", "GTiff",
               "--outfile", str(folder / "gdal_calc.tif"),
               "--calc", gdal_calc_expression(chosen, letters)]
    for name, letter in letters.items():
        command += [f"-{letter}", stack.paths[name]]
    options = ["TILED=YES", f"BLOCKXSIZE={TILE}", f"BLOCKYSIZE={TILE}", f"COMPRESS={compress}",
               "PREDICTOR=3", "NUM_THREADS=2"]
    options.append("ZSTD_LEVEL=1" if compress == "ZSTD" else "ZLEVEL=1")
    for option in options:
        command += ["--co", option]
    return command


def stage_gdal_calc(folder, size, compress="ZSTD"):
    from analysis.suitability import CACHE_MB

    command = gdal_calc_command(folder, compress)
    subprocess.run([SYSTEM_PYTHON, "-c", "import numpy, osgeo_utils.gdal_calc"], check=True)
    base = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True,
                          env={**os.environ, "GDAL_CACHEMAX": str(CACHE_MB)})
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"gdal_calc.py failed ({done.returncode}):\n{done.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return dict(seconds=seconds, base=base, peak=peak, command=command)


def stage_breakdown(folder, size):
    """score_surface once more, with timers around its parts (monkeypatched here, not in the
    module): the reads and the scratch writes (in the calling thread), score_block and the rest
    of the block computation (thread-seconds over the pool), the block pipeline's wall time,
    the scratch file's open and close, and the COG copy."""
    import rasterio.shutil

    from analysis import suitability
    from analysis.suitability import grid, scoring

    totals, lock = dict(read=0.0, score_block=0.0, compute=0.0, write=0.0, wait=0.0,
                        blockwise=0.0, cog=0.0), threading.Lock()

    def add(key, seconds):
        with lock:
            totals[key] += seconds

    def timed(key, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                add(key, time.perf_counter() - start)
        return wrapper

    grid.Readers.read = timed("read", grid.Readers.read)
    scoring.score_block = timed("score_block", scoring.score_block)
    rasterio.shutil.copy = timed("cog", rasterio.shutil.copy)
    blockwise = grid.blockwise

    def timed_blockwise(read, compute, windows, write, workers=grid.WORKERS):
        start = time.perf_counter()
        blockwise(read, timed("compute", compute), windows, timed("write", write), workers)
        add("blockwise", time.perf_counter() - start)
    grid.blockwise = timed_blockwise

    stack, chosen = stack_of(folder), profile()
    base = rss_mb()
    start = time.perf_counter()
    suitability.score_surface(stack, chosen, folder / "breakdown.tif")
    seconds = time.perf_counter() - start
    (folder / "breakdown.tif").unlink()
    return dict(seconds=seconds, base=base, **totals)


STAGES = dict(derive=stage_derive, score=stage_score, sites=stage_sites,
              rasterio=stage_rasterio, gdal_calc=stage_gdal_calc, numpy=stage_numpy,
              breakdown=stage_breakdown)


def child(arguments):
    folder = Path(arguments.folder)
    extra = {"compress": arguments.compress} if arguments.stage == "gdal_calc" else {}
    result = STAGES[arguments.stage](folder, arguments.size, **extra)
    result.setdefault("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    print(json.dumps(result))


def run_stage(name, folder, size, compress):
    command = [sys.executable, __file__, "--stage", name, "--folder", str(folder),
               "--size", str(size), "--compress", compress]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"stage {name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------- set-up

def system_gdal():
    """(GDAL version, ZSTD in GTiff) of the system python, or None when osgeo is missing."""
    probe = ("from osgeo import gdal; print(gdal.__version__); print('ZSTD' in "
             "(gdal.GetDriverByName('GTiff').GetMetadataItem('DMD_CREATIONOPTIONLIST') or ''))")
    try:
        done = subprocess.run([SYSTEM_PYTHON, "-c", probe], capture_output=True, text=True)
    except OSError:
        return None
    if done.returncode or not Path(GDAL_CALC).exists():
        return None
    version, zstd = done.stdout.split()
    return version, zstd == "True"


def ensure_gdal_calc():
    found = system_gdal()
    if found:
        return found, "already installed"
    installed = install(["python3-gdal", "gdal-bin"], "gdal_calc.py")
    found = system_gdal()
    if not found:
        raise SystemExit("python3-gdal installed but /usr/bin/python3 cannot import osgeo")
    return found, installed


# -------------------------------------------------------------------------------------- checks

def compare(ours, theirs, size, windows=24, side=512):
    """(cells compared, max abs difference where both have a value, cells where one is NaN
    and the other not) on every cell when the raster is small, else on `windows` random
    side x side windows plus the last corner one."""
    import rasterio
    from rasterio.windows import Window

    if size <= 2048:
        chosen = [Window(0, 0, size, size)]
    else:
        rng = np.random.default_rng(SEED)
        chosen = [Window(int(c), int(r), side, side)
                  for r, c in rng.integers(0, size - side, (windows, 2))]
        chosen.append(Window(size - side // 2, size - side // 2, side // 2, side // 2))
    cells, largest, nan_mismatch = 0, 0.0, 0
    with rasterio.open(ours) as a, rasterio.open(theirs) as b:
        for window in chosen:
            x, y = a.read(1, window=window), b.read(1, window=window)
            both = ~np.isnan(x) & ~np.isnan(y)
            nan_mismatch += int(np.sum(np.isnan(x) != np.isnan(y)))
            if both.any():
                largest = max(largest, float(np.max(np.abs(x[both].astype(np.float64)
                                                            - y[both]))))
            cells += x.size
    return cells, largest, nan_mismatch


def layer_summary(folder):
    """Shares of a few things that make the data realistic enough: slope, classes, suitable."""
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(folder / "criteria" / "slope.tif") as s, \
            rasterio.open(folder / "landcover.tif") as c, rasterio.open(folder / "dem.tif") as d:
        size = min(s.width, 2048)
        window = Window(0, 0, size, size)
        slope, classes, dem = s.read(1, window=window), c.read(1, window=window), d.read(
            1, window=window)
    shares = np.bincount(classes.ravel(), minlength=7)[1:] / classes.size
    return (f"in the first {size} x {size} cells: elevation {dem.min():.0f}-{dem.max():.0f} m, "
            f"slope median {np.median(slope):.1f} deg, max {slope.max():.1f}, "
            f"{np.mean(slope > 25):.1%} over 25; land cover 1-6: "
            + " ".join(f"{share:.0%}" for share in shares))


# ----------------------------------------------------------------------------------------- main

def main(arguments):
    size = arguments.size
    cells = size * size
    (gdal_version, zstd), installed = ensure_gdal_calc()
    compress = "ZSTD" if zstd else "DEFLATE"
    import rasterio

    from analysis.suitability import BLOCK, CACHE_MB, COG, TILED, WORKERS

    page_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 20
    print(f"suitability bench: {size:,} x {size:,} cells of {CELL:g} m ({cells / 1e6:,.0f} "
          f"million), {CRS}; {os.cpu_count()} CPUs, {page_mb / 1024:.1f} GiB RAM")
    print(f"gisplan: rasterio {rasterio.__version__}, GDAL {rasterio.__gdal_version__}, numpy "
          f"{np.__version__}; blocks of {BLOCK}, {WORKERS} threads; scratch {TILED}; COG {COG}")
    print(f"gdal_calc.py: GDAL {gdal_version} under {SYSTEM_PYTHON} ({installed}); output "
          f"compression {compress}"
          + ("" if zstd else " (this GDAL's GTiff has no ZSTD: DEFLATE level 1 instead)"))
    print(f"GDAL block cache: {CACHE_MB} MB for gisplan (analysis.suitability.CACHE_MB), "
          f"rasterio alone and gdal_calc.py; the numpy anchor keeps GDAL's default")
    print(f"profile: modern_agriculture, {profile_note()}")

    made = arguments.folder is None
    folder = Path(arguments.folder or tempfile.mkdtemp(prefix="bench-suitability-", dir="/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    results = {name: [] for name in STAGES}
    try:
        start = time.perf_counter()
        write_rasters(folder, size)
        print(f"data: {folder}: dem.tif and landcover.tif written in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        do_numpy = numpy_estimate(size) <= NUMPY_LIMIT
        order = ["derive", "score", "sites", "rasterio", "gdal_calc"] + (["numpy"] if do_numpy
                                                                          else [])
        for run in range(arguments.repeat):
            for name in order:
                print(f"  run {run + 1}/{arguments.repeat}: {name} ...", end=" ", flush=True)
                result = run_stage(name, folder, size, compress)
                results[name].append(result)
                print(f"{result['seconds']:.2f} s, peak {result['peak']:.0f} MB", flush=True)
            if run == 0:
                print(f"data: {layer_summary(folder)}", flush=True)
        print("  score_surface breakdown ...", end=" ", flush=True)
        results["breakdown"].append(run_stage("breakdown", folder, size, compress))
        print(f"{results['breakdown'][0]['seconds']:.2f} s", flush=True)
        checks = {"gdal_calc.py": compare(folder / "score.tif", folder / "gdal_calc.tif", size)}
        if do_numpy:
            checks["numpy"] = compare(folder / "score.tif", folder / "numpy.tif", size)
        sizes = {name: (folder / f"{name}.tif").stat().st_size / 2 ** 20
                 for name in ("score", "rasterio", "gdal_calc", "numpy")
                 if (folder / f"{name}.tif").exists()}
    finally:
        if arguments.keep or not made:
            if not arguments.keep:
                for path in ["dem.tif", "landcover.tif", "score.tif", "rasterio.tif",
                             "gdal_calc.tif", "numpy.tif", "surface.pickle"]:
                    (folder / path).unlink(missing_ok=True)
                shutil.rmtree(folder / "criteria", ignore_errors=True)
            else:
                print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    agree = report(results, checks, sizes, size, arguments.repeat, do_numpy, compress)
    if not agree:
        raise SystemExit(1)


def median(rows, key="seconds"):
    return statistics.median(r[key] for r in rows)


def report(results, checks, sizes, size, repeat, do_numpy, compress):
    cells = size * size
    seconds = {name: median(rows) for name, rows in results.items() if rows and name != "breakdown"}
    peak = {name: max(r["peak"] for r in rows) for name, rows in results.items() if rows}
    base = {name: min(r["base"] for r in rows) for name, rows in results.items() if rows}
    if do_numpy:
        seconds["numpy compute"] = median(results["numpy"], "compute")
    anchors = ("rasterio", "gdal_calc", "numpy")
    score = results["score"][0]
    derived = results["derive"][0]["layers"]
    sites = results["sites"][0]
    rows = [
        ("derive", f"derive_criteria: {derived} layers (slope, aspect, 3 line and 2 point "
                   "distances, 4 label layers) as tiled GeoTIFFs", "derive", False),
        ("**score**", "score_surface: modern_agriculture, 5 criteria, 3 constraints, zone and "
                      "village tallies; scratch then COG", "score", True),
        ("sites", f"candidate_sites, top 20 ({sites['sites']} found, "
                  f"{sites['cells']:,} cells)", "sites", False),
        ("rasterio alone", f"read the tiles of the same {results['rasterio'][0]['layers']} "
                           "layers, write the DEM's; scratch then COG; 1 thread",
         "rasterio", True),
        ("gdal_calc.py", f"same weighted sum in --calc; tiled {compress} GTiff, no overviews",
         "gdal_calc", True),
    ]
    if do_numpy:
        rows += [("numpy, compute", "score_block on whole arrays (no I/O)", "numpy compute",
                  True),
                 ("numpy, end to end", "read whole + score_block + scratch then COG", "numpy",
                  True)]

    def ratio(name, anchor, comparable):
        if not comparable or anchor not in seconds:
            return "–"
        return f"{seconds[name] / seconds[anchor]:.2f}"

    def spread(name):
        key, field = (("numpy", "compute") if name == "numpy compute"
                      else (name, "seconds"))
        runs = [r[field] for r in results[key]]
        if len(runs) == 1:
            return f"{seconds[name]:.2f}"
        return f"{seconds[name]:.2f} ({min(runs):.2f}–{max(runs):.2f})"

    print(f"\n{size:,} x {size:,} cells; seconds are medians of {repeat} run(s), each stage in a "
          f"fresh process (the fastest and slowest in brackets); ratio = this row's median "
          f"seconds ÷ the anchor's (below 1: faster)\n")
    print("| stage | what | Mcells/s | seconds | peak MB | ÷ rasterio alone | ÷ gdal_calc.py | "
          "÷ numpy end to end |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, what, name, comparable in rows:
        key = name.split()[0]
        print(f"| {label} | {what} | {cells / seconds[name] / 1e6:.1f} | {spread(name)} | "
              f"{peak[key]:.0f} | {ratio(name, 'rasterio', comparable)} | "
              f"{ratio(name, 'gdal_calc', comparable)} | {ratio(name, 'numpy', comparable)} |")
    if not do_numpy:
        print(f"| numpy | skipped: about {numpy_estimate(size) / 1e9:.1f} GB needed "
              f"(limit {NUMPY_LIMIT / 1e9:.0f} GB) | | | | | | |")

    print("\npeak MB: the stage process's max RSS (gdal_calc.py: its python3 process); baseline "
          "before the timed call (imports, inputs opened): "
          + ", ".join(f"{name} {base[name]:.0f}" for name in ("derive", "score", "sites", *anchors)
                      if name in base) + " MB.")
    print(f"score: {score['study']:,} cells in the county, {score['scored']:,} scored, "
          f"{score['suitable']:,} suitable; excluded by slope > 25, landcover 5/6, ecological "
          f"protection: " + ", ".join(f"{n:,}" for n in score["excluded"]) + ".")
    best = f"{sites['best']:.3f}" if sites["best"] is not None else "–"
    print(f"sites: {sites['sites']} candidate sites, best mean score {best}.")
    if do_numpy:
        n = results["numpy"][0]
        print(f"numpy end to end: read {median(results['numpy'], 'read'):.2f} s, compute "
              f"{median(results['numpy'], 'compute'):.2f} s, write (scratch + COG) "
              f"{median(results['numpy'], 'write'):.2f} s (first run: {n['read']:.2f} / "
              f"{n['compute']:.2f} / {n['write']:.2f}).")
    print(f"rasterio alone: of which the COG copy {median(results['rasterio'], 'cog'):.2f} s.")
    print("output MB: " + ", ".join(f"{name} {mb:.0f}" for name, mb in sizes.items())
          + " (the COGs carry overviews, gdal_calc.py's GTiff none).")
    agree = True
    for name, (compared, largest, nan_mismatch) in checks.items():
        ok = largest <= TOLERANCE and nan_mismatch == 0
        agree &= ok
        print(f"agreement with {name}: {compared:,} cells compared, max abs difference "
              f"{largest:.2e}, {nan_mismatch:,} cells NaN in one only -> "
              f"{'agrees' if ok else 'DISAGREES'} (tolerance {TOLERANCE:g})")

    b = results["breakdown"][0]
    pipeline = b["seconds"] - b["cog"]
    print(f"\nwhere score_surface spends its time (one instrumented run, {b['seconds']:.2f} s):")
    print(f"- block pipeline (read, compute, write scratch), wall: {b['blockwise']:.2f} s; "
          f"scratch open + close (flush) and tallies: {pipeline - b['blockwise']:.2f} s; COG copy "
          f"(compress, overviews): {b['cog']:.2f} s")
    print(f"- inside the pipeline: in the calling thread, reads {b['read']:.2f} and scratch "
          f"writes {b['write']:.2f}; thread-seconds over the pool, score_block "
          f"{b['score_block']:.2f} and the rest of the block computation (no-data test, "
          f"tallies) {b['compute'] - b['score_block']:.2f} (compute total {b['compute']:.2f})")

    mcells = cells / seconds["score"] / 1e6
    over = seconds["score"] / seconds["rasterio"]
    print("\naims (score_surface end to end):")
    print(f"- at least {AIM_MCELLS:g} Mcells/s: {mcells:.1f} -> "
          f"{'met' if mcells >= AIM_MCELLS else 'NOT met'} (on this machine rasterio alone, the "
          f"I/O floor, makes {cells / seconds['rasterio'] / 1e6:.1f} and gdal_calc.py "
          f"{cells / seconds['gdal_calc'] / 1e6:.1f})")
    print(f"- peak memory under 1 GB: score {peak['score']:.0f} MB -> "
          f"{'met' if peak['score'] < AIM_MB else 'NOT met'} (derive {peak['derive']:.0f} MB, "
          f"sites {peak['sites']:.0f} MB: "
          f"{'both under' if max(peak['derive'], peak['sites']) < AIM_MB else 'NOT both under'} "
          f"1 GB; GDAL's block cache, CACHE_MB, is part of every peak)")
    print(f"- within {AIM_RATIO:g}x of rasterio alone: {over:.2f}x -> "
          f"{'met' if over <= AIM_RATIO else 'NOT met'}")
    return agree


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="cells a side (default 10000)")
    parser.add_argument("--folder", help="work folder (default: a new one under /tmp, removed "
                                         "afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--repeat", type=int, default=1, help="runs of every stage (median)")
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--compress", default="ZSTD", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.stage:
        child(parsed)
    else:
        main(parsed)
