"""The siting page /analysis/siting/: where an industry fits, its candidate sites and conflicts."""
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import reverse

from access.api import PERMISSION
from layers.models import Industry, Zone
from maps.views import basemaps

from .api import SAVE_PERMISSION


@permission_required(PERMISSION, raise_exception=True)
def siting_page(request):
    """Choose an industry and a zone; the page asks /api/analysis/suitability/ and draws it."""
    zones = Zone.objects.in_force()
    return render(request, "siting/siting.html", {
        "kinds": Industry.Kind.choices,
        "zones": [(z.code, z.name) for z in zones],
        "chosen": {"industry": request.GET.get("industry", ""), "zone": request.GET.get("zone", "")},
        "config": {**basemaps(),
                   "can_save": request.user.has_perms([PERMISSION, SAVE_PERMISSION]),
                   "preferred": {z.code: z.preferred_industries for z in zones},
                   "urls": {"suitability": reverse("siting_api:suitability"),
                            "save": reverse("siting_api:save"),
                            "county": reverse("layers:layer", args=["county"]),
                            "zones": reverse("layers:layer", args=["zones"])}},
    })
