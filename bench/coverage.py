"""Network coverage against its reference: every village's nearest center by road with
analysis.network (build_network + nearest_by_road, scipy) beside pgRouting's pgr_drivingDistance
on the very same graph, on the sample county and on a generated region (by default 20,000
villages, 200,000 road edges, 2,000 candidate sites); times printed as ratios, peak memory of
each side, and every village's assignment checked.

    .venv/bin/python bench/coverage.py                      # sample county + a 20,000-village region
    .venv/bin/python bench/coverage.py --skip-region        # the sample county only
    .venv/bin/python bench/coverage.py --villages 5000 --edges 50000 --centers 500

Then, on the sample county, a coverage request as the pages make it (access.runs.run_coverage,
by road, health checks) on the first request on the data (the county's network built and kept:
layers/networks.py) beside the next ones (the network kept), and beside the search alone
(nearest_by_road on the kept network); and where the rest of a kept request's time goes.

Set-up: pgRouting comes from Debian's postgresql-<major>-pgrouting, installed here with apt-get
when the server does not offer the extension (as root; otherwise the command is printed and the
bench exits 2). The bench works in a database of its own (bench_coverage), created by the
gisplan role (CREATEDB) and dropped at the end; `CREATE EXTENSION pgrouting` needs a superuser,
so it is run as postgres (over TCP when the cluster trusts it, else `runuser -u postgres psql`).
The sample county is read, read-only, from the gisplan database (DATABASE_URL).

How the two sides are made to solve one problem: gisplan builds its graph (roads cut at the
places, places joined at walking speed); that graph's arcs, reversed (villagers travel to the
centers), are loaded as the pgRouting edges table, one row per directed arc (no reverse_cost).
nearest_by_road starts each center with its own walk through a source node of its own; the
pgRouting side does exactly the same: one virtual start vertex per center, joined to the
center's node by an arc costing that walk (max(walk, NEAR_ZERO), as the code does). The reference
query is pgr_drivingDistance(equicost := false) from all the virtual starts, the minimum
agg_cost per village node (DISTINCT ON), plus the village's own walk, kept within the limit. On
the region the starts go 250 to a call (--region-chunk; one SQL statement, LATERAL): in one call
pgRouting 3.4.2 fails with "invalid memory alloc request size 3415170976" (over PostgreSQL's 1 GB
allocation limit); the minimum over the groups is the minimum over all starts.
docs/architecture.md, "Platform facts": equicost := true can assign a node to a farther start;
its count of wrong assignments is printed as a note.

Memory: each side's peak resident set. gisplan runs in a child process (imports, its input
arrays, build and search) and reports its own ru_maxrss; pgRouting runs in a fresh server
backend per query, whose VmHWM (/proc/<pid>/status, readable as root or as postgres) is read
after the query. Both include their process's baseline, printed beside them; the backend's
also counts the shared buffers it touched.
"""
import argparse
import contextlib
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
from debian_packages import install  # bench/debian_packages.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgis://gisplan:gisplan@127.0.0.1:5432/gisplan"
BENCH_DATABASE = "bench_coverage"
TIE = 1e-9        # two centers this close in minutes are a tie: either answer is right
COST_TOLERANCE = 1e-6
NO_LIMIT = 1e12   # pgRouting needs a finite distance; every cost here is far below it


# ---------------------------------------------------------------------------------- gisplan side

def gisplan_child(data_path, out_path):
    """Run in a child process: build, search, report times and this process's peak memory."""
    from analysis.network import build_network, nearest_by_road

    data = np.load(data_path)
    coords, offsets = data["coords"], data["offsets"]
    lines = np.split(coords, offsets[1:-1])
    speeds, oneway, places = data["speeds"], data["oneway"], data["places"]
    villages, centers = data["villages"], data["centers"]
    limit, repeat = float(data["limit"]), int(data["repeat"])
    baseline = _maxrss_mb()

    builds, searches = [], []
    for run in range(repeat):
        if run:
            del network, nearest  # noqa: F821 - keep one network alive at a time
        start = time.perf_counter()
        network = build_network(lines, speeds, oneway, places)
        middle = time.perf_counter()
        nearest = nearest_by_road(network, villages, centers, limit=limit)
        end = time.perf_counter()
        builds.append(middle - start)
        searches.append(end - middle)
        if run == 0:
            peak = _maxrss_mb()  # before the export below adds its own copies

    arcs = network.graph.tocoo()
    np.savez(out_path, build=np.array(builds), search=np.array(searches), peak=peak,
             baseline=baseline, tails=arcs.row, heads=arcs.col, weights=arcs.data,
             nodes=network.graph.shape[0], place_node=network.place_node,
             walk_minutes=network.walk_minutes, cost=nearest.cost, index=nearest.index)


