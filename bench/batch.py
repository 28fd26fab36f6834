"""Batches across counties on Dask (batches/) against the same tasks run one after another in
one process, on

- the province of bench/province.py (Shaanxi's 107 counties, generated with its seed): coverage
  by every kind of center and the exit assessment, a task per county and analysis;
- Shangluo's 7 counties of that province on the real elevation model (../shared/data/real,
  Copernicus GLO-90, imported onto each county's 30 m grid): siting of every industry.

Each runs four ways: serially (batches.tasks.run_task in this process, one after another),
and on Dask with 1 worker and with 2 single-threaded worker processes on this machine (batches.
cluster with a local cluster), and with the 2 workers each in a network namespace of its own
(as two hosts: they reach the scheduler, and PostgreSQL through a forwarder, over veth links;
needs root) — each run with a data folder of its own, so that none reuses
another's kept networks, criteria or surfaces. Printed: wall seconds, tasks per second, the
ratio to serial, the median task, each worker's peak memory, PostgreSQL's share of the CPU (its
processes' CPU seconds during the run per second of wall time, of the 2 cores); and the
scheduler's overhead: the round trip of a trivial task through the cluster and the time per
trivial task of 2,000 at once, beside the median task. Numpy, OpenMP and GDAL use one thread
everywhere. The Dask runs' results must equal the serial run's, county by county (figures and
rows exactly; suitability surfaces byte for byte): exit status 1 otherwise.

    .venv/bin/python bench/batch.py [--quick] [--seed 61] [--keep]

--quick: coverage of the health-check centers only, and siting of tourism only. It works in a
database of its own (bench_batch), made and dropped here (--keep keeps it).
"""
import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "GDAL_NUM_THREADS"):
    os.environ[_name] = "1"  # before numpy and GDAL load: one thread each, as on a worker

import argparse  # noqa: E402
import contextlib  # noqa: E402
import filecmp  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

if __name__ == "__main__":
    # Django is set up here (by bench/province.py) only in the bench's own process: the Dask
    # workers, spawned, import this file again as __mp_main__ and must set Django up
    # themselves, with the database they are given (batches/preload.py).
    from province import REAL, generate  # noqa: E402

    from django.conf import settings  # noqa: E402
    from django.db import connection  # noqa: E402
    from django.test.utils import setup_databases, teardown_databases  # noqa: E402

    from batches.cluster import (DASK_CONFIG, PRELOAD, cluster, new_batch, run_batch,  # noqa: E402
                                 worker_environment)
    from batches.models import BatchResult  # noqa: E402
    from batches.tasks import run_task  # noqa: E402
    from layers import networks  # noqa: E402
    from layers.models import County  # noqa: E402
    from layers.rasters import RasterOptions, import_raster  # noqa: E402

    DEM = REAL / "shangluo_dem_glo90.tif"

ROOT = Path(__file__).resolve().parent.parent
PG_PORT = 55432  # the forwarder to PostgreSQL that the namespaces reach
TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count()


