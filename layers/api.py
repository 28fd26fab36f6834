"""GeoJSON layer endpoints: /api/layers/<name>/?bbox=west,south,east,north&<filters>&q=<search>.

Each layer is declared as data (LAYERS). Answers are RFC 7946 FeatureCollections in lon/lat,
gzipped; bad parameters get a 400 with the reason, an anonymous caller a 401, a role without the
layer's view permission a 403 (gisplan/api.py).
"""
import dataclasses
import math
from dataclasses import dataclass, field

from django.contrib.gis.geos import Polygon
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page

from analysis.exit import assess
from gisplan.api import NotFound, Refusal, answer, endpoint, require, without_nul

from . import rasters
from .arrays import exit_columns
from .exit_criteria import EXIT_ASSESSED, criterion_label, exit_rules
from .geojson import feature_collection, geometry_sql
from .models import County, Industry, ProtectedArea, River, Road, ServiceCenter, Town, Village, Zone
from .naming import village_label
from .regions import county_of
from .roles import VIEW_DATA, view_permission

CACHE_SECONDS = 60  # the map refetches a layer at most this often; edits show within a minute

MAX_SEARCH_RESULTS = 20


@dataclass(frozen=True)
class Layer:
    model: type
    geometry: str
    properties: dict  # output name -> field lookup
    filters: dict = field(default_factory=dict)  # query parameter -> field lookup
    search: tuple = ()  # lookups that `q` matches
    labels: tuple = ()  # choice fields that also get a `<name>_label` property
    in_force_only: bool = False
    extra: object = None  # rows -> one dict of more properties per row, in order
    computed: dict = field(default_factory=dict)  # name -> a function giving its expression

    def queryset(self, region):
        """The layer's rows in `region` (a province, city or county code; "": every county)."""
        rows = self.model.objects.in_region(region)
        rows = rows.in_force() if self.in_force_only else rows
        return rows.annotate(**{name: expression() for name, expression in self.computed.items()})

    @property
    def permission(self):
        return view_permission(self.model)


def village_exit_properties(rows):
    """Incidence and, for a village the exit assessment covers, the criteria of each module
    that it fails (None for the others), in `rows` order."""
    columns = exit_columns(rows)
    assessed = rows.annotate(_assessed=ExpressionWrapper(EXIT_ASSESSED, output_field=BooleanField()))
    modules = [exit_rules().modules[name] for name in ("standard", "demonstration")]
    results = [assess(module, columns) for module in modules]
    criteria = [[str(criterion_label(c)) for c in module.criteria] for module in modules]
    for i, (incidence, covered) in enumerate(zip(columns["incidence"],
                                                  assessed.values_list("_assessed", flat=True))):
        failed = [[label for label, ok in zip(labels, result.met[i]) if not ok] if covered else None
                  for labels, result in zip(criteria, results)]
        yield {
            "incidence": None if math.isnan(incidence) else round(float(incidence), 4),
            "exit_assessed": covered, "standard_failed": failed[0], "demonstration_failed": failed[1],
        }


LAYERS = {
    "county": Layer(County, "web_boundary", {"name": "name", "adcode": "adcode",
                                             "synthetic": "synthetic"}),
    "towns": Layer(Town, "web_boundary", {"code": "code", "name": "name", "kind": "kind"},
                   labels=("kind",)),
    "zones": Layer(Zone, "web_boundary", {"code": "code", "name": "name", "theme": "theme",
                                          "color": "color", "plan": "plan__name"},
                   filters={"code": "code"}, in_force_only=True),
    # `label` is how pages show a village: its name, and its town where the name repeats.
    "villages": Layer(Village, "web_boundary", {
        "code": "code", "name": "name", "label": "label", "kind": "kind", "town": "town__name",
        "zone": "zone__name", "zone_code": "zone__code", "households": "households",
        "population": "population", "poor_households": "poor_households",
        "poor_population": "poor_population", "exit_status": "exit_status",
        "exit_year": "exit_year"},
        filters={"zone": "zone__code", "town": "town__code", "exit_status": "exit_status"},
        search=("name__icontains", "code__startswith"), labels=("exit_status", "kind"),
        extra=village_exit_properties, computed={"label": village_label}),
    "centers": Layer(ServiceCenter, "location", {
        "kind": "kind", "name": "name", "status": "status", "capacity": "capacity",
        "zone": "zone__name"}, filters={"kind": "kind", "status": "status", "zone": "zone__code"},
        search=("name__icontains",), labels=("kind", "status")),
    "industries": Layer(Industry, "location", {
        "kind": "kind", "name": "name", "status": "status", "zone": "zone__name",
        "poor_households_driven": "poor_households_driven",
        "investment_10k_yuan": "investment_10k_yuan"},
        filters={"kind": "kind", "status": "status", "zone": "zone__code"},
        search=("name__icontains",), labels=("kind", "status")),
    "roads": Layer(Road, "geometry", {"name": "name", "road_class": "road_class",
                                      "speed_kmh": "speed_kmh", "oneway": "oneway"},
                   filters={"class": "road_class"}, labels=("road_class",)),
    "rivers": Layer(River, "geometry", {"name": "name"}),
    "protected_areas": Layer(ProtectedArea, "boundary", {"kind": "kind", "name": "name"},
                             filters={"kind": "kind"}, labels=("kind",)),
}


