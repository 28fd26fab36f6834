"""A load test on loopback: the application served by gunicorn with its production settings
(gisplan/gunicorn.conf.py, DEBUG off, whitenoise), users signed in through the login page, at
increasing concurrency; requests per second, p50 and p99 latency and errors for the portal, its
static files, the layer endpoints and the analysis endpoints. Anchors in the same run: the same
layers as one raw PostGIS query each through psycopg2 (threads with their own connections), and
the same static files from memory by a trivial WSGI app under the same gunicorn configuration.

    .venv/bin/python bench/load.py [--duration 10] [--levels 1,5,10,20,40,80]
                                   [--scenarios portal,static,layers,analysis,suitability]

It reads the `gisplan` database (DATABASE_URL), which must hold the sample county and the demo
users (`manage.py load_sample`, `manage.py create_demo_users`); it writes nothing to it but
sessions. Static files are collected, and suitability criteria derived, into a temporary
GISPLAN_DATA_DIR (the rasters are read where the database records them), removed at the end.
The client runs on the same cores as the server: on two cores it takes a share of the CPU.
"""
import argparse
import gzip
import http.client
import mimetypes
import os
import re
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CONFIG = ROOT / "gisplan" / "gunicorn.conf.py"

LEVELS = (1, 5, 10, 20, 40, 80)
SUITABILITY_LEVELS = (1, 2, 5)  # heavy (0.6 s each, more on first use): a county office runs few
OFFICE_USERS = 20  # the concurrency a county office needs: no errors there
P99_LIMIT_MS = 2000.0  # beyond this a user waits too long: degraded
RISE = 1.10  # rps rising less than 10% over the previous level: saturated
SLOW_NOTE = 10.0  # an answer slower than this is named under its row (seconds)
REQUEST_TIMEOUT = 120.0  # seconds a client waits for an answer before counting an error

# (user, password) from manage.py create_demo_users (layers/management/commands/).
OFFICIAL = ("official", "official-demo")
ANALYST = ("analyst", "analyst-demo")
LAYER_NAMES = ("villages", "zones", "roads")
# What a county office runs: coverage of the town health centers by road (30 minutes, the
# default), of the village clinics in a straight line (3 km), the exit assessment, and three
# more elderly care centers (MCLP) by road.
ANALYSES = (
    "/api/analysis/coverage/?service=town_health_center&max_minutes=30",
    "/api/analysis/coverage/?service=village_clinic&max_distance=3000",
    "/api/assessment/?module=standard",
    "/api/analysis/locate/?service=elderly_care&model=mclp&p=3",
)
SUITABILITY = tuple(f"/api/analysis/suitability/?industry={kind}" for kind in (
    "modern_agriculture", "livestock", "planting", "tourism", "manufacturing"))


# -- The trivial static anchor, served by gunicorn from this module: `load:static_anchor` ------

_FILES = {}


def _anchor_files():
    """Every file under BENCH_STATIC_ROOT, in memory, with its gzip copy where there is one."""
    if not _FILES:
        root, files = Path(os.environ["BENCH_STATIC_ROOT"]), {}
        for path in root.rglob("*"):
            if path.is_file() and path.suffix not in (".gz", ".br"):
                gz = path.with_name(path.name + ".gz")
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                files["/static/" + path.relative_to(root).as_posix()] = (
                    kind, path.read_bytes(), gz.read_bytes() if gz.exists() else None)
        _FILES.update(files)  # whole, at once: the worker's other threads may be reading it
    return _FILES


def static_anchor(environ, start_response):
    """The files of STATIC_ROOT from memory, gzipped when asked: no Django, no whitenoise."""
    entry = _anchor_files().get(environ.get("PATH_INFO", ""))
    if entry is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    kind, body, gzipped = entry
    headers = [("Content-Type", kind), ("Cache-Control", "max-age=60, public")]
    if gzipped is not None and "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
        body = gzipped
        headers.append(("Content-Encoding", "gzip"))
    start_response("200 OK", headers + [("Content-Length", str(len(body)))])
    return [body]


