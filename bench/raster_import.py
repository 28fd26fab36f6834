"""Importing the county's own DEM (layers.rasters.import_raster, as `manage.py import_raster
dem FILE` does) against gdalwarp doing the same warp and COG write, and what an import sets
going again: the siting criteria (siting.criteria.county_stack) and the offline basemap
(layers.basemap.basemap_image), on the sample county's DEM and on the imported one.

    .venv/bin/python bench/raster_import.py               # a 10,000 x 10,000 DEM (about 1.5 minutes)
    .venv/bin/python bench/raster_import.py --size 2000   # a quick run

The source is generated in a work folder under /tmp: a smooth float32 elevation field (sums of
sines of lon and lat, 400-1800 m) of --size x --size square cells in EPSG:4326 over the county's
grid and 0.05 degrees around it (about 11 m cells at 10,000), tiled 512, ZSTD level 1 with the
floating-point predictor, written a strip of tiles at a time. The sample county is loaded into
a database of the bench's own (bench_raster_import, made and dropped here, like bench/portal.py)
and GISPLAN_DATA_DIR points into the work folder, which is removed at the end.

The reference is Debian's gdalwarp (gdal-bin) with the same options as analysis.warping.warp:
the county's grid (storage CRS, origin, 60 m cells, extent), bilinear, float32, no-data
-32768, the same warp memory (-wm WARP_MEMORY_MB) and GDAL block cache (CACHE_MB), the same
threads (warping.warp warps one chunk at a time, each on WORKERS threads: the warp option
NUM_THREADS=WORKERS without -multi, so that a failed read stops the warp) and the same COG
creation options
(warping.ELEVATION_COG: ZSTD level 9, predictor 3, 512 tiles, averaged overviews,
NUM_THREADS=WORKERS), in one command (-of COG) and in the two steps gisplan takes (a tiled
scratch GTiff, then gdal_translate -of COG). Its output is checked against the import's.

Each run is a child process of its own (this script with --stage), so its peak resident memory
(VmHWM) is its own; gdalwarp's is read with RUSAGE_CHILDREN in a small wrapper child. The import's
stages are timed by its progress callback; its criteria derivation (the raster_replaced signal)
is timed apart. --repeat R runs the import and gdalwarp R times, interleaved: medians of the
seconds, maxima of the peaks. Exit status 1 when the outputs disagree.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
from debian_packages import install  # bench/debian_packages.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "bench_raster_import"
TILE = 512
MARGIN_DEGREES = 0.05
TOLERANCE = 1e-3  # metres between gisplan's and gdalwarp's cells (GDAL 3.9 in rasterio, 3.6 in Debian)
AIM_RATIO, AIM_MB = 1.3, 1024.0


# ------------------------------------------------------------------------------------------- data

def write_dem(path, bounds, size):
    """A size x size float32 DEM in EPSG:4326 over `bounds` (west, south, east, north) widened to
    square cells, tiled and compressed, written a strip of tiles at a time."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    west, south, east, north = bounds
    step = max(east - west, north - south) / size
    west, north = (west + east - step * size) / 2, (south + north + step * size) / 2
    lon = west + (np.arange(size) + 0.5) * step
    tau = 2 * np.pi
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=1,
                       dtype="float32", crs="EPSG:4326", transform=from_origin(west, north, step, step),
                       tiled=True, blockxsize=TILE, blockysize=TILE, compress="ZSTD", zstd_level=1,
                       predictor=3) as out:
        for row in range(0, size, TILE):
            lat = north - (np.arange(row, min(size, row + TILE)) + 0.5) * step
            z = (1100.0
                 + 500.0 * np.sin(tau * lon / 0.9)[None, :] * np.cos(tau * lat / 0.7)[:, None]
                 + 150.0 * np.sin(tau * lon / 0.13)[None, :] * np.cos(tau * lat / 0.17)[:, None]
                 + 40.0 * np.cos(tau * lon / 0.021)[None, :] * np.sin(tau * lat / 0.027)[:, None])
            out.write(z.astype(np.float32), 1, window=Window(0, row, size, len(lat)))
    return step


def county_grid():
    from layers.models import County
    from layers.rasters import county_grid

    return county_grid(County.objects.get())


# --------------------------------------------------------------------------------------- stages
# Each runs in a child process (with Django set up on the bench database, but for gdalwarp's)
# and returns a dict; the child adds its peak resident memory. That is VmHWM, the high-water
# mark of the child's own address space: Linux carries a parent's size over fork and exec into
# the child's ru_maxrss, and this process, which built and loaded the sample, is large (the
# children's ru_maxrss read 1.2 GB before they had done anything).

def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024.0


