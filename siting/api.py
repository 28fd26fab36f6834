"""The siting endpoints under /api/analysis/: where an industry fits, its surface as a COG or
a map image, and saving a candidate as a proposed industry (planners). Errors are JSON
{"error": "..."}: 400 bad options, 401 anonymous, 403 without the role, 409 a stale site."""
import json
from functools import wraps

import pyproj
import shapely
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from access.api import PERMISSION, NumpyEncoder, analysis_endpoint, error

from analysis.suitability import GridMismatch, ProfileError

from .criteria import MissingData
from .overlay import surface_png
from .runs import BadOptions, SitingOptions, StaleSite, run_siting, save_site, surface_path

SAVE_PERMISSION = "layers.add_industry"


def siting_options(params):
    """SitingOptions from query parameters (industry, zone, top)."""
    if not params.get("industry"):
        raise BadOptions(_("give the industry type: ?industry=..."))
    top = params.get("top") or None
    if top is not None:
        try:
            top = int(top, 10)
        except ValueError:
            raise BadOptions(_("top must be a whole number")) from None
    return SitingOptions(params["industry"], params.get("zone") or None,
                         SitingOptions.top if top is None else top).checked()


def siting_data(run):
    """The run as JSON-ready data: the figures, the sites (lon/lat GeoJSON) and the checks."""
    to_lonlat = pyproj.Transformer.from_crs(run.surface.grid.crs, 4326, always_xy=True)
    query = f"industry={run.options.industry}" + (f"&zone={run.options.zone}" if run.options.zone
                                                  else "")
    return {
        "summary": run.summary(), "industry": run.options.industry, "zone": run.options.zone,
        "threshold": run.profile.threshold, "min_area_ha": run.profile.min_area / 1e4,
        "intended_zones": run.intended, "zones": run.zone_rows(), "villages": run.village_rows(),
        "excluded": run.excluded_rows(), "sensitivity": run.sensitivity_rows(),
        "existing": run.existing_rows(),
        "sites": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": row["id"], "properties": row,
             "geometry": shapely.geometry.mapping(shapely.transform(
                 site.geometry, to_lonlat.transform, interleaved=False))}
            for row, site in zip(run.site_rows(), run.sites)]},
        "surface": {"png": reverse("siting_api:surface_png") + "?" + query,
                    "tif": reverse("siting_api:suitability") + "?format=tif&" + query},
    }


def refusals(view):
    """The county's data or profiles refusing the analysis (a layer missing, rasters off one
    grid, a broken profile file) as a 400 with the reason."""
    @wraps(view)
    def checked(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (MissingData, GridMismatch, ProfileError) as problem:
            return error(400, str(problem))
    return checked


@analysis_endpoint
@refusals
@gzip_page
def suitability(request):
    """Where an industry fits (?industry=...&zone=E&top=10); ?format=geojson gives the sites,
    ?format=tif the surface as a cloud-optimised GeoTIFF."""
    fmt = request.GET.get("format") or "json"
    if fmt not in ("json", "geojson", "tif"):
        raise BadOptions(_("format is json, geojson or tif"))
    run = run_siting(siting_options(request.GET))
    if fmt == "tif":
        return FileResponse(open(run.surface.path, "rb"), content_type="image/tiff",
                            as_attachment=True, filename=_filename(run.options, "tif"))
    data = siting_data(run)
    if fmt == "geojson":
        response = JsonResponse(data["sites"], json_dumps_params={"ensure_ascii": False},
                                content_type="application/geo+json")
        response["Content-Disposition"] = \
            f'attachment; filename="{_filename(run.options, "sites.geojson")}"'
        return response
    return JsonResponse(data, encoder=NumpyEncoder,
                        json_dumps_params={"ensure_ascii": False, "allow_nan": False})


@analysis_endpoint
@refusals
def surface(request):
    """The surface of ?industry=...&zone=... as a PNG for the map; its bounds (south, west,
    north, east in degrees) in the X-Bounds header."""
    options = siting_options(request.GET)
    path = surface_path(options)
    if not path.exists():
        path = run_siting(options).surface.path
    png, bounds = surface_png(path)
    response = HttpResponse(png, content_type="image/png")
    response["X-Bounds"] = json.dumps(bounds)
    return response


@login_not_required  # answers 401 itself
@require_POST
@refusals
def save(request):
    """Save a candidate site as a proposed industry: JSON {industry, zone, site, name}."""
    if not request.user.is_authenticated:
        return error(401, _("sign in first"))
    if not request.user.has_perms([PERMISSION, SAVE_PERMISSION]):
        return error(403, _("only planners place industries"))
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return error(400, _("the body is not JSON"))
    if not isinstance(body, dict):
        return error(400, _("the body is a JSON object"))
    name = str(body.get("name") or "").strip()
    if "\x00" in name:
        return error(400, _("the name must not contain the NUL character"))
    if not name or len(name) > 100:
        return error(400, _("give the new industry a name of at most 100 characters"))
    if not isinstance(body.get("site"), str):
        return error(400, _("give the candidate site's id"))
    try:
        options = siting_options({k: str(v) for k, v in body.items()
                                  if k in ("industry", "zone") and v is not None})
        industry = save_site(options, body["site"], name)
    except BadOptions as problem:
        return error(400, str(problem))
    except StaleSite as problem:
        return error(409, str(problem))
    return JsonResponse({"id": industry.pk, "name": industry.name, "kind": industry.kind,
                         "status": industry.status,
                         "zone": industry.zone.code if industry.zone else None,
                         "admin": reverse("admin:layers_industry_change", args=[industry.pk])},
                        status=201, json_dumps_params={"ensure_ascii": False})


def _filename(options, suffix):
    return f"suitability-{options.industry}-{options.zone or 'all'}.{suffix}"
