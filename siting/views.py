"""The siting page /analysis/siting/: where an industry fits, its candidate sites and conflicts."""
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from layers.models import Industry, Zone
from layers.regions import county_of
from layers.roles import RUN_ANALYSIS

from .api import SAVE_PERMISSION
from .page_map import siting_map


@permission_required(RUN_ANALYSIS, raise_exception=True)
def siting_page(request):
    """Choose an industry and a zone; the page asks /api/analysis/suitability/ and draws it."""
    county = county_of(request)
    zones = Zone.objects.of_county(county).in_force()
    chosen = {"industry": request.GET.get("industry", ""), "zone": request.GET.get("zone", "")}
    can_save = request.user.has_perms([RUN_ANALYSIS, SAVE_PERMISSION])
    return render(request, "siting/siting.html", {
        "kinds": Industry.Kind.choices, "zones": [(z.code, z.name) for z in zones],
        "chosen": chosen, "can_save": can_save,
        "frame": siting_map(county, chosen, can_save, request.user.is_staff,
                            {z.code: z.preferred_industries for z in zones}),
    })
