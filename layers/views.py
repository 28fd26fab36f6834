"""The data page: planners upload a file into a layer; every role downloads each layer in each
format. The basemap image for every map."""
import os
from datetime import datetime, timezone

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import condition

from gisplan.api import REFUSALS

from .basemap import basemap_layer
from .datasets import DATASETS
from .exporting import FORMATS
from .forms import ImportForm, RasterImportForm, may_import, may_import_rasters
from .models import RasterLayer
from .regions import county_of
from .rasters import KINDS, grid_description
from .roles import VIEW_DATA


def import_form(request):
    """The import form, filled from a POST, with the layers the user may import into (None
    when there are none)."""
    kinds = [kind for kind in DATASETS if may_import(request.user, kind)]
    return ImportForm(request.POST or None, request.FILES or None, kinds=kinds) if kinds else None


def replace_refused(request, data):
    """Why the user may not replace the rows of the layer the form names, or None."""
    if data["replace"] and not may_import(request.user, data["kind"], replace=True):
        return _("your role may not delete the rows of this layer, as replacing them would")
    return None


def data_page_response(request, form, report=None, refusal=None, status=200, raster_form=None):
    if raster_form is None and may_import_rasters(request.user):
        raster_form = RasterImportForm()
    downloads = [(dataset.model._meta.verbose_name_plural,
                  [(fmt, reverse("layers:export", args=[kind, fmt[1:]])) for fmt in FORMATS])
                 for kind, dataset in DATASETS.items() if request.user.has_perm(dataset.permission)]
    county = county_of(request)
    rasters = RasterLayer.objects.of_county(county).filter(kind__in=KINDS).order_by("kind")
    return render(request, "layers/data.html", {"form": form, "report": report,
                                                "refusal": refusal, "downloads": downloads,
                                                "raster_form": raster_form, "rasters": rasters,
                                                "grid": grid_description(county)},
                  status=status)


@permission_required(VIEW_DATA, raise_exception=True)  # every role holds it
def data_page(request):
    form, report, refusal = import_form(request), None, None
    if form is not None and form.is_bound and form.is_valid():
        refusal = replace_refused(request, form.cleaned_data)
        if refusal is None:
            try:
                report = form.run(request.user, county_of(request).adcode)
            except REFUSALS as problem:
                refusal = str(problem)
    return data_page_response(request, form, report, refusal)


def _basemap_asked(request):
    """The basemap image the URL names (`?v=`, one of the county's images), else the county's."""
    county, version = county_of(request), request.GET.get("v", "")
    if version.isdigit():
        return (RasterLayer.objects.of_county(county)
                .filter(kind=RasterLayer.Kind.BASEMAP, pk=version).first())
    return basemap_layer(county)


def _basemap_modified(request):
    layer = _basemap_asked(request)
    try:
        return datetime.fromtimestamp(os.path.getmtime(layer.path), timezone.utc) if layer else None
    except OSError:
        return None


@permission_required(VIEW_DATA, raise_exception=True)
@condition(last_modified_func=_basemap_modified)
def basemap(request):
    """The offline basemap image (a JPEG in EPSG:3857) rendered from a county's own DEM."""
    layer = _basemap_asked(request)
    if layer is None:
        raise Http404("no basemap has been loaded")
    try:
        response = FileResponse(open(layer.path, "rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise Http404("the basemap file is missing; run load_sample") from None
    response["Cache-Control"] = "private, max-age=86400"
    return response
