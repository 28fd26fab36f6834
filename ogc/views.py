"""The OGC API – Features (Part 1 Core, GeoJSON and HTML; Part 2 CRS by reference) under /ogc/:
the landing page, conformance, the collections (ogc.collections), their items and each item.

Every URL answers JSON (GeoJSON for features) or, asked with `f=html` or by a browser, HTML in
the user's language. The same permissions hold as on every other URL: a caller signs in (a
browser's session, or a personal token: tokens/), sees the collections its role may view, and
their features in its region only. A caller without credentials gets a 401 that says how to
authenticate (WWW-Authenticate: Bearer and Basic)."""
import json
import re
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gisplan.api import REFUSALS, Forbidden, NotFound, answer, error, refused
from layers.regions import region_name, region_of
from tokens.authentication import unauthorized

from . import features as found
from .collections import COLLECTIONS
from .parameters import CRS84, EPSG_URI, checked_format, crs_named, crs_uris, items_query

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def ogc_view(view):
    """A GET (or HEAD) of the API: 401 without credentials, refusals as JSON errors."""
    @login_not_required  # answers 401 itself, with the schemes a desktop GIS can use
    @require_safe
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if wants_html(request, request.GET.get("f", "")):  # a browser: its sign-in page
                return redirect_to_login(request.get_full_path())
            return unauthorized(request, _("sign in: send a personal API token (made on your "
                                           "page of API tokens) as 'Authorization: Bearer "
                                           "<token>', or as the password of HTTP Basic"))
        try:
            return view(request, *args, **kwargs)
        except (*REFUSALS, ValidationError) as problem:
            return refused(problem)
        except Http404 as problem:
            return error(404, str(problem) or _("not found"))
    return checked


def wants_html(request, f):
    """HTML if asked with f=html, or by a browser (it accepts HTML and not JSON)."""
    if f:
        return f == "html"
    accept = request.headers.get("Accept", "")
    return HTML in accept and JSON not in accept and GEOJSON not in accept


def link(request, path, rel, media, title="", **query):
    """A link to `path` with `query` (None and "" left out)."""
    params = urlencode({k: v for k, v in query.items() if v not in (None, "")})
    out = {"href": request.build_absolute_uri(path) + (f"?{params}" if params else ""),
           "rel": rel, "type": media}
    if title:
        out["title"] = str(title)
    return out


def both(request, path, **query):
    """The links to this page as JSON (self) and as HTML (alternate)."""
    return [link(request, path, "self", JSON, **query),
            link(request, path, "alternate", HTML, _("this page in HTML"), f="html", **query)]


def page(request, f, template, data, media=JSON, content=None):
    """`data` as HTML (the template) or JSON; `content`, if given, is the JSON already written."""
    if wants_html(request, f):
        response = render(request, f"ogc/{template}", {
            "data": data, "region": region_name(region_of(request.user)) or _("every county")})
    elif content is not None:
        response = HttpResponse(content, content_type=media)
    else:
        response = answer(data, content_type=media)
    patch_vary_headers(response, ["Accept"])
    return response


@ogc_view
def landing(request):
    return page(request, checked_format(request.GET), "landing.html", {
        "title": _("gisplan: the poverty-alleviation spatial plan"),
        "description": _("The layers of the plan and the villages' quarterly figures, as OGC "
                         "API – Features"),
        "links": [*both(request, "/ogc/"),
                  link(request, "/ogc/api", "service-doc", HTML, _("how to use this API")),
                  link(request, "/ogc/conformance", "conformance", JSON, _("conformance")),
                  link(request, "/ogc/collections", "data", JSON, _("collections"))]})


@ogc_view
def api_doc(request):
    checked_format(request.GET)
    return render(request, "ogc/api.html", {
        "collections": [(cid, c, sorted(c.layer.filters)) for cid, c in visible(request.user)],
        "crs": crs_uris(), "base": request.build_absolute_uri("/ogc/")})


@ogc_view
def conformance(request):
    return page(request, checked_format(request.GET), "conformance.html",
                {"conformsTo": CONFORMANCE})


def visible(user):
    return [(cid, c) for cid, c in COLLECTIONS.items() if user.has_perm(c.layer.permission)]


def collection_named(user, cid):
    collection = COLLECTIONS.get(cid)
    if collection is None:
        raise NotFound(_("no such collection: %(id)s") % {"id": cid[:50]})
    if not user.has_perm(collection.layer.permission):
        raise Forbidden(_("your role may not view this layer"))
    return collection