def stage_import(folder):
    """import_raster of the generated DEM, its steps timed by its progress callback."""
    from layers.rasters import RasterOptions, import_raster

    marks = []

    def progress(step, fraction):
        if not marks or marks[-1][0] != str(step):
            marks.append((str(step), time.perf_counter(), peak_mb()))
    base = peak_mb()
    start = time.perf_counter()
    report = import_raster(RasterOptions("dem", folder / "dem.tif", source="bench"), progress)
    end = time.perf_counter()
    names = ["check"] + [name for name, _, _ in marks]
    times = [start] + [at for _, at, _ in marks] + [end]
    steps = {name: b - a for name, a, b in zip(names, times, times[1:])}
    criteria_at, peak_import = next((at, rss) for name, at, rss in marks if name == "siting criteria")
    return dict(steps=steps, base=base, peak_import=peak_import, import_seconds=criteria_at - start,
                summary=report.summary())


def stage_rederive(folder):
    """The siting criteria and the basemap derived anew from the current DEM and land use."""
    import rasterio
    import shapely
    from django.conf import settings

    from layers.basemap import basemap_image, write_jpeg
    from layers.models import County, RasterLayer
    from siting.criteria import county_stack

    shutil.rmtree(Path(settings.DATA_DIR) / "criteria", ignore_errors=True)
    dem = RasterLayer.objects.get(kind=RasterLayer.Kind.DEM)
    cover = RasterLayer.objects.get(kind=RasterLayer.Kind.LANDCOVER)
    outline = shapely.geometry.mapping(shapely.from_wkb(bytes(County.objects.get().boundary.wkb)))
    base = peak_mb()
    start = time.perf_counter()
    stack = county_stack(County.objects.get())
    middle = time.perf_counter()
    with rasterio.open(dem.path) as d, rasterio.open(cover.path) as c:
        write_jpeg(*basemap_image(d, c, outline), folder / "basemap.jpg")
    end = time.perf_counter()
    (folder / "basemap.jpg").unlink()
    return dict(criteria=middle - start, basemap=end - middle, base=base,
                layers=len(stack.stack.paths), grid=stack.stack.grid.describe())


def gdalwarp_commands(folder, one_step):
    """gdalwarp (and gdal_translate) with the options of analysis.warping, onto the county grid."""
    from analysis.suitability import CACHE_MB, TILED, WORKERS
    from analysis.warping import ELEVATION_COG, ELEVATION_NODATA, WARP_MEMORY_MB

    grid = county_grid()
    cog = [part for key, value in ELEVATION_COG.items() if key != "driver"
           for part in ("-co", f"{key.upper()}={value}")]
    # The same warper, threads, warp memory and block cache as warping.warp (one chunk at a
    # time, NUM_THREADS threads on each: gdalwarp without -multi).
    warp = ["gdalwarp", "-q", "-overwrite", "--config", "GDAL_CACHEMAX", str(CACHE_MB),
            "-t_srs", grid.crs.to_string(), "-te", *map(repr, grid.bounds),
            "-tr", repr(grid.cell[0]), repr(grid.cell[1]), "-r", "bilinear", "-ot", "Float32",
            "-dstnodata", repr(ELEVATION_NODATA), "-wo", f"NUM_THREADS={WORKERS}",
            "-wm", str(WARP_MEMORY_MB), str(folder / "dem.tif")]
    out = folder / ("gdalwarp.tif" if one_step else "gdalwarp-2.tif")
    if one_step:
        return [warp + ["-of", "COG", *cog, str(out)]]
    scratch = folder / "gdalwarp-scratch.tif"
    tiled = [part for key, value in TILED.items() if key != "driver"
             for part in ("-co", f"{key.upper()}={'YES' if value is True else value}")]
    return [warp + ["-of", "GTiff", *tiled, "-co", "BIGTIFF=IF_SAFER", str(scratch)],
            ["gdal_translate", "-q", "--config", "GDAL_CACHEMAX", str(CACHE_MB), "-of", "COG",
             *cog, str(scratch), str(out)],
            ["rm", str(scratch)]]


def stage_gdalwarp(folder, one_step):
    """gdalwarp's commands, written by the main process, run from this small process (no
    Django): their peak is RUSAGE_CHILDREN's, which this process's own size bounds below."""
    commands = json.loads((folder / "gdalwarp.json").read_text())["one" if one_step else "two"]
    base = peak_mb()
    start = time.perf_counter()
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{command[0]} failed ({done.returncode}):\n{done.stderr}")
    seconds = time.perf_counter() - start
    return dict(seconds=seconds, base=base,
                peak=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0,
                command=" ".join(commands[0]) + ("" if one_step else " && " + " ".join(commands[1])))


