from django.http import FileResponse, Http404
from django.shortcuts import render

from layers.models import RasterLayer

from .figures import county_figures


def home(request):
    county, rows = county_figures()
    return render(request, "maps/home.html", {"county": county, "rows": rows})


def basemap(request):
    """The offline basemap image (a PNG in EPSG:3857) rendered from the county's own DEM."""
    layer = RasterLayer.objects.filter(kind=RasterLayer.Kind.BASEMAP).first()
    if layer is None:
        raise Http404("no basemap has been loaded")
    try:
        return FileResponse(open(layer.path, "rb"), content_type="image/png")
    except FileNotFoundError:
        raise Http404("the basemap file is missing; run load_sample") from None
