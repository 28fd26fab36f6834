"""The siting endpoints under /api/analysis/: where an industry fits, its surface as a COG or
a map image, and saving a candidate as a proposed industry (planners). Errors are JSON
{"error": "..."}: 400 bad options, 401 anonymous, 403 without the role, 409 a stale site
(gisplan/api.py)."""
import json

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.gzip import gzip_page

from gisplan.api import Refusal, answer, content_type, endpoint, json_body
from layers.geojson import collection, feature, lonlat
from layers.rasters import attributions
from layers.regions import county_of
from layers.roles import RUN_ANALYSIS

from .overlay import surface_png
from .runs import SitingOptions, run_siting, save_site, surface_path

DENIED = gettext_lazy("your role may not run analyses")
SAVE_PERMISSION = "layers.add_industry"
FORMATS = ("json", "geojson", "tif")


def siting_options(params, county):
    """SitingOptions of `county` (its code) from query parameters (industry, zone, top)."""
    if not params.get("industry"):
        raise Refusal(_("give the industry type: ?industry=..."))
    top = params.get("top") or None
    if top is not None:
        try:
            top = int(top, 10)
        except ValueError:
            raise Refusal(_("top must be a whole number")) from None
    return SitingOptions(params["industry"], params.get("zone") or None,
                         SitingOptions.top if top is None else top, county).checked()


def siting_data(run):
    """The run as JSON-ready data: the figures, the sites (lon/lat GeoJSON) and the checks."""
    srid = run.surface.grid.crs.to_epsg()
    query = f"industry={run.options.industry}" + (f"&zone={run.options.zone}" if run.options.zone
                                                  else "")
    max_area = run.profile.max_area
    return {
        "summary": run.summary(), "industry": run.options.industry, "zone": run.options.zone,
        "threshold": run.profile.threshold, "min_area_ha": run.profile.min_area / 1e4,
        "max_area_ha": None if max_area is None else max_area / 1e4,
        "intended_zones": run.intended, "zones": run.zone_rows(), "villages": run.village_rows(),
        "excluded": run.excluded_rows(), "sensitivity": run.sensitivity_rows(),
        "existing": run.existing_rows(),
        "sites": collection(feature(lonlat(site.geometry, srid), row, id=row["id"])
                            for row, site in zip(run.site_rows(), run.sites)),
        "surface": {"png": reverse("siting_api:surface_png") + "?" + query,
                    "tif": reverse("siting_api:suitability") + "?format=tif&" + query},
    }


@endpoint("GET", permission=RUN_ANALYSIS, denied=DENIED)
@gzip_page
def suitability(request):
    """Where an industry fits (?industry=...&zone=E&top=10); ?format=geojson gives the sites,
    ?format=tif the surface as a cloud-optimised GeoTIFF."""
    fmt = request.GET.get("format") or "json"
    if fmt not in FORMATS:
        raise Refusal(_("format is json, geojson or tif"))
    run = run_siting(siting_options(request.GET, county_of(request).adcode))
    if fmt == "tif":
        name = _filename(run.options, "tif")
        return FileResponse(open(run.surface.path, "rb"), content_type=content_type(name),
                            as_attachment=True, filename=name)
    data = siting_data(run)
    if fmt == "geojson":
        response = answer(data["sites"], content_type="application/geo+json")
        response["Content-Disposition"] = \
            f'attachment; filename="{_filename(run.options, "sites.geojson")}"'
        return response
    return answer(data)


@endpoint("GET", permission=RUN_ANALYSIS, denied=DENIED)
def surface(request):
    """The surface of ?industry=...&zone=... as a PNG for the map; its bounds (south, west,
    north, east in degrees) in the X-Bounds header."""
    options = siting_options(request.GET, county_of(request).adcode)
    path = surface_path(options)
    if not path.exists():
        path = run_siting(options).surface.path
    png, bounds = surface_png(path, attributions(county_of(request)))
    response = HttpResponse(png, content_type="image/png")
    response["X-Bounds"] = json.dumps(bounds)
    return response


@endpoint("POST", permission=(RUN_ANALYSIS, SAVE_PERMISSION),
          denied=gettext_lazy("only planners place industries"))
def save(request):
    """Save a candidate site as a proposed industry: JSON {industry, zone, site, name}."""
    body = json_body(request)
    name = str(body.get("name") or "").strip()
    if not name or len(name) > 100:
        raise Refusal(_("give the new industry a name of at most 100 characters"))
    if not isinstance(body.get("site"), str):
        raise Refusal(_("give the candidate site's id"))
    asked = {k: str(v) for k, v in body.items() if k in ("industry", "zone") and v is not None}
    options = siting_options(asked, county_of(request).adcode)
    industry = save_site(options, body["site"], name)
    return answer({"id": industry.pk, "name": industry.name, "kind": industry.kind,
                   "status": industry.status, "zone": industry.zone.code if industry.zone else None,
                   "admin": reverse("admin:layers_industry_change", args=[industry.pk])},
                  status=201)


def _filename(options, suffix):
    return f"suitability-{options.industry}-{options.zone or 'all'}.{suffix}"