def postgres_cpu_seconds():
    """CPU seconds used so far by PostgreSQL: its live processes' own, and the ended backends'
    that the server (the postgres process whose parent is not one) has collected."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.with_name("comm").read_text().strip() != "postgres":
                continue
            parts = stat.read_text().rsplit(")", 1)[1].split()
            total += int(parts[11]) + int(parts[12])  # utime, stime
            parent = Path(f"/proc/{parts[1]}/comm")
            if not parent.exists() or parent.read_text().strip() != "postgres":
                total += int(parts[13]) + int(parts[14])  # cutime, cstime: ended children
        except (OSError, IndexError, ValueError):
            continue
    return total / TICKS


class Run:
    """One way of running a batch: its seconds, tasks and PostgreSQL's CPU."""

    def __init__(self, name, batch):
        self.name, self.batch = name, batch

    def __enter__(self):
        self.folder = tempfile.TemporaryDirectory(prefix=f"batch-{self.name}-")
        settings.DATA_DIR = Path(self.folder.name)  # nothing kept from another run
        networks._kept.clear()
        self.cpu, self.start = postgres_cpu_seconds(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        if not hasattr(self, "seconds"):  # a run on Dask times its batch alone
            self.seconds = time.perf_counter() - self.start
            self.postgres = postgres_cpu_seconds() - self.cpu
        results = list(BatchResult.objects.filter(batch=self.batch))
        self.tasks = len(results)
        self.failed = [f"{r.analysis} {r.county_id}: {r.reason}" for r in results if r.reason]
        self.median = statistics.median(r.seconds for r in results) if results else 0.0
        peaks = {}
        for r in results:
            peaks[r.worker] = max(peaks.get(r.worker, 0.0), r.peak_mb)
        self.peaks = sorted(peaks.values(), reverse=True)
        self.busy = sum(r.seconds for r in results)
        # A surface's name ends in a digest of the criteria's paths, which lie in the run's own
        # folder: compared by county, industry and zone.
        self.surfaces = {p.name.rsplit("-", 1)[0]: p
                         for p in (Path(self.folder.name) / "suitability").glob("*.tif")}

    def on(self, client, workers):
        """The batch on `client`'s cluster once its `workers` are up: the batch alone timed,
        then the scheduler's overhead."""
        client.wait_for_workers(workers, timeout=120)
        self.startup = time.perf_counter() - self.start
        start, cpu = time.perf_counter(), postgres_cpu_seconds()
        run_batch(self.batch, client)
        self.seconds = time.perf_counter() - start
        self.postgres = postgres_cpu_seconds() - cpu
        self.overhead = scheduler_overhead(client)


def serial(region, analyses, services, industries):
    batch = new_batch(region, analyses, services, industries)
    with Run("serial", batch) as run:
        for code, analysis in batch.tasks():
            run_task(batch.pk, code, analysis)
    run.peaks = []  # this process also generated the province: its peak says nothing of a task
    return run


def on_dask(workers, region, analyses, services, industries):
    batch = new_batch(region, analyses, services, industries)
    with Run(f"dask{workers}", batch) as run, cluster(workers=workers) as client:
        run.on(client, workers)
    return run


def sh(*command):
    subprocess.run(command, check=True, capture_output=True)


@contextmanager
def namespaces(count):
    """`count` network namespaces, each joined to this host by a veth pair (host 10.213.N.1,
    namespace 10.213.N.2): as many hosts on a network. Yields the namespaces' (name, host
    address); removed at the end."""
    made = []
    try:
        for n in range(1, count + 1):
            name, veth = f"gisplan-w{n}", f"gpveth{n}"
            sh("ip", "netns", "add", name)
            made.append(name)
            sh("ip", "link", "add", veth, "type", "veth", "peer", "name", f"{veth}n")
            sh("ip", "link", "set", f"{veth}n", "netns", name)
            sh("ip", "addr", "add", f"10.213.{n}.1/24", "dev", veth)
            sh("ip", "link", "set", veth, "up")
            for command in (("ip", "addr", "add", f"10.213.{n}.2/24", "dev", f"{veth}n"),
                            ("ip", "link", "set", f"{veth}n", "up"), ("ip", "link", "set", "lo", "up")):
                sh("ip", "netns", "exec", name, *command)
        yield [(name, f"10.213.{n}.1") for n, name in enumerate(made, 1)]
    finally:
        for n, name in enumerate(made, 1):
            subprocess.run(["ip", "link", "del", f"gpveth{n}"], capture_output=True)
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


@contextmanager
def forwarded(port, to):
    """A TCP forwarder on 0.0.0.0:`port` to `to` (host, port): PostgreSQL, which listens on
    127.0.0.1 only, for the namespaces."""
    listener = socket.create_server(("0.0.0.0", port), reuse_port=True)

    def pipe(source, target):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def serve():
        with contextlib.suppress(OSError):
            while True:
                near, _address = listener.accept()
                far = socket.create_connection(to)
                for a, b in ((near, far), (far, near)):
                    threading.Thread(target=pipe, args=(a, b), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield
    finally:
        listener.close()


def on_two_hosts(region, analyses, services, industries):
    """Dask with 2 workers, each in a network namespace of its own (as two hosts), reaching the
    scheduler and PostgreSQL over their veth links."""
    from dask.distributed import Client, LocalCluster

    batch = new_batch(region, analyses, services, industries)
    db = connection.settings_dict
    database = (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    here = worker_environment()
    with Run("2 hosts", batch) as run, namespaces(2) as hosts, forwarded(PG_PORT, database), \
            LocalCluster(n_workers=0, host="0.0.0.0", scheduler_port=0,
                         dashboard_address=None) as local, Client(local) as client:
        port = local.scheduler_address.rsplit(":", 1)[1]
        workers = []
        try:
            for name, gateway in hosts:
                env = {**os.environ, **here, "DASK_CONFIG": str(DASK_CONFIG),
                       "DATABASE_URL": here["DATABASE_URL"].replace(
                           "@{}:{}/".format(*database), f"@{gateway}:{PG_PORT}/")}
                workers.append(subprocess.Popen(
                    ["ip", "netns", "exec", name, str(Path(sys.executable).with_name("dask")),
                     "worker", f"tcp://{gateway}:{port}", "--nthreads", "1", "--no-dashboard",
                     "--memory-limit", "2GiB", "--preload", str(PRELOAD)],
                    env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True))
            run.on(client, 2)
            run.hosts = sorted(w["host"] for w in client.scheduler_info()["workers"].values())
        finally:
            client.close()  # first: the workers' going would be news to a live client
            for worker in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=60)
    return run


def scheduler_overhead(client, many=2000, rounds=30):
    """(seconds of one trivial task's round trip, median of `rounds`; seconds per trivial task
    of `many` at once) through `client`'s cluster."""
    trips = []
    for i in range(rounds):
        start = time.perf_counter()
        client.submit(abs, -i, pure=False).result()
        trips.append(time.perf_counter() - start)
    start = time.perf_counter()
    client.gather(client.map(abs, range(-many, 0), pure=False))
    return statistics.median(trips), (time.perf_counter() - start) / many


def same_results(reference, other):
    """The differences between two runs' results, county by county."""
    def read(run):
        return {(r.county_id, r.analysis): (r.status, r.reason, r.figures, r.rows)
                for r in BatchResult.objects.filter(batch=run.batch)}
    ours, theirs = read(reference), read(other)
    problems = [f"{other.name}: {key} differs" for key in ours if ours[key] != theirs.get(key)]
    problems += [f"{other.name}: {key} extra" for key in theirs if key not in ours]
    if set(reference.surfaces) != set(other.surfaces):
        problems.append(f"{other.name}: other suitability surfaces")
    problems += [f"{other.name}: surface {name} differs" for name, path in reference.surfaces.items()
                 if name in other.surfaces and not filecmp.cmp(path, other.surfaces[name], shallow=False)]
    return problems


def report(title, runs):
    print(f"\n== {title} ==")
    print(f"{'run':8} {'tasks':>5} {'wall s':>8} {'tasks/s':>8} {'× serial':>8} {'median task s':>13} "
          f"{'in tasks s':>10} {'PostgreSQL CPU':>14} {'peak MB per worker':>20}")
    base = runs[0].seconds
    for run in runs:
        print(f"{run.name:8} {run.tasks:5d} {run.seconds:8.1f} {run.tasks / run.seconds:8.2f} "
              f"{base / run.seconds:7.2f}× {run.median:13.3f} {run.busy:10.1f} "
              f"{run.postgres / (run.seconds * CORES):13.0%} "
              f"{' '.join(f'{p:.0f}' for p in run.peaks) or '—':>20}")
    for run in runs[1:]:
        trip, each = run.overhead
        if hasattr(run, "hosts"):
            print(f"  {run.name}: the workers ran at {', '.join(run.hosts)}, each in a network "
                  "namespace of its own, reaching the scheduler and PostgreSQL over veth links")
        print(f"  {run.name}: the cluster started in {run.startup:.1f} s (not in its wall time); "
              f"a trivial task's round trip {trip * 1000:.1f} ms, {each * 1000:.2f} ms "
              f"a task of {2000} at once: {each / runs[0].median:.1%} of the median task "
              f"({runs[0].median:.3f} s)")
    failed = runs[0].failed
    if failed:
        print(f"  failed tasks (the same in every run): {len(failed)}, e.g. {failed[0]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="coverage of health-check centers only, siting of tourism only")
    parser.add_argument("--seed", type=int, default=61, help="of the province's generator")
    parser.add_argument("--keep", action="store_true", help="keep the database bench_batch")
    args = parser.parse_args()
    services = ["health_check"] if args.quick else None
    industries = ["tourism"] if args.quick else None
    connection.settings_dict["TEST"]["NAME"] = "bench_batch"
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    problems = []
    print(f"load average before: {os.getloadavg()[0]:.2f}; {CORES} cores")
    try:
        generate(REAL, args.seed)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="batch-dem-") as rasters:
            settings.DATA_DIR = Path(rasters)
            for county in County.objects.in_region("6110").order_by("adcode"):
                import_raster(RasterOptions("dem", DEM, source="Copernicus DEM GLO-90",
                                            county=county.adcode))
            print(f"the real DEM imported onto Shangluo's 7 counties' 30 m grids in "
                  f"{time.perf_counter() - start:.0f} s")
            for title, region, analyses in (
                    ("the province: coverage and the exit assessment, 107 counties", "61",
                     ["coverage", "assessment"]),
                    ("Shangluo on the real DEM: siting, 7 counties", "6110", ["suitability"])):
                runs = [serial(region, analyses, services, industries)]
                runs += [on_dask(n, region, analyses, services, industries) for n in (1, 2)]
                runs.append(on_two_hosts(region, analyses, services, industries))
                report(title, runs)
                for run in runs[1:]:
                    problems += same_results(runs[0], run)
    finally:
        connection.close()
        if args.keep:
            print("kept the database bench_batch (drop it with: dropdb -h 127.0.0.1 -U gisplan bench_batch)")
        else:
            teardown_databases(databases, verbosity=0)
    for problem in problems[:20]:
        print("DIFFERENT:", problem)
    if problems:
        sys.exit(1)
    print("\nevery Dask run's results equal the serial run's, county by county (suitability "
          "surfaces byte for byte)")


if __name__ == "__main__":
    main()