def kept_network(limit, repeat):
    """run_coverage on the sample county: the first request (network built), the next ones
    (network kept), the search alone, and the rest of a kept request: finding the county and
    its kept network (three queries: the county, checked and then used, and the data's
    version); seconds."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")
    import django

    django.setup()
    from django.conf import settings

    from access.runs import CoverageOptions, run_coverage
    from analysis.network import nearest_by_road
    from layers import networks
    from layers.regions import county_named

    options = CoverageOptions("health_check", max_minutes=limit)
    with tempfile.TemporaryDirectory() as folder:
        settings.DATA_DIR = Path(folder)  # nothing kept yet, and nothing left behind
        networks._kept.clear()
        start = time.perf_counter()
        run_coverage(options)
        first = time.perf_counter() - start
        kept, search, finding = [], [], []
        for _ in range(repeat):
            start = time.perf_counter()
            run_coverage(options)
            kept.append(time.perf_counter() - start)
            start = time.perf_counter()
            county_named(None)  # as CoverageOptions.checked() does
            county = county_named(None)
            network = networks.county_network([county])
            finding.append(time.perf_counter() - start)
            centers, destinations = network.centers_of("health_check")
            origins = network.places("village", network.villages.ids)
            start = time.perf_counter()
            nearest_by_road(network.network, origins, destinations)
            search.append(time.perf_counter() - start)
    kept_s, search_s = statistics.median(kept), statistics.median(search)
    print(f"\nsample county, run_coverage by road (health checks, {limit:g} min), medians of {repeat}:")
    print(f"  first request (network built and kept) {first * 1000:8.2f} ms")
    print(f"  next requests (network kept)           {kept_s * 1000:8.2f} ms")
    print(f"  the search alone (nearest_by_road)     {search_s * 1000:8.2f} ms")
    print(f"  finding the county and its network     {statistics.median(finding) * 1000:8.2f} ms")
    print(f"kept / first: {kept_s / first:.3f}; kept / search alone: {kept_s / search_s:.1f} "
          f"(aim: within 1.3)")


def _maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def run_gisplan(folder, name, lines, speeds, oneway, places, villages, centers, limit, repeat):
    offsets = np.concatenate([[0], np.cumsum([len(line) for line in lines])])
    data_path, out_path = Path(folder) / f"{name}-in.npz", Path(folder) / f"{name}-out.npz"
    np.savez(data_path, coords=np.concatenate(lines).astype(float), offsets=offsets,
             speeds=np.asarray(speeds, dtype=float), oneway=np.asarray(oneway, dtype=bool),
             places=np.asarray(places, dtype=float), villages=villages, centers=centers,
             limit=limit, repeat=repeat)
    subprocess.run([sys.executable, __file__, "--child", str(data_path), str(out_path)],
                   check=True, cwd=ROOT)
    return dict(np.load(out_path))


# -------------------------------------------------------------------------------- database set-up

def database_url():
    url = urlparse(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    return dict(host=url.hostname or "127.0.0.1", port=url.port or 5432,
                user=unquote(url.username or "gisplan"), password=unquote(url.password or ""),
                dbname=url.path.lstrip("/") or "gisplan")


def connect(**overrides):
    import psycopg2

    settings = database_url()
    settings.update(overrides)
    connection = psycopg2.connect(**settings)
    connection.autocommit = True
    return connection


@contextlib.contextmanager
def session(**overrides):
    """A cursor on an autocommit connection, closed afterwards."""
    with contextlib.closing(connect(**overrides)) as connection, connection.cursor() as cursor:
        yield cursor


def as_superuser(dbname, sql):
    """Run SQL as the postgres superuser: over TCP if the cluster trusts it, else with runuser."""
    import psycopg2

    try:
        connection = connect(user="postgres", password="", dbname=dbname)
    except psycopg2.OperationalError:
        connection = None
    if connection is not None:
        with contextlib.closing(connection), connection.cursor() as cursor:
            cursor.execute(sql)
        return "psycopg2 as postgres over TCP"
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--"]
    elif shutil.which("sudo"):
        command = ["sudo", "-n", "-u", "postgres"]
    else:
        raise SystemExit(f"cannot become postgres to run: {sql}")
    subprocess.run(command + ["psql", "-v", "ON_ERROR_STOP=1", "-qX", "-d", dbname, "-c", sql],
                   check=True)
    return " ".join(command[:-1] + ["psql"])


def ensure_pgrouting():
    """Install Debian's pgRouting package when the server does not offer the extension."""
    with session() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting'")
        available = cursor.fetchone() is not None
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    package = f"postgresql-{major}-pgrouting"
    if available:
        return f"already available ({package} or equivalent)"
    return install([package], "pgRouting")


