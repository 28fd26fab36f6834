"""Settings of gisplan: one file, configured from the environment (see README.md)."""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

DEFAULT_DATABASE_URL = "postgis://gisplan:gisplan@127.0.0.1:5432/gisplan"


def _env_int(name, default):
    value = os.environ.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


DEBUG = os.environ.get("GISPLAN_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("GISPLAN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("GISPLAN_SECRET_KEY must be set when GISPLAN_DEBUG=0")
    SECRET_KEY = "insecure-development-key-set-GISPLAN_SECRET_KEY-in-production"
ALLOWED_HOSTS = os.environ.get("GISPLAN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

# Served over HTTPS (directly or behind a proxy that sets X-Forwarded-Proto): cookies only over
# HTTPS, plain HTTP redirected, and browsers told to keep to HTTPS for a year (HSTS). Off on a
# plain-HTTP intranet, where `check --deploy` then warns about exactly these (README.md).
HTTPS = os.environ.get("GISPLAN_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
if os.environ.get("GISPLAN_BEHIND_PROXY", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A sign-in lasts a working day, not Django's two weeks.
SESSION_COOKIE_AGE = _env_int("GISPLAN_SESSION_SECONDS", 10 * 3600)
CSRF_FAILURE_VIEW = "gisplan.errors.csrf_failure"  # JSON under /api/

# Geometries are stored in a projected CRS in metres (EPSG:4546, CGCS2000 / 3-degree
# Gauss-Kruger CM 111E, for the sample county); layers.checks verifies the choice.
STORAGE_SRID = _env_int("GISPLAN_SRID", 4546)
# The installation's main county (its 6-digit code): commands and URLs that name no county act
# on it (Luonan in the sample); without it, on the first county by code.
DEFAULT_COUNTY = os.environ.get("GISPLAN_DEFAULT_COUNTY", "611021")
# An optional online basemap for the portal, off unless set, e.g. Tianditu with a key:
# GISPLAN_TILE_URL=https://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk=KEY
TILE_URL = os.environ.get("GISPLAN_TILE_URL", "")
TILE_ATTRIBUTION = os.environ.get("GISPLAN_TILE_ATTRIBUTION", "")
TILE_SUBDOMAINS = os.environ.get("GISPLAN_TILE_SUBDOMAINS", "")
# Rasters (DEM, land cover, hillshade, analysis outputs) live under this folder.
DATA_DIR = Path(os.environ.get("GISPLAN_DATA_DIR", BASE_DIR / "var")).resolve()
# `manage.py backup` (make backup) writes its dated archives here: the database and the rasters.
# The largest raster `import_raster` takes from the command line; uploads stay within the
# smaller limit of every upload (layers/importing/reading.py).
MAX_RASTER_BYTES = _env_int("GISPLAN_MAX_RASTER_BYTES", 2 * 2**30)
BACKUP_DIR = Path(os.environ.get("GISPLAN_BACKUP_DIR", DATA_DIR / "backups")).resolve()
# The age key (age-keygen) a backup holding personal data is encrypted for; None: unset.
BACKUP_KEY = os.environ.get("GISPLAN_BACKUP_KEY") or None
# The village exit modules and their thresholds (analysis/exit_rules.toml describes the format).
EXIT_RULES = Path(os.environ.get("GISPLAN_EXIT_RULES", BASE_DIR / "analysis" / "exit_rules.toml"))
# The three goals of the plan: their years and the de-listing incidence (assessment/goals.toml).
GOALS = Path(os.environ.get("GISPLAN_GOALS", BASE_DIR / "assessment" / "goals.toml"))
# Where each industry fits (siting/industry_profiles.toml describes the format).
INDUSTRY_PROFILES = Path(os.environ.get("GISPLAN_INDUSTRY_PROFILES",
                                        BASE_DIR / "siting" / "industry_profiles.toml"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "tokens",
    "layers",
    "households",
    "ogc",
    "plans",
    "access",
    "siting",
    "assessment",
    "jobs",
    "batches",
    "backups",
    "maps",
    "data",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files under gunicorn, DEBUG off
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gisplan.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tokens.authentication.TokenAuthenticationMiddleware",  # scripts and desktop GIS
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # who changed a zone
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # answers a locked-out sign-in
]

ROOT_URLCONF = "gisplan.urls"
WSGI_APPLICATION = "gisplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "layers.regions.region_counties",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            engine="django.contrib.gis.db.backends.postgis",
            conn_max_age=60,
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL ({error})") from None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a sign-in while it is locked out
    "layers.regions.RegionBackend",  # Django's permissions, read-only above the county
    "tokens.authentication.TokenBackend",  # a user name and a token: HTTP Basic on /ogc/
]
# Password guessing: five wrong passwords for one user from one address lock that pair out for
# 15 minutes. Not the address alone: a county office shares one address behind its router.
AXES_FAILURE_LIMIT = _env_int("GISPLAN_LOGIN_ATTEMPTS", 5)
AXES_COOLOFF_TIME = _env_int("GISPLAN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Vector tiles are kept in each server process's memory under the version of the layers' data
# (layers/tile_api.py): a change to the data makes every cached tile stale at once.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "tiles": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tiles",
              "TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 5000}},
}

# Long imports and analyses are queued in the database and run by `manage.py run_jobs`. The
# batches (every county of a region on the Dask cluster) wait in a queue of their own, handed to
# the cluster by `manage.py run_jobs --queue-name batches` (make cluster): a batch never holds up
# an import.
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend",
                     "QUEUES": ["default", "batches"]}}
# The Dask scheduler that runs the batches started from the web (make cluster starts one here).
DASK_SCHEDULER = os.environ.get("GISPLAN_DASK_SCHEDULER", "tcp://127.0.0.1:8786")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # filled by `manage.py collectstatic` (make serve does it)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # gzip copies beside each file; no manifest, so templates work before collectstatic too.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# GDAL on Debian 12 is 3.6, older than the 3.9 that Django wants for parsing untrusted spatial
# references (gis.W001). gisplan accepts spatial references from users only as EPSG codes.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