def parse_bbox(text):
    """'west,south,east,north' in degrees -> a Polygon in EPSG:4326."""
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise Refusal(_("bbox must be four numbers: west,south,east,north (degrees)")) from None
    if not all(map(math.isfinite, (west, south, east, north))):
        raise Refusal(_("bbox must be finite numbers"))
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise Refusal(_("bbox must be west,south,east,north in degrees, west < east and south < north"))
    box = Polygon.from_bbox((west, south, east, north))
    box.srid = 4326
    return box


def county_area(county):
    """The county's extent in lon/lat with a degree of margin: boxes are cut to it, because a
    box far larger than the county cannot be projected into the storage CRS faithfully."""
    if county.web_boundary is None:
        return None
    west, south, east, north = county.web_boundary.extent
    box = Polygon.from_bbox((west - 1, south - 1, east + 1, north + 1))
    box.srid = 4326
    return box


def select(layer, params, county):
    """The layer's rows in `county` narrowed by the request's parameters."""
    rows = layer.queryset(county.adcode)
    without_nul(params)
    if params.get("bbox"):
        box, area = parse_bbox(params["bbox"]), county_area(county)
        box = box.intersection(area) if area else box
        if box.empty:
            return rows.none()
        box.srid = 4326
        rows = rows.filter(**{f"{layer.geometry}__intersects": box})
    for parameter, lookup in layer.filters.items():
        if parameter in params:
            rows = rows.filter(**{lookup: params[parameter]})
    if params.get("q"):
        if not layer.search:
            raise Refusal(_("this layer cannot be searched"))
        query = Q()
        for lookup in layer.search:
            query |= Q(**{lookup: params["q"]})
        rows = rows.filter(query)[:MAX_SEARCH_RESULTS]
    return rows


def serialize(layer, rows):
    if not rows.query.is_sliced:
        rows = rows.order_by("pk")  # the same order for the rows and their extra properties
    srid = layer.model._meta.get_field(layer.geometry).srid
    names = ("id", "_geojson", *layer.properties)
    lookups = ("id", "_geojson", *layer.properties.values())
    values = [dict(zip(names, row)) for row in rows.annotate(
        _geojson=geometry_sql(layer.geometry, srid)).values_list(*lookups)]
    return feature_collection(labelled(layer, values), layer.extra(rows) if layer.extra else ())


def labelled(layer, values):
    """The rows (dicts of the layer's properties) with a `<name>_label` for each of its
    choice fields `labels`: the choice's words in the user's language."""
    for name in layer.labels:
        display = {k: str(v) for k, v in layer.model._meta.get_field(name).flatchoices}
        for row in values:
            row[f"{name}_label"] = display.get(row[name], row[name])
    return values


@endpoint("GET")
@gzip_page
def layer_geojson(request, name):
    layer = LAYERS.get(name)
    if layer is None:
        raise NotFound(_("no such layer: %(name)s") % {"name": name})
    require(request.user, layer.permission, _("your role may not view this layer"))
    response = HttpResponse(serialize(layer, select(layer, request.GET, county_of(request))),
                            content_type="application/geo+json")
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    return response


@endpoint("GET", permission=VIEW_DATA)
def raster_value(request, kind):
    """The value of the county's current DEM or land use at ?lon=&lat= (EPSG:4326)."""
    if kind not in rasters.KINDS:
        raise NotFound(_("no such raster: %(kind)s") % {"kind": kind})
    lon, lat = (_coordinate(request, name, limit) for name, limit in (("lon", 180), ("lat", 90)))
    value = rasters.value_at(county_of(request), kind, lon, lat)
    if value is None:
        raise NotFound(_("the county has no %(kind)s raster yet") % {"kind": kind})
    return answer(dataclasses.asdict(value))


def _coordinate(request, name, limit):
    try:
        value = float(request.GET[name])
    except KeyError:
        raise Refusal(_("%(name)s is required") % {"name": name}) from None
    except ValueError:
        raise Refusal(_("%(name)s must be a number of degrees") % {"name": name}) from None
    if not -limit <= value <= limit:
        raise Refusal(_("%(name)s must lie within ±%(limit)d degrees") % {"name": name, "limit": limit})
    return value
