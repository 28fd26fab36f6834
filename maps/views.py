"""The map portal: the county, or one zone of the plan in force, with its figures."""
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from layers.models import County, Zone
from layers.roles import VIEW_DATA

from .portal import portal_context


@permission_required(VIEW_DATA, raise_exception=True)
def portal(request, code=None):
    """The map portal: the county (or one zone of the plan in force) with its figures."""
    county = County.objects.defer("boundary").default()
    if county is None:
        if code:
            raise Http404("no county is loaded")
        return render(request, "maps/portal.html", {"county": None})
    zone = get_object_or_404(Zone.objects.of_county(county).in_force().defer("boundary"),
                             code=code) if code else None
    return render(request, "maps/portal.html", portal_context(county, zone))