# -- The server -------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in a process group of its own, with gisplan/gunicorn.conf.py and `env`."""

    def __init__(self, env, app, log, extra=()):
        self.port = free_port()
        self.env = {**env, "GISPLAN_BIND": f"127.0.0.1:{self.port}"}
        self.log_path = log
        self.log = open(log, "wb")
        self.process = subprocess.Popen(
            [str(GUNICORN), "--config", str(CONFIG), *extra, app], cwd=ROOT, env=self.env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, path, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", path)
                status = connection.getresponse().status
                connection.close()
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        sys.exit(f"gunicorn did not start; its log:\n{Path(self.log_path).read_text()[-3000:]}")

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        self.log.close()


def production_env(data_dir):
    return {**os.environ, "GISPLAN_DEBUG": "0", "GISPLAN_SECRET_KEY": secrets.token_urlsafe(50),
            "GISPLAN_ALLOWED_HOSTS": "127.0.0.1", "GISPLAN_DATA_DIR": str(data_dir),
            "GISPLAN_ACCESS_LOG": "0"}


def sign_in(port, username, password):
    """The Cookie header of a session signed in through /accounts/login/ (with its CSRF token)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not (csrf and token):
        sys.exit("the login page has no CSRF token")
    form = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": token.group(1)})
    connection.request("POST", "/accounts/login/", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf.group(1)}"})
    response = connection.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    connection.close()
    if response.status != 302 or not session:
        sys.exit(f"cannot sign in as {username} (status {response.status}): run "
                 f"`.venv/bin/python manage.py create_demo_users` on this database")
    return f"sessionid={session.group(1)}; csrftoken={csrf.group(1)}"


# -- The load generator -----------------------------------------------------------------------

@dataclass
class Result:
    latencies: list = field(default_factory=list)  # seconds, answered requests
    errors: int = 0  # non-2xx answers and failed requests
    retried: int = 0  # kept-alive connections the server had closed, reopened (as browsers do)
    bytes: int = 0
    elapsed: float = 0.0
    statuses: dict = field(default_factory=dict)
    slowest: tuple = (0.0, "")  # (seconds, path) of the slowest answer

    @property
    def count(self):
        return len(self.latencies) + self.errors

    @property
    def rps(self):
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, q):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] * 1000


class HttpUser:
    """One browser: one kept-alive connection, requests one after another."""

    def __init__(self, port, cookie):
        self.port, self.cookie = port, cookie
        self.connection = None

    def get(self, path):
        """(status, body bytes); reopens a kept-alive connection the server closed once."""
        headers = {"Accept-Encoding": "gzip", "Cookie": self.cookie}
        for attempt in (0, 1):
            reused = self.connection is not None
            if not reused:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                             timeout=REQUEST_TIMEOUT)
            try:
                self.connection.request("GET", path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
                if response.will_close:
                    self.close()
                return response.status, len(body), attempt
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if not reused or attempt:
                    raise

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class SqlUser:
    """One anchor client: its own psycopg2 connection; each layer's FeatureCollection built in
    one statement and gzipped (level 6, as the endpoint's gzip_page does)."""

    def __init__(self, connect, queries):
        self.connection = connect()
        self.connection.autocommit = True
        self.queries = queries

    def get(self, name):
        with self.connection.cursor() as cursor:
            cursor.execute(self.queries[name])
            body = gzip.compress(cursor.fetchone()[0].encode(), compresslevel=6, mtime=0)
        return 200, len(body), 0

    def close(self):
        self.connection.close()


def run_level(make_user, paths, users, duration):
    """`users` threads, each with its own user, issuing `paths` in turn back to back for
    `duration` seconds (each starting at its own place in the list); the requests in flight at
    the end are waited for and counted."""
    result = Result()
    lock = threading.Lock()
    start = threading.Barrier(users + 1)

    def work(offset):
        latencies, errors, retried, size, statuses, slowest = [], 0, 0, 0, {}, (0.0, "")
        try:
            user = make_user()
        except Exception as problem:  # noqa: BLE001 - a user that cannot connect is an error
            start.wait()
            with lock:
                result.errors += 1
                result.statuses[type(problem).__name__] = result.statuses.get(
                    type(problem).__name__, 0) + 1
            return
        start.wait()
        deadline = time.perf_counter() + duration
        i = offset
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += 1
            began = time.perf_counter()
            try:
                status, length, again = user.get(path)
            except Exception as problem:  # noqa: BLE001 - any failure is counted, not raised
                errors += 1
                statuses[type(problem).__name__] = statuses.get(type(problem).__name__, 0) + 1
                user.close()
                continue
            retried += again
            statuses[status] = statuses.get(status, 0) + 1
            if 200 <= status < 300:
                latencies.append(time.perf_counter() - began)
                size += length
                slowest = max(slowest, (latencies[-1], path))
            else:
                errors += 1
        user.close()
        with lock:
            result.latencies += latencies
            result.errors += errors
            result.retried += retried
            result.bytes += size
            result.slowest = max(result.slowest, slowest)
            for key, n in statuses.items():
                result.statuses[key] = result.statuses.get(key, 0) + n

    threads = [threading.Thread(target=work, args=(k * 7,), daemon=True) for k in range(users)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - began
    return result


# -- Reporting --------------------------------------------------------------------------------

HEADER = (f"{'scenario':<22}{'users':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>7}"
          f"{'requests':>9}{'MB/s':>7}{'÷ anchor':>10}  mark")


def marks(rows):
    """Per level: 'saturated' where rps stops rising (< 10% over the level before), 'DEGRADED'
    where p99 passes the limit or a request fails."""
    out, saturated, degraded = [], False, False
    for k, (_users, result) in enumerate(rows):
        notes = []
        if not saturated and k and result.rps < RISE * rows[k - 1][1].rps:
            saturated = True
            notes.append("saturated")
        reasons = []
        if result.errors:
            reasons.append(f"{result.errors} errors")
        if result.percentile(99) > P99_LIMIT_MS:
            reasons.append(f"p99 > {P99_LIMIT_MS / 1000:g} s")
        if reasons and not degraded:
            degraded = True
            notes.append("DEGRADED: " + ", ".join(reasons))
        elif reasons:
            notes.append(", ".join(reasons))
        out.append("; ".join(notes))
    return out


def print_row(name, users, result, anchor=None, mark=""):
    ratio = f"{result.rps / anchor.rps:.2f}" if anchor is not None and anchor.rps else ""
    print(f"{name:<22}{users:>6}{result.rps:>9.1f}{result.percentile(50):>9.1f}"
          f"{result.percentile(99):>9.1f}{result.errors:>7}{result.count:>9}"
          f"{result.bytes / result.elapsed / 1e6 if result.elapsed else 0:>7.1f}{ratio:>10}  "
          f"{mark}", flush=True)


def measure(name, make_user, paths, levels, duration, anchors=None, warm=2.0):
    """Rows of `levels`, printed as they come; a short unrecorded run first warms the workers."""
    run_level(make_user, paths, min(5, max(levels)), warm)
    rows = []
    for users in levels:
        result = run_level(make_user, paths, users, duration)
        rows.append((users, result))
        anchor = anchors.get(users) if anchors else None
        print_row(name, users, result, anchor)
        odd = {k: n for k, n in result.statuses.items() if not (isinstance(k, int) and k < 300)}
        if odd:
            print(f"{'':<22}{'':>6}  not 2xx: {odd}", flush=True)
        if result.slowest[0] > SLOW_NOTE:
            print(f"{'':<22}{'':>6}  slowest: {result.slowest[0]:.1f} s, {result.slowest[1]}",
                  flush=True)
    return rows


def summary(tables):
    print(f"\n== summary (p99 limit {P99_LIMIT_MS / 1000:g} s; {OFFICE_USERS} users is a county "
          f"office) ==\n{HEADER}")
    for name, rows, anchors in tables:
        for (users, result), mark in zip(rows, marks(rows)):
            print_row(name, users, result, anchors.get(users) if anchors else None, mark)
    print("\nzero errors at", OFFICE_USERS, "users:")
    for name, rows, _anchors in tables:
        at = dict(rows).get(OFFICE_USERS)
        if at is not None and not name.endswith("(anchor)"):
            print(f"  {name:<22}{'yes' if at.errors == 0 else f'NO ({at.errors} errors)'}")


def configuration(env):
    """gunicorn's settings as gisplan/gunicorn.conf.py resolves them in `env`."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        conf = runpy.run_path(str(CONFIG))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    keys = ("bind", "worker_class", "workers", "threads", "timeout", "graceful_timeout",
            "keepalive", "max_requests", "max_requests_jitter", "preload_app")
    return ", ".join(f"{key}={conf[key]}" for key in keys)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per level")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)))
    parser.add_argument("--scenarios", default="portal,static,layers,analysis,suitability")
    parser.add_argument("--no-anchors", action="store_true")
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",")]
    scenarios = args.scenarios.split(",")
    unknown = set(scenarios) - {"portal", "static", "layers", "analysis", "suitability"}
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    # The raw SQL anchor's queries are bench/portal.py's; it sets Django up (default settings,
    # for the database address only).
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import psycopg2  # noqa: E402
    from django.conf import settings  # noqa: E402
    from portal import raw_sql  # noqa: E402

    db = settings.DATABASES["default"]

    def connect():
        return psycopg2.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"],
                                host=db["HOST"], port=db["PORT"] or None)

    started = time.monotonic()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="gisplan-load-") as folder:
        folder = Path(folder)
        env = production_env(folder)
        print(f"cores: {os.cpu_count()}; load average before: "
              f"{' '.join(f'{x:.2f}' for x in load_before)}")
        print(f"database: {db['NAME']} at {db['HOST']}:{db['PORT'] or 5432}; "
              f"{args.duration:g} s per level; levels {levels}")
        print(f"gunicorn: {configuration(env)}")
        subprocess.run([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v", "0"],
                       cwd=ROOT, env=env, check=True)
        tables = []
        print(HEADER)

        # Anchors first, with no gunicorn holding database connections (max_connections 100).
        sql_anchor = {}
        if "layers" in scenarios and not args.no_anchors:
            queries = {name: raw_sql(name) for name in LAYER_NAMES}
            rows = measure("layers (anchor)", lambda: SqlUser(connect, queries), LAYER_NAMES,
                           levels, args.duration)
            sql_anchor = dict(rows)
            tables.append(("layers (anchor)", rows, None))
        static_anchor_rows = {}
        static_paths = []
        server = None
        try:
            server = Server(env, "gisplan.wsgi", folder / "gunicorn.log")
            server.wait_ready("/accounts/login/")
            official = sign_in(server.port, *OFFICIAL)
            analyst = sign_in(server.port, *ANALYST)
            status, html = _page(server.port, official)
            static_paths = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html)))
            if status != 200 or not static_paths:
                sys.exit(f"the portal answered {status} with {len(static_paths)} static files")

            if "static" in scenarios and not args.no_anchors:
                server.stop()  # one server at a time on the machine
                anchor = Server({**env, "BENCH_STATIC_ROOT": str(folder / "static")},
                                "load:static_anchor", folder / "anchor.log",
                                extra=("--pythonpath", str(Path(__file__).resolve().parent)))
                try:
                    anchor.wait_ready(static_paths[0])
                    rows = measure("static (anchor)", lambda: HttpUser(anchor.port, ""),
                                   static_paths, levels, args.duration)
                finally:
                    anchor.stop()
                static_anchor_rows = dict(rows)
                tables.append(("static (anchor)", rows, None))
                server = Server(env, "gisplan.wsgi", folder / "gunicorn2.log")
                server.wait_ready("/accounts/login/")
                official = sign_in(server.port, *OFFICIAL)
                analyst = sign_in(server.port, *ANALYST)

            port = server.port
            if "portal" in scenarios:
                # A first view: the page, its scripts and styles, the offline basemap.
                paths = ["/", *static_paths, "/basemap.jpg"]
                rows = measure("portal (page+files)", lambda: HttpUser(port, official), paths,
                               levels, args.duration)
                tables.append(("portal (page+files)", rows, None))
            if "static" in scenarios:
                rows = measure("static (whitenoise)", lambda: HttpUser(port, ""), static_paths,
                               levels, args.duration, static_anchor_rows)
                tables.append(("static (whitenoise)", rows, static_anchor_rows))
            if "layers" in scenarios:
                paths = [f"/api/layers/{name}/" for name in LAYER_NAMES]
                rows = measure("layers", lambda: HttpUser(port, official), paths, levels,
                               args.duration, sql_anchor)
                tables.append(("layers", rows, sql_anchor))
            if "analysis" in scenarios:
                rows = measure("analysis", lambda: HttpUser(port, analyst), ANALYSES, levels,
                               args.duration)
                tables.append(("analysis", rows, None))
            if "suitability" in scenarios:
                # The first run of each industry derives the criteria; not measured.
                user = HttpUser(port, analyst)
                first = time.perf_counter()
                status, _size, _again = user.get(SUITABILITY[0])
                user.close()
                print(f"{'':<22}first suitability run (derives the criteria): {status}, "
                      f"{time.perf_counter() - first:.1f} s", flush=True)
                rows = measure("suitability", lambda: HttpUser(port, analyst), SUITABILITY,
                               [n for n in SUITABILITY_LEVELS], args.duration,
                               warm=len(SUITABILITY) * 1.5)
                tables.append(("suitability", rows, None))
        finally:
            if server is not None:
                server.stop()
                log = Path(server.log_path).read_text(errors="replace")
                worries = [line for line in log.splitlines()
                           if any(w in line for w in ("ERROR", "CRITICAL", "WORKER TIMEOUT",
                                                      "Traceback"))]
                if worries:
                    print("\ngunicorn's log:\n" + "\n".join(worries[-20:]))
        summary(tables)
        restarts = sum(Path(p).read_text(errors="replace").count("Autorestarting worker")
                       for p in folder.glob("gunicorn*.log"))
        print(f"\nworkers replaced by max_requests during the run: {restarts}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"total {time.monotonic() - started:.0f} s")
    print("The client runs on the same cores as the server, and anything else running on the "
          "machine moves these figures.")


def _page(port, cookie):
    """The portal's status and HTML."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/", headers={"Cookie": cookie})
    response = connection.getresponse()
    html = response.read().decode()
    connection.close()
    return response.status, html


if __name__ == "__main__":
    main()
