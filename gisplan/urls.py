from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from jobs.api import raster_import_job
from layers.tile_api import layer_tile, layer_tilejson
from layers.views import basemap

from . import openapi, site

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Switching the language must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("favicon.ico", site.favicon, name="favicon"),
    path("basemap.jpg", basemap, name="basemap"),
    path("tiles/<slug:name>/<int:z>/<int:x>/<int:y>.pbf", layer_tile, name="tile"),
    path("tiles/<slug:name>.json", layer_tilejson, name="tilejson"),
    path("api/schema/", openapi.openapi_schema, name="schema"),
    path("api/plans/", include("plans.api_urls")),
    path("api/analysis/", include("access.api_urls")),
    path("api/analysis/", include("siting.api_urls")),
    path("api/assessment/", include("assessment.api_urls")),
    path("api/jobs/", include("jobs.api_urls")),
    path("api/batches/", include("batches.api_urls")),
    path("api/households/", include("households.api_urls")),
    # A raster import is always a background job: served by jobs, under the imports' URL.
    path("api/import/raster/<slug:kind>/", raster_import_job, name="raster_import"),
    path("api/", include("layers.urls")),
    path("data/", include("layers.page_urls")),
    path("plan/", include("plans.urls")),
    path("analysis/", include("access.urls")),
    path("analysis/", include("siting.urls")),
    path("assessment/", include("assessment.urls")),
    path("jobs/", include("jobs.urls")),
    path("batches/", include("batches.urls")),
    path("households/", include("households.urls")),
    path("account/tokens/", include("tokens.urls")),
    path("ogc/", include("ogc.urls")),
    path("", include("maps.urls")),
]

handler400 = "gisplan.errors.bad_request"
handler403 = "gisplan.errors.permission_denied"
handler404 = "gisplan.errors.page_not_found"
handler500 = "gisplan.errors.server_error"
