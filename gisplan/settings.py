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

# Geometries are stored in a projected CRS in metres (EPSG:4546, CGCS2000 / 3-degree
# Gauss-Kruger CM 111E, for the sample county); layers.checks verifies the choice.
STORAGE_SRID = _env_int("GISPLAN_SRID", 4546)
# An optional online basemap for the portal, off unless set, e.g. Tianditu with a key:
# GISPLAN_TILE_URL=https://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk=KEY
TILE_URL = os.environ.get("GISPLAN_TILE_URL", "")
TILE_ATTRIBUTION = os.environ.get("GISPLAN_TILE_ATTRIBUTION", "")
TILE_SUBDOMAINS = os.environ.get("GISPLAN_TILE_SUBDOMAINS", "")
# Rasters (DEM, land cover, hillshade, analysis outputs) live under this folder.
DATA_DIR = Path(os.environ.get("GISPLAN_DATA_DIR", BASE_DIR / "var")).resolve()
# The village exit modules and their thresholds (analysis/exit_rules.toml describes the format).
EXIT_RULES = Path(os.environ.get("GISPLAN_EXIT_RULES", BASE_DIR / "analysis" / "exit_rules.toml"))
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
    "layers",
    "plans",
    "access",
    "siting",
    "assessment",
    "maps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gisplan.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # who changed a zone
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
STATIC_ROOT = DATA_DIR / "static"

# GDAL on Debian 12 is 3.6, older than the 3.9 that Django wants for parsing untrusted spatial
# references (gis.W001). gisplan accepts spatial references from users only as EPSG codes.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
