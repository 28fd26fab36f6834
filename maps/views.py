"""The map portals: a county (or one zone of its plan in force) with its figures, and a region's
counties."""
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from layers.models import County, Zone
from layers.regions import county_of, region_of
from layers.roles import VIEW_DATA

from .portal import portal_context
from .region import region_context


@permission_required(VIEW_DATA, raise_exception=True)
def portal(request, code=None):
    """The map portal: the county (or one zone of the plan in force) with its figures."""
    if not County.objects.exists():
        if code:
            raise Http404("no county is loaded")
        return render(request, "maps/portal.html", {"county": None})
    county = county_of(request)
    zone = get_object_or_404(Zone.objects.of_county(county).in_force().defer("boundary"),
                             code=code) if code else None
    return render(request, "maps/portal.html", portal_context(county, zone))


@permission_required(VIEW_DATA, raise_exception=True)
def region(request):
    """The region portal: the counties of the user's region (a city, the province) on the map
    and in a table, each leading to its own portal."""
    return render(request, "maps/region.html", region_context(region_of(request.user)))