def create_bench_database():
    with session() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        cursor.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    how = as_superuser(BENCH_DATABASE, "SET client_min_messages = warning; "
                                       "CREATE EXTENSION IF NOT EXISTS postgis; "
                                       "CREATE EXTENSION IF NOT EXISTS pgrouting")
    return how


def drop_bench_database():
    with session() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")


# ------------------------------------------------------------------------------------------- data

def sample_county():
    """Roads, villages and centers of the sample county loaded in the gisplan database."""
    import shapely

    with session() as cursor:
        cursor.execute("SELECT ST_AsBinary(geometry), speed_kmh, oneway FROM layers_road "
                       "ORDER BY id")
        roads = cursor.fetchall()
        cursor.execute("SELECT ST_AsBinary(location) FROM layers_village ORDER BY id")
        villages = cursor.fetchall()
        cursor.execute("SELECT ST_AsBinary(location), kind, status FROM layers_servicecenter "
                       "ORDER BY id")
        centers = cursor.fetchall()
    if not roads or not villages:
        raise SystemExit("the gisplan database has no sample county loaded")
    lines = [shapely.get_coordinates(shapely.from_wkb(bytes(row[0]))) for row in roads]
    speeds = np.array([row[1] for row in roads], dtype=float)
    oneway = np.array([row[2] for row in roads], dtype=bool)
    village_xy = shapely.get_coordinates(shapely.from_wkb([bytes(row[0]) for row in villages]))
    center_xy = shapely.get_coordinates(shapely.from_wkb([bytes(row[0]) for row in centers]))
    kinds = np.array([row[1] for row in centers])
    status = np.array([row[2] for row in centers])
    return lines, speeds, oneway, village_xy, center_xy, kinds, status


def generated_region(villages, edges, centers, seed, spacing=400.0, removed=0.04):
    """A jittered n x n grid of roads with at least `edges` edges left after removing a share.

    Every 16th grid line is a trunk road (70 km/h), every 4th a county road (45 km/h), the rest
    village roads (15-35 km/h); about 5% of the edges are one-way, digitised either way; each
    edge has a jittered middle vertex. Villages and centers are uniform random points.
    """
    rng = np.random.default_rng(seed)
    n = 2
    while int(2 * n * (n - 1) * (1 - removed)) < edges:
        n += 1
    grid = np.stack(np.meshgrid(np.arange(n), np.arange(n), indexing="ij"), -1).reshape(-1, 2)
    xy = grid * spacing + rng.uniform(-0.3, 0.3, (n * n, 2)) * spacing
    ids = np.arange(n * n).reshape(n, n)
    a = np.concatenate([ids[:-1, :].ravel(), ids[:, :-1].ravel()])
    b = np.concatenate([ids[1:, :].ravel(), ids[:, 1:].ravel()])
    # The grid line an edge runs along: x-edges lie on row j, y-edges on column i.
    along = np.concatenate([np.broadcast_to(np.arange(n), (n - 1, n)).ravel(),
                            np.broadcast_to(np.arange(n)[:, None], (n, n - 1)).ravel()])
    speeds = np.where(along % 16 == 0, 70.0,
                      np.where(along % 4 == 0, 45.0, rng.uniform(15, 35, len(a))))
    keep = np.sort(rng.permutation(len(a))[:int(len(a) * (1 - removed))])
    a, b, speeds = a[keep], b[keep], speeds[keep]
    flip = rng.random(len(a)) < 0.5
    a, b = np.where(flip, b, a), np.where(flip, a, b)
    oneway = rng.random(len(a)) < 0.05
    start, end = xy[a], xy[b]
    middle = (start + end) / 2 + rng.uniform(-0.15, 0.15, (len(a), 2)) * spacing
    lines = list(np.stack([start, middle, end], axis=1))
    extent = (n - 1) * spacing
    return (lines, speeds, oneway, rng.uniform(0, extent, (villages, 2)),
            rng.uniform(0, extent, (centers, 2)), n)


