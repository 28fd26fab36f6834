"""Regions from the codes, and the county a request acts on.

A county's 6-digit code holds its city (the first 4 digits) and its province (the first 2); a
town's 9 digits and a village's 12 begin with their county's. Every county-level row belongs to
one county (`layers.models.OfCounty`), and a page, API call, command or job acts on one county:
the one it names, or the installation's main county (`settings.DEFAULT_COUNTY`).
"""
from django.http import Http404
from django.utils.translation import gettext as _

from gisplan.api import Refusal

from .models import County

LEVELS = {2: "province", 4: "city", 6: "county", 9: "town", 12: "village"}


def level(code):
    """The level of a region code by its length: province, city, county, town or village."""
    if not code.isdigit() or len(code) not in LEVELS:
        raise Refusal(_("a region code has 2, 4, 6, 9 or 12 digits, not %(code)s") % {"code": code[:20]})
    return LEVELS[len(code)]


def county_of(request):
    """The county a page or API call acts on: the installation's main county."""
    county = County.objects.defer("boundary").default()
    if county is None:
        raise Http404(_("no county has been loaded"))
    return county


def county_named(code):
    """The county a command, import or job names by its code (None: the main county)."""
    county = County.objects.filter(adcode=code).first() if code else County.objects.default()
    if county is None:
        raise Refusal(_("no county has the code %(code)s") % {"code": code} if code
                      else _("import the county first: everything else belongs to it"))
    return county
