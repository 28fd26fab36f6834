"""The file endpoints: POST /api/import/<kind>/ (multipart) and GET /api/export/<kind>.<format>.

Session authentication as the layer API: an anonymous caller gets 401, a role without the
permissions 403, an unknown layer 404, a bad file or parameter 400 with the reason, all as
{"error": "..."} (gisplan/api.py).
"""
import dataclasses

from django.utils.translation import gettext as _

from gisplan.api import Forbidden, NotFound, Refusal, answer, attachment, endpoint, require

from .datasets import DATASETS
from .exporting import ExportOptions, export_layer
from .forms import ImportForm, RasterImportForm, may_import, may_import_rasters
from .regions import county_of


def dataset(kind):
    if kind not in DATASETS:
        raise NotFound(_("no such layer: %(name)s") % {"name": kind})
    return DATASETS[kind]


def checked_import_form(request, kind):
    """The import form of `kind` filled from the request and the county it imports into,
    checked: 403 for a role that may not import (or, replacing, delete) its rows, 404 for a
    county outside the user's region, 400 with the form's errors."""
    dataset(kind)
    form = ImportForm({**request.POST.dict(), "kind": kind}, request.FILES, kinds=[kind])
    replace = form.fields["replace"].to_python(form.data.get("replace"))  # as the form reads it
    if not may_import(request.user, kind, replace=replace):
        raise Forbidden(_("your role may not import this layer"))
    county = county_of(request)
    return valid(form), county


def valid(form):
    """`form` if it is valid, else refused with its errors in one line."""
    if not form.is_valid():
        raise Refusal("; ".join(f"{name}: {' '.join(messages)}"
                                for name, messages in form.errors.items()))
    return form


def checked_raster_form(request, kind):
    """The raster import form of `kind` from the request and the county it imports into,
    checked: 403 for a role that may not replace the county's rasters, 404 for a county outside
    the user's region, 400 with the form's errors."""
    if not may_import_rasters(request.user):
        raise Forbidden(_("your role may not import the county's rasters"))
    county = county_of(request)
    form = RasterImportForm({**request.POST.dict(), "kind": kind}, request.FILES)
    return valid(form), county


@endpoint("POST")
def import_file(request, kind):
    form, county = checked_import_form(request, kind)
    report = form.run(request.user, county.adcode)
    return answer({**dataclasses.asdict(report), "summary": report.summary()})


@endpoint("GET")
def export_file(request, kind, fmt):
    require(request.user, dataset(kind).permission, _("your role may not view this layer"))
    try:
        srid = int(request.GET["srid"]) if request.GET.get("srid") else None
    except ValueError:
        raise Refusal(_("srid must be an EPSG code (a whole number)")) from None
    name = f"{kind}.{fmt}"
    county = county_of(request).adcode
    return attachment(name, lambda path: export_layer(ExportOptions(kind, path, srid, county)))
