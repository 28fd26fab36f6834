"""How pages name a village. Names repeat within a county (洛南 has three 王村 and two 王塬村), so
pages, maps and analysis results show a village by its label: its name, with its town in
brackets where another village of the county has the same name, as in 王村（古城镇）.

The label is an expression computed by the database with the rows that show it; the index on
a village's name finds its namesakes.
"""
from django.db.models import Case, CharField, Exists, F, OuterRef, Value, When
from django.db.models.functions import Concat

from .models import Village


def village_label(to_village=""):
    """The label of each row's village: of the row itself in a Village queryset, or of the
    village the row leads to through `to_village` (``"village__"`` for VillagePeriod)."""
    name, town = F(f"{to_village}name"), F(f"{to_village}town__name")
    namesakes = Village.objects.filter(name=OuterRef(f"{to_village}name"),
                                       county=OuterRef(f"{to_village}county")).exclude(
        pk=OuterRef(f"{to_village}pk"))
    return Case(When(Exists(namesakes), then=Concat(name, Value("（"), town, Value("）"),
                                                    output_field=CharField())),
                default=name, output_field=CharField())