def describe(request, cid, collection, extent):
    base = f"/ogc/collections/{cid}"
    out = {"id": cid, "title": str(collection.title), "itemType": "feature",
           "crs": crs_uris(), "storageCrs": EPSG_URI.format(settings.STORAGE_SRID),
           "extent": {"spatial": {"bbox": [list(extent)] if extent else [], "crs": CRS84}},
           "links": [*both(request, base),
                     link(request, f"{base}/items", "items", GEOJSON, _("the features")),
                     link(request, f"{base}/items", "items", HTML, _("the features in HTML"),
                          f="html")]}
    if collection.temporal:
        first, last = found.quarters_held(collection, region_of(request.user))
        out["extent"]["temporal"] = {"interval": [[first, last]], "trs": GREGORIAN}
    return out


@ogc_view
def collections(request):
    f = checked_format(request.GET)
    extent = found.region_extent(region_of(request.user))
    return page(request, f, "collections.html", {
        "links": both(request, "/ogc/collections"),
        "collections": [describe(request, cid, c, extent) for cid, c in visible(request.user)]})


@ogc_view
def collection(request, cid):
    f = checked_format(request.GET)
    return page(request, f, "collection.html", describe(
        request, cid, collection_named(request.user, cid),
        found.region_extent(region_of(request.user))))


@ogc_view
def items(request, cid):
    chosen = collection_named(request.user, cid)
    query = items_query(request.GET, chosen)
    rows = found.select(chosen, query, region_of(request.user))
    strings = found.features(chosen, rows[query.offset:query.offset + query.limit], query.crs)
    matched = rows.count() if query.offset or len(strings) == query.limit else len(strings)
    base = f"/ogc/collections/{cid}/items"
    kept = {k: v for k, v in request.GET.items() if k not in ("offset", "f")}
    links = [link(request, base, "self", GEOJSON, offset=query.offset or None, **kept),
             link(request, base, "alternate", HTML, _("this page in HTML"), f="html",
                  offset=query.offset or None, **kept),
             link(request, f"/ogc/collections/{cid}", "collection", JSON, chosen.title)]
    if query.offset + len(strings) < matched:
        links.append(link(request, base, "next", GEOJSON, _("next page"),
                          offset=query.offset + query.limit, **kept))
    if query.offset > 0:
        links.append(link(request, base, "prev", GEOJSON, _("previous page"),
                          offset=max(query.offset - query.limit, 0) or None, **kept))
    members = {"timeStamp": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
               "numberMatched": matched, "numberReturned": len(strings), "links": links}
    response = page(request, request.GET.get("f", ""), "items.html",
                    {"title": str(chosen.title), "id": cid, **members,
                     **table(chosen, [json.loads(s) for s in strings])}
                    if wants_html(request, request.GET.get("f", "")) else None,
                    media=GEOJSON, content=found.feature_collection(strings, **members))
    response["Content-Crs"] = f"<{query.crs.uri}>"
    return response


@ogc_view
def item(request, cid, fid):
    chosen = collection_named(request.user, cid)
    checked_format(request.GET, {"f", "crs"})
    crs = crs_named(request.GET.get("crs", ""))
    rows = chosen.layer.queryset(region_of(request.user)).annotate(_key=chosen.key)
    if chosen.numeric_ids:
        rows = rows.filter(_key=int(fid)) if re.fullmatch(r"[0-9]{1,9}", fid) else rows.none()
    else:
        rows = rows.filter(_key=fid) if "\x00" not in fid else rows.none()
    strings = found.features(chosen, rows[:1], crs)
    if not strings:
        raise NotFound(_("no feature %(id)s in %(collection)s") % {"id": fid[:50], "collection": cid})
    feature = json.loads(strings[0])
    path = f"/ogc/collections/{cid}/items/{fid}"
    feature["links"] = [*both(request, path),
                        link(request, f"/ogc/collections/{cid}", "collection", JSON, chosen.title)]
    response = page(request, request.GET.get("f", ""), "items.html", {
        "title": str(chosen.title), "id": cid, "links": feature["links"],
        **table(chosen, [feature])}, media=GEOJSON, content=json.dumps(feature, ensure_ascii=False))
    response["Content-Crs"] = f"<{crs.uri}>"
    return response


def table(collection, features):
    """The features as the HTML page's table: its column titles and a row of values each."""
    columns = found.columns(collection)
    return {"titles": [title for _name, title in columns],
            "rows": [(f["id"], [f["properties"].get(name) for name, _title in columns])
                     for f in features]}