def stage_compare(folder):
    """(cells, max abs difference where both have a value, cells no-data in one only) between
    the imported DEM and each of gdalwarp's outputs, and the sizes of the three."""
    import rasterio

    from layers.models import RasterLayer

    path = RasterLayer.objects.get(kind=RasterLayer.Kind.DEM).path
    with rasterio.open(path) as dataset:
        ours, nodata = dataset.read(1), dataset.nodata
    found, sizes = {}, {"gisplan": Path(path).stat().st_size / 2 ** 20}
    for name in ("gdalwarp.tif", "gdalwarp-2.tif"):
        with rasterio.open(folder / name) as dataset:
            theirs = dataset.read(1)
        sizes[name] = (folder / name).stat().st_size / 2 ** 20
        both = (ours != nodata) & (theirs != nodata)
        largest = float(np.abs(ours[both].astype(np.float64) - theirs[both]).max()) if both.any() else 0.0
        found[name] = (int(ours.size), largest, int(np.sum((ours == nodata) != (theirs == nodata))))
    return dict(found=found, sizes=sizes)


STAGES = {"import": stage_import, "rederive": stage_rederive, "compare": stage_compare,
          "gdalwarp": lambda folder: stage_gdalwarp(folder, True),
          "gdalwarp2": lambda folder: stage_gdalwarp(folder, False)}


def child(arguments):
    if not arguments.stage.startswith("gdalwarp"):
        import django
        from django.utils import translation

        django.setup()
        translation.activate("en")
    result = STAGES[arguments.stage](Path(arguments.folder))
    result.setdefault("peak", peak_mb())
    print(json.dumps(result))