# --------------------------------------------------------------------------------- pgRouting side

def load_graph(result, n_villages, centers):
    """The reversed gisplan graph plus one virtual start per center, as the edges table.

    Node ids are shifted by one (pgRouting vertex ids start at 1 in its examples; 0 is avoided).
    Returns the start vertex ids and the seconds spent loading and analysing.
    """
    nodes = int(result["nodes"])
    place_node, walk = result["place_node"], result["walk_minutes"]
    from analysis.network import NEAR_ZERO

    starts = nodes + np.arange(len(centers))
    source = np.concatenate([result["heads"], starts]) + 1           # reversed: head -> tail
    target = np.concatenate([result["tails"], place_node[centers]]) + 1
    cost = np.concatenate([result["weights"], np.maximum(walk[centers], NEAR_ZERO)])
    begin = time.perf_counter()
    with session(dbname=BENCH_DATABASE) as cursor:
        cursor.execute("DROP TABLE IF EXISTS edges; DROP TABLE IF EXISTS origins; "
                       "CREATE TABLE edges (id bigint PRIMARY KEY, source bigint NOT NULL, "
                       "target bigint NOT NULL, cost float8 NOT NULL); "
                       "CREATE TABLE origins (idx integer PRIMARY KEY, node bigint NOT NULL, "
                       "walk float8 NOT NULL)")
        _copy(cursor, "edges", np.arange(1, len(source) + 1), source, target, cost)
        _copy(cursor, "origins", np.arange(n_villages), place_node[:n_villages] + 1,
              walk[:n_villages])
        cursor.execute("CREATE INDEX ON origins (node); ANALYZE edges; ANALYZE origins")
    return starts + 1, time.perf_counter() - begin, len(source)


def _copy(cursor, table, *columns):
    buffer = io.StringIO()
    formats = ",".join("%d" if np.issubdtype(np.asarray(c).dtype, np.integer) else "%.17g"
                       for c in columns)
    np.savetxt(buffer, np.column_stack([np.asarray(c, dtype=object) for c in columns]),
               fmt=formats)
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", buffer)


EDGES_SQL = "SELECT id, source, target, cost FROM edges"


def nearest_sql(start_column, equicost):
    # The minimum agg_cost per village node over all starts (DISTINCT ON), then the village's
    # own walk; the walk is the same for every start of a node, so filtering on the total
    # before or after DISTINCT ON is the same. The starts go in groups of `chunk`, one
    # pgr_drivingDistance call each (LATERAL): with equicost := false pgRouting 3.4.2 returns a
    # row per (start, reached node) in one palloc'd array, and PostgreSQL refuses a single
    # allocation over 1 GB ("invalid memory alloc request size ..."), which 2,000 starts with
    # a 60-minute reach on the generated region exceed. The minimum over all groups is the
    # minimum over all starts, so the answer is the same; with one group it is one call.
    return f"""
        WITH chunk AS (
            SELECT array_agg(s ORDER BY k) AS starts
            FROM unnest(%(starts)s::bigint[]) WITH ORDINALITY AS u(s, k)
            GROUP BY (k - 1) / %(chunk)s)
        SELECT DISTINCT ON (o.idx) o.idx, d.{start_column}, d.agg_cost + o.walk
        FROM chunk,
             LATERAL pgr_drivingDistance(%(edges)s, chunk.starts, %(limit)s,
                                         directed := true, equicost := {str(equicost).lower()}) d
        JOIN origins o ON o.node = d.node
        WHERE d.agg_cost + o.walk <= %(limit)s
        ORDER BY o.idx, d.agg_cost, d.{start_column}"""


