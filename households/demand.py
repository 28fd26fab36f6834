"""Who each kind of service center is for (its target group), and how many of them each village
has: the demand that coverage and location-allocation weigh villages by.

The groups are counted from the household register, over the households on the list today,
where the county keeps a register; a county without one has only its villages' imported
totals, so every group but the registered population falls back to the poor population, and
the label says so.
"""
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Household, Member

ELDERLY_AGE = 60  # 60岁以上: sixty or more this year

GROUPS = {
    "elderly_alone": gettext_lazy("people aged 60 or more living alone"),
    "left_behind_children": gettext_lazy("left-behind children"),
    "relief_recipients": gettext_lazy("低保/特困 recipients and disabled people"),
    "poor_people": gettext_lazy("poor people"),
    "industry_support_households": gettext_lazy("industry-support households"),
    "population": gettext_lazy("the registered population"),
}

# The group each kind of service center (layers.models.ServiceCenter.Kind) serves.
TARGET_GROUP = {
    "elderly_care": "elderly_alone",
    "children_care": "left_behind_children",
    "relief": "relief_recipients",
    "health_check": "poor_people",
    "agri_policy": "industry_support_households",
    "town_health_center": "population",
    "village_clinic": "population",
}


@dataclass(frozen=True)
class Demand:
    """A service's target group and how many of it each village has."""

    group: str  # a key of GROUPS
    weights: np.ndarray  # per village, in the order asked for
    from_register: bool  # counted from households; False: the villages' imported totals

    @property
    def label(self):
        if self.from_register or self.group in ("population", "poor_people"):
            return str(GROUPS[self.group])
        return _("poor people (no household register: %(group)s not counted)") % {
            "group": GROUPS[self.group]}


def _members(households, year):
    """The members of `households` in each group of members, as querysets."""
    members = Member.objects.filter(household__in=households)
    return {
        "elderly_alone": members.filter(lives_alone=True, birth_year__lte=year - ELDERLY_AGE),
        "left_behind_children": members.filter(left_behind_child=True),
        "relief_recipients": members.filter(Q(subsistence=True) | Q(disabled=True)),
        "poor_people": members,
    }


def demand_for(county, villages, service, year=None):
    """The Demand of `service` (a ServiceCenter.Kind value) over `villages` (layers.arrays
    Places of `county`'s villages); ages are counted in `year` (default: this year)."""
    group = TARGET_GROUP[service]
    if group == "population":
        return Demand(group, villages.extra["population"].astype(float), False)
    households = Household.objects.of_county(county).on_list()
    if not Household.objects.of_county(county).exists():
        return Demand(group, villages.extra["poor_population"].astype(float), False)
    if group == "industry_support_households":
        counts = (households.filter(category=Household.Category.INDUSTRY_SUPPORT)
                  .values_list("village").annotate(n=Count("pk")))
    else:
        year = timezone.localdate().year if year is None else year
        counts = (_members(households, year)[group].values_list("household__village")
                  .annotate(n=Count("pk")))
    found = dict(counts.order_by())
    return Demand(group, np.array([found.get(int(pk), 0) for pk in villages.ids], dtype=float),
                  True)