def run_stage(name, folder):
    done = subprocess.run([sys.executable, __file__, "--stage", name, "--folder", str(folder)],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"stage {name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------------- main

def database_url(settings_dict):
    """DATABASE_URL of the bench database, for the child processes."""
    s = settings_dict
    return (f"postgis://{quote(s['USER'], safe='')}:{quote(s['PASSWORD'], safe='')}@"
            f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}")


def main(arguments):
    if not shutil.which("gdalwarp"):
        install(["gdal-bin"], "gdalwarp")
    folder = Path(tempfile.mkdtemp(prefix="bench-raster-import-", dir="/tmp"))
    try:
        results = run(arguments, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not report(*results, arguments.repeat):
        raise SystemExit(1)


def run(arguments, folder):
    """Everything but the report, in `folder` and the bench database (dropped at the end)."""
    os.environ["GISPLAN_DATA_DIR"] = str(folder / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")
    import django

    django.setup()
    import rasterio
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from rasterio.warp import transform_bounds

    from analysis.suitability import CACHE_MB, WORKERS
    from analysis.warping import ELEVATION_COG, WARP_MEMORY_MB
    from data.load import load_sample

    gdal = subprocess.run(["gdalwarp", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"raster import bench: a {arguments.size:,} x {arguments.size:,} float32 DEM in "
          f"EPSG:4326; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
    print(f"gisplan: rasterio {rasterio.__version__}, GDAL {rasterio.__gdal_version__}; "
          f"gdalwarp: {gdal}; both {WORKERS} threads, warp memory {WARP_MEMORY_MB} MB, block "
          f"cache {CACHE_MB} MB; COG {ELEVATION_COG}")
    connection.settings_dict["TEST"]["NAME"] = BENCH_DATABASE
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    results = {name: [] for name in ("import", "gdalwarp", "gdalwarp2")}
    try:
        load_sample(folder / "sample")
        os.environ["DATABASE_URL"] = database_url(connection.settings_dict)
        grid = county_grid()
        print(f"county grid: {grid.describe()} ({grid.width * grid.height / 1e6:.1f} million cells)")
        start = time.perf_counter()
        west, south, east, north = transform_bounds(grid.crs, "EPSG:4326", *grid.bounds)
        step = write_dem(folder / "dem.tif", (west - MARGIN_DEGREES, south - MARGIN_DEGREES,
                                              east + MARGIN_DEGREES, north + MARGIN_DEGREES),
                         arguments.size)
        print(f"source: {step:.6f} degree cells (about {step * 111_320 * np.cos(np.radians(34.1)):.0f} m "
              f"east-west), {(folder / 'dem.tif').stat().st_size / 2 ** 20:.0f} MB, written in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        (folder / "gdalwarp.json").write_text(json.dumps(
            {"one": gdalwarp_commands(folder, True), "two": gdalwarp_commands(folder, False)}))
        sample = run_stage("rederive", folder)
        print(f"re-derive on the sample DEM: criteria {sample['criteria']:.2f} s, basemap "
              f"{sample['basemap']:.2f} s, peak {sample['peak']:.0f} MB", flush=True)
        for n in range(arguments.repeat):
            for name in results:
                print(f"  run {n + 1}/{arguments.repeat}: {name} ...", end=" ", flush=True)
                result = run_stage(name, folder)
                results[name].append(result)
                seconds = result["import_seconds"] if name == "import" else result["seconds"]
                print(f"{seconds:.2f} s, peak {result['peak']:.0f} MB", flush=True)
        after = run_stage("rederive", folder)
        print(f"re-derive on the imported DEM: criteria {after['criteria']:.2f} s, basemap "
              f"{after['basemap']:.2f} s, peak {after['peak']:.0f} MB", flush=True)
        checks = run_stage("compare", folder)
    finally:
        connection.close()
        teardown_databases(databases, verbosity=0)
    return results, sample, after, checks


STEPS = {"check": "open and check", "warping": "warp", "checking": "survey", "writing": "COG",
         "basemap": "basemap and install", "siting criteria": "siting criteria"}


def report(results, sample, after, checks, repeat):
    imports, one, two = results["import"], results["gdalwarp"], results["gdalwarp2"]

    def median(rows, key):
        return statistics.median(key(r) for r in rows)
    steps = {name: median(imports, lambda r, name=name: r["steps"][name]) for name in imports[0]["steps"]}
    whole = median(imports, lambda r: r["import_seconds"])
    to_cog = median(imports, lambda r: r["import_seconds"] - r["steps"]["basemap"])
    theirs = {"gdalwarp -of COG": (median(one, lambda r: r["seconds"]), one),
              "gdalwarp, then gdal_translate -of COG": (median(two, lambda r: r["seconds"]), two)}
    peak = max(r["peak_import"] for r in imports)
    print(f"\nseconds are medians of {repeat} run(s), each in a fresh process; ratio = gisplan's "
          f"seconds ÷ the reference's\n")
    print("| what | seconds | peak MB | file to COG ÷ | import ÷ |")
    print("|---|---:|---:|---:|---:|")
    print(f"| **import_raster, file to COG** (open and check, warp, survey, COG) | {to_cog:.2f} | "
          f"{peak:.0f} | | |")
    print(f"| import_raster, and the basemap drawn and installed | {whole:.2f} | {peak:.0f} | | |")
    for name, (seconds, rows) in theirs.items():
        print(f"| {name} | {seconds:.2f} | {max(r['peak'] for r in rows):.0f} | "
              f"{to_cog / seconds:.2f} | {whole / seconds:.2f} |")
    print("\nimport_raster by step (its progress callback): "
          + ", ".join(f"{STEPS.get(name, name)} {seconds:.2f} s" for name, seconds in steps.items()))
    print(f"peak MB: import_raster {peak:.0f} before the criteria, "
          f"{max(r['peak'] for r in imports):.0f} with them (baseline, Django set up: "
          f"{min(r['base'] for r in imports):.0f}); gdalwarp's wrapper process "
          f"{max(r['base'] for r in one + two):.0f} (a floor under gdalwarp's figure)")
    print(f"import: {imports[0]['summary']}")
    print(f"gdalwarp: {one[0]['command']}")
    print(f"gdalwarp in two steps: {two[0]['command']}")
    print("\nre-deriving after an import, in a fresh process (the criteria folder removed first):")
    for label, found in (("sample DEM", sample), ("imported DEM", after)):
        print(f"- {label}: siting criteria {found['criteria']:.2f} s ({found['layers']} layers on "
              f"{found['grid']}), basemap {found['basemap']:.2f} s, peak {found['peak']:.0f} MB")
    cells, largest, mismatch = checks["found"]["gdalwarp-2.tif"]
    agree = largest <= TOLERANCE and mismatch == 0
    print(f"\nagreement with gdalwarp then gdal_translate: {cells:,} cells, max abs difference "
          f"{largest:.2e} m, {mismatch:,} cells no-data in one only -> "
          f"{'agrees' if agree else 'DISAGREES'} (tolerance {TOLERANCE:g} m)")
    _, largest, mismatch = checks["found"]["gdalwarp.tif"]
    print(f"gdalwarp -of COG (not checked): max abs difference {largest:.2e} m, {mismatch:,} cells "
          f"no-data in one only; it differs as much from gdalwarp's own two-step output")
    print("COG MB: " + ", ".join(f"{name} {mb:.1f}" for name, mb in checks["sizes"].items()))
    best = min(seconds for seconds, _ in theirs.values())
    print("\naims:")
    print(f"- file to COG at most {AIM_RATIO:g}x gdalwarp (the faster way, {best:.2f} s): "
          f"{to_cog / best:.2f}x -> {'met' if to_cog / best <= AIM_RATIO else 'NOT met'} (with the "
          f"basemap drawn and installed: {whole / best:.2f}x)")
    print(f"- import peak memory under 1 GB: {peak:.0f} MB -> "
          f"{'met' if peak < AIM_MB else 'NOT met'}")
    return agree


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="cells a side (default 10000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the import and gdalwarp")
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.stage:
        child(parsed)
    else:
        main(parsed)