def backend_memory_mb(pid):
    """Peak and current resident set of a server backend, or None when /proc is not readable."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(values["VmHWM"].split()[0]) / 1024.0


def run_pgrouting(starts, n_villages, limit, repeat, equicost=False, chunk=None,
                  give_up_after=60.0):
    """Median seconds of the query, the backend's peak memory, and each village's answer."""
    times, peaks, baselines = [], [], []
    for _ in range(repeat):
        with session(dbname=BENCH_DATABASE) as cursor:
            # Load the pgRouting library in this fresh backend before timing (as the gisplan
            # child imports scipy before timing), and learn the start column's name
            # (from_v up to 3.5, start_vid from 3.6).
            cursor.execute("SELECT pg_backend_pid(); ")
            pid = cursor.fetchone()[0]
            cursor.execute("SELECT * FROM pgr_drivingDistance('SELECT 1::bigint AS id, "
                           "1::bigint AS source, 2::bigint AS target, 1.0::float8 AS cost', "
                           "ARRAY[1]::bigint[], 5.0, true, false)")
            cursor.fetchall()
            names = [column.name for column in cursor.description]
            start_column = "start_vid" if "start_vid" in names else "from_v"
            baselines.append(backend_memory_mb(pid))
            begin = time.perf_counter()
            cursor.execute(nearest_sql(start_column, equicost),
                           dict(edges=EDGES_SQL, starts=starts.tolist(),
                                chunk=chunk or len(starts),
                                limit=NO_LIMIT if np.isinf(limit) else limit))
            rows = cursor.fetchall()
            times.append(time.perf_counter() - begin)
            peaks.append(backend_memory_mb(pid))
        if times[-1] > give_up_after:
            break
    index = np.full(n_villages, -1)
    cost = np.full(n_villages, np.inf)
    if rows:
        rows = np.array(rows, dtype=float)
        at = rows[:, 0].astype(int)
        index[at] = rows[:, 1].astype(int) - starts[0]
        cost[at] = rows[:, 2]
    known = [p for p in peaks if p is not None]
    return dict(seconds=statistics.median(times), runs=len(times), index=index, cost=cost,
                calls=-(-len(starts) // (chunk or len(starts))),
                peak=max(known) if known else None,
                baseline=min(b for b in baselines if b is not None) if known else None)


def dijkstra_cost(start, node):
    """pgRouting's cost from one virtual start to one node (to settle ties), inf if none."""
    with session(dbname=BENCH_DATABASE) as cursor:
        cursor.execute("SELECT agg_cost FROM pgr_dijkstraCost(%s, %s::bigint, %s::bigint, true)",
                       (EDGES_SQL, int(start), int(node)))
        row = cursor.fetchone()
    return row[0] if row else np.inf


def compare(gisplan, reference, starts, village_nodes):
    """Mismatches (different reach, cost or non-tied center) and ties (different center, same
    cost to TIE: checked by pgRouting's own cost from gisplan's center)."""
    mismatches = ties = 0
    examples = []
    for i in range(len(reference["index"])):
        mine, theirs = int(gisplan["index"][i]), int(reference["index"][i])
        my_cost, their_cost = gisplan["cost"][i], reference["cost"][i]
        if (mine < 0) != (theirs < 0):
            mismatches += 1
            examples.append((i, mine, my_cost, theirs, their_cost))
            continue
        if mine < 0:
            continue
        if abs(my_cost - their_cost) > COST_TOLERANCE:
            mismatches += 1
            examples.append((i, mine, my_cost, theirs, their_cost))
        elif mine != theirs:
            # Same cost, another center: a tie only if pgRouting's own cost from gisplan's
            # center is as low as from its own (the village's walk is the same for both).
            mine_graph = dijkstra_cost(starts[mine], village_nodes[i])
            theirs_graph = dijkstra_cost(starts[theirs], village_nodes[i])
            if abs(mine_graph - theirs_graph) <= TIE:
                ties += 1
            else:
                mismatches += 1
                examples.append((i, mine, my_cost, theirs, their_cost))
    return mismatches, ties, examples[:5]


