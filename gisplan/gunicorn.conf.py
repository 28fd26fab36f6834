"""gunicorn's configuration for production (`make serve`), read from the environment.

    .venv/bin/gunicorn --config gisplan/gunicorn.conf.py gisplan.wsgi

Django's own settings come from the environment too (gisplan/settings.py): GISPLAN_DEBUG=0 and
GISPLAN_SECRET_KEY are required here. The defaults below were chosen with bench/load.py on two
cores (README.md, "Running in production").
"""
import os


def _int(name, default):
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {value!r}") from None


if os.environ.get("GISPLAN_DEBUG", "1") != "0":
    raise SystemExit("gunicorn serves gisplan in production: set GISPLAN_DEBUG=0 and "
                     "GISPLAN_SECRET_KEY (README.md, \"Running in production\")")

CORES = os.cpu_count() or 1

# Where to listen. Loopback by default: a reverse proxy (nginx) or the office's own port
# forwarding faces the network. GISPLAN_BIND=0.0.0.0:8000 listens on every address;
# several addresses are separated by commas.
bind = os.environ.get("GISPLAN_BIND", "127.0.0.1:8000").split(",")

# Threaded workers: the layer endpoints wait on PostGIS and the analyses spend much of their time
# in numpy, scipy, GDAL and HiGHS, which release the GIL, so threads overlap that at a fraction
# of a process's memory, while several processes use every core for the Python parts (the
# assessment, templates, JSON). A worker's heartbeat comes from its main loop, not from its
# requests, so a long analysis on one thread does not get the worker killed (see timeout).
worker_class = "gthread"

# Processes: one per core (at least two, so that a process busy in Python never holds up every
# request); GISPLAN_THREADS requests run at once in each. On two cores 2 × 8 served the layers
# and analyses as fast as or faster than 3 × 4, 5 × 2, 5 × 4, 2 × 4, 2 × 16 and 3 × 8 did
# (bench/load.py; throughput is bound by the cores, more processes only add memory and CPU
# contention). 16 threads take most of a county office's 20 users at once, the rest wait a
# moment in the listen queue. Every thread keeps its own
# database connection (CONN_MAX_AGE): workers × threads must stay well under PostgreSQL's
# max_connections (100), which the job worker and the admins share.
workers = _int("GISPLAN_WORKERS", max(2, CORES))
threads = _int("GISPLAN_THREADS", 8)

# A worker whose main loop has been silent this long is killed and replaced: a wedged process,
# not a slow request (see worker_class). Longer than the slowest analysis anyway (a location
# model stops at its 60-second time limit; a first suitability run derives its criteria).
timeout = _int("GISPLAN_TIMEOUT", 120)

# On a restart (HUP, max_requests, shutdown) a worker's requests in flight get this long to
# finish before it is killed: long enough for a location model's 60-second time limit.
graceful_timeout = _int("GISPLAN_GRACEFUL_TIMEOUT", 90)

# Seconds an idle browser connection is kept open for its next request: the portal fetches a
# page, its scripts and eight layers in a burst. Raise it behind a proxy that keeps connections.
keepalive = _int("GISPLAN_KEEPALIVE", 5)

# Each worker is replaced after this many requests (plus up to the jitter, so that they are not
# all replaced at once): a suitability run leaves a worker at 650-900 MB resident (GDAL's block
# cache, numpy's arenas), which a new worker gives back. Not fewer: a replacement costs about a
# second of a worker (it finishes its requests, its kept-alive connections linger up to 2 s),
# and at 1000 the static files were served at a third of the rate they are at 0.
max_requests = _int("GISPLAN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GISPLAN_MAX_REQUESTS_JITTER", 500)

# The access log (one line per request) goes to stdout with GISPLAN_ACCESS_LOG=1; off by
# default, a reverse proxy usually keeps one. Errors and worker restarts go to stderr.
accesslog = "-" if os.environ.get("GISPLAN_ACCESS_LOG", "0") == "1" else None
errorlog = "-"
loglevel = os.environ.get("GISPLAN_LOG_LEVEL", "info")

# Workers' heartbeat files in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# gunicorn's runtime control socket (gunicornc) sits at one path per user by default, which a
# second instance on the machine would take over; off unless a path is given.
control_socket = os.environ.get("GISPLAN_CONTROL_SOCKET", "gunicorn.ctl")
control_socket_disable = not os.environ.get("GISPLAN_CONTROL_SOCKET")

# The application, and every view with it (numpy, scipy, GDAL, HiGHS), is imported once in the
# master before the workers are forked (see when_ready): a worker then starts in milliseconds
# instead of 2 to 3 seconds of CPU each time max_requests replaces one (at max_requests=1000,
# static files went from about 300 to 950 requests/s with it). Django opens no database
# connection at import, so none is shared across the fork.
# The price: `kill -HUP` does not load new code; restart the service after an upgrade.
# GISPLAN_PRELOAD=0 imports the application in each worker instead.
preload_app = os.environ.get("GISPLAN_PRELOAD", "1") == "1"

# X-Forwarded-* headers are believed only from a proxy on this machine (gunicorn's default);
# GISPLAN_BEHIND_PROXY tells Django to read X-Forwarded-Proto (settings.py).
forwarded_allow_ips = os.environ.get("GISPLAN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "gisplan"


def _import_views():
    """Import every view now: Django reads the URLconf on first use, which would otherwise make
    a worker's first request about a second slower. Not for an application other than
    Django's (the bench's static anchor)."""
    from django.apps import apps
    from django.urls import get_resolver

    if apps.ready:
        get_resolver().url_patterns  # noqa: B018 (reading the patterns imports every view)


def when_ready(server):
    """In the master, after the application is loaded and before any worker is forked."""
    if server.cfg.preload_app:
        _import_views()


def post_worker_init(worker):
    """In a worker, before its first request (the views are there already when preloaded)."""
    if not worker.cfg.preload_app:
        _import_views()
