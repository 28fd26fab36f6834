"""The collections of the OGC API – Features: the layers of the layer API (layers.api.LAYERS,
the one declaration of what a layer holds: its rows, properties and filters), and each
village's quarterly figures with its outline (`village_quarters`).

A collection serves its layer's full stored geometry (not the simplified web copy of an
outline), its declared properties with their labels, and its filters as query parameters; not
the properties computed in Python for the map (the villages' exit failures: the exit
assessment's API has them). Each feature is found by its code where the layer has one."""
from dataclasses import dataclass

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from layers.api import LAYERS, Layer
from layers.models import VillagePeriod


@dataclass(frozen=True)
class Collection:
    layer: Layer
    title: object
    key: object  # the expression of a feature's id
    geometry: str = ""  # the stored geometry, if not the layer's
    temporal: bool = False  # a quarter per feature: `datetime` applies

    @property
    def stored_geometry(self):
        return self.geometry or self.layer.geometry

    @property
    def numeric_ids(self):
        return isinstance(self.key, F) and self.key.name == "pk"


VILLAGE_QUARTERS = Layer(VillagePeriod, "village__boundary", {
    "village": "village__code", "name": "village__name", "town": "village__town__name",
    "zone": "village__zone__code", "year": "year", "quarter": "quarter",
    "poor_households": "poor_households", "poor_population": "poor_population",
    "per_capita_income_yuan": "per_capita_income_yuan",
    "poor_per_capita_income_yuan": "poor_per_capita_income_yuan",
    "exited_households": "exited_households", "returned_households": "returned_households",
    "new_households": "new_households", "from_register": "from_register"},
    filters={"village": "village__code", "town": "village__town__code",
             "zone": "village__zone__code", "year": "year", "quarter": "quarter"})


def _text(name):
    return Cast(name, CharField())


COLLECTIONS = {
    "counties": Collection(LAYERS["county"], _("Counties"), F("adcode"), geometry="boundary"),
    "towns": Collection(LAYERS["towns"], _("Towns"), F("code"), geometry="boundary"),
    # A zone's code is its county's own (E, W, ...): with the county's code it names one zone.
    "zones": Collection(LAYERS["zones"], _("Zones of the plan in force"),
                        Concat("plan__county__adcode", Value("-"), "code", output_field=CharField()),
                        geometry="boundary"),
    "villages": Collection(LAYERS["villages"], _("Villages"), F("code"), geometry="boundary"),
    "centers": Collection(LAYERS["centers"], _("Service centers"), F("pk")),
    "industries": Collection(LAYERS["industries"], _("Industries"), F("pk")),
    "roads": Collection(LAYERS["roads"], _("Roads"), F("pk")),
    "rivers": Collection(LAYERS["rivers"], _("Rivers"), F("pk")),
    "protected_areas": Collection(LAYERS["protected_areas"], _("Protected areas"), F("pk")),
    # "612345678901-2017Q2": a village's figures of a quarter.
    "village_quarters": Collection(
        VILLAGE_QUARTERS, _("Villages' quarterly figures"),
        Concat("village__code", Value("-"), _text("year"), Value("Q"), _text("quarter"),
               output_field=CharField()), temporal=True),
}