def wrong_with_equicost(equicost, reference):
    """Villages equicost := true leaves farther (or unreached) than their nearest center."""
    reached = reference["index"] >= 0
    return int(np.sum(reached & ((equicost["index"] < 0)
                                 | (equicost["cost"] > reference["cost"] + TIE))))


# ------------------------------------------------------------------------------------------- main

def bench(folder, name, lines, speeds, oneway, village_xy, center_xy, limit, repeat, equicost,
          chunk=None):
    places = np.concatenate([village_xy, center_xy])
    villages = np.arange(len(village_xy))
    centers = len(village_xy) + np.arange(len(center_xy))
    print(f"-- {name}: gisplan ({repeat} runs) ...", flush=True)
    mine = run_gisplan(folder, name.replace(" ", "_"), lines, speeds, oneway, places, villages,
                       centers, limit, repeat)
    starts, load_seconds, rows = load_graph(mine, len(villages), centers)
    print(f"   pgRouting edges table: {rows} rows loaded in {load_seconds:.2f} s (set-up); "
          f"querying ...", flush=True)
    theirs = run_pgrouting(starts, len(villages), limit, repeat, chunk=chunk)
    print(f"   pgRouting: {theirs['seconds']:.3f} s (median of {theirs['runs']}); gisplan: "
          f"{np.median(mine['build']) + np.median(mine['search']):.3f} s", flush=True)
    village_nodes = mine["place_node"][:len(villages)] + 1
    mismatches, ties, examples = compare(mine, theirs, starts, village_nodes)
    row = dict(name=name, villages=len(villages), centers=len(center_xy), roads=len(lines),
               nodes=int(mine["nodes"]) + len(center_xy), arcs=rows, limit=limit,
               build=float(np.median(mine["build"])), search=float(np.median(mine["search"])),
               pgr=theirs["seconds"], pgr_runs=theirs["runs"], gp_peak=float(mine["peak"]),
               gp_base=float(mine["baseline"]), pgr_peak=theirs["peak"],
               pgr_base=theirs["baseline"], mismatches=mismatches, ties=ties,
               reached=int(np.sum(theirs["index"] >= 0)), load=load_seconds,
               calls=theirs["calls"])
    row["total"] = row["build"] + row["search"]
    for example in examples:
        print(f"   MISMATCH village {example[0]}: gisplan center {example[1]} "
              f"{example[2]:.9f} min; pgRouting center {example[3]} {example[4]:.9f} min")
    if equicost:
        wrong = run_pgrouting(starts, len(villages), limit, 1, equicost=True)
        row["equicost_wrong"] = wrong_with_equicost(wrong, theirs)
        row["equicost_seconds"] = wrong["seconds"]
    return row


def print_table(rows):
    def mb(value):
        return f"{value:.0f}" if value is not None else "n/a"

    print(f"\n{'dataset':<28}{'villages':>9}{'centers':>8}{'roads':>8}{'nodes':>8}{'arcs':>8}"
          f"{'limit':>6}{'build s':>9}{'search s':>9}{'total s':>9}{'pgr s':>9}{'ratio':>7}"
          f"{'ratio srch':>11}{'gp MB':>7}{'pgr MB':>8}{'reached':>8}{'mismatch':>9}{'ties':>5}")
    for r in rows:
        limit = "none" if np.isinf(r["limit"]) else f"{r['limit']:.0f}"
        print(f"{r['name']:<28}{r['villages']:>9}{r['centers']:>8}{r['roads']:>8}{r['nodes']:>8}"
              f"{r['arcs']:>8}{limit:>6}{r['build']:>9.3f}{r['search']:>9.3f}{r['total']:>9.3f}"
              f"{r['pgr']:>9.3f}{r['pgr'] / r['total']:>7.1f}{r['pgr'] / r['search']:>11.1f}"
              f"{r['gp_peak']:>7.0f}{mb(r['pgr_peak']):>8}{r['reached']:>8}{r['mismatches']:>9}"
              f"{r['ties']:>5}")
    print("\nratio = pgRouting s / gisplan total s (build + search), aim: at least 5; "
          "ratio srch = pgRouting s / gisplan search s.")
    print("times: medians; gisplan build = build_network (roads cut at every village and center),"
          " search = nearest_by_road; pgRouting = the SQL query end to end (pgr_drivingDistance "
          "reading the edges table, minimum per village, walks) on the graph gisplan built.")
    print("nodes: graph nodes including one virtual start per center; arcs: rows of the "
          "pgRouting edges table (directed arcs, reversed, plus one walk arc per center).")
    print("peak MB: gisplan = the child process's max RSS (baseline after imports and input: "
          + ", ".join(f"{r['gp_base']:.0f}" for r in rows) + "); pgRouting = the server "
          "backend's VmHWM (baseline after the library is loaded: "
          + ", ".join(mb(r["pgr_base"]) for r in rows) + ").")
    for r in rows:
        extra = (f": pgRouting runs {r['pgr_runs']}, pgr_drivingDistance calls per run "
                 f"{r['calls']}; edges table loaded in {r['load']:.2f} s")
        if "equicost_wrong" in r:
            extra += (f"; equicost := true (one call): {r['equicost_wrong']} of {r['reached']} reached "
                      f"villages given a farther center ({r['equicost_seconds']:.3f} s)")
        print(f"  {r['name']}{extra}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=20_000)
    parser.add_argument("--edges", type=int, default=200_000)
    parser.add_argument("--centers", type=int, default=2_000)
    parser.add_argument("--limit", type=float, default=60.0, help="minutes (the region, sample)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=7, help="runs on the sample (median)")
    parser.add_argument("--region-repeat", type=int, default=3,
                        help="runs on the region (pgRouting stops after a run over 60 s)")
    parser.add_argument("--region-chunk", type=int, default=250,
                        help="starts per pgr_drivingDistance call on the region (0: all in one "
                             "call; pgRouting 3.4.2 fails over 1 GB of results)")
    parser.add_argument("--skip-region", action="store_true")
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--no-equicost", action="store_true",
                        help="skip the equicost := true note")
    parser.add_argument("--keep", action="store_true", help="keep the bench_coverage database")
    arguments = parser.parse_args()

    installed = ensure_pgrouting()
    rows = []
    how = create_bench_database()
    try:
        with session(dbname=BENCH_DATABASE) as cursor:
            cursor.execute("SELECT pgr_version(), postgis_lib_version(), version()")
            pgr_version, postgis_version, server = cursor.fetchone()
        print(f"pgRouting {pgr_version} ({installed}); PostGIS {postgis_version}; "
              f"{server.split(',')[0]}")
        print(f"database {BENCH_DATABASE}: created by {database_url()['user']}, extensions "
              f"created with {how}")
        equicost = not arguments.no_equicost
        with tempfile.TemporaryDirectory() as folder:
            if not arguments.skip_sample:
                lines, speeds, oneway, village_xy, center_xy, kinds, status = sample_county()
                health = (kinds == "health_check") & (status == "existing")
                for limit in (arguments.limit, np.inf):
                    rows.append(bench(folder, "sample, health_check", lines, speeds, oneway,
                                      village_xy, center_xy[health], limit, arguments.repeat,
                                      equicost))
                    rows.append(bench(folder, "sample, all centers", lines, speeds, oneway,
                                      village_xy, center_xy, limit, arguments.repeat, equicost))
            if not arguments.skip_region:
                lines, speeds, oneway, village_xy, center_xy, n = generated_region(
                    arguments.villages, arguments.edges, arguments.centers, arguments.seed)
                print(f"generated region: {n} x {n} jittered grid, {len(lines)} road edges, "
                      f"{int(oneway.sum())} one-way, {len(village_xy)} villages, "
                      f"{len(center_xy)} sites, seed {arguments.seed}", flush=True)
                rows.append(bench(folder, "generated region", lines, speeds, oneway, village_xy,
                                  center_xy, arguments.limit, arguments.region_repeat, equicost,
                                  chunk=arguments.region_chunk))
    finally:
        if not arguments.keep:
            drop_bench_database()
    print_table(rows)
    if not arguments.skip_sample:
        kept_network(arguments.limit, arguments.repeat)
    if any(r["mismatches"] for r in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        gisplan_child(sys.argv[2], sys.argv[3])
    else:
        main()
