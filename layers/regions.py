"""Regions from the codes, the region a user works in, and the county a request acts on.

A county's 6-digit code holds its city (the first 4 digits) and its province (the first 2); a
town's 9 digits and a village's 12 begin with their county's. Every county-level row belongs to
one county (`layers.models.OfCounty`).

A user works in a region (`UserRegion`): a county's planners, officials and analysts in their
county; a city's or the province's officials and analysts in theirs, where they see every
county below, read-only (`RegionBackend` grants them no permission to change anything); a
superuser everywhere; a user given no region in the installation's main county
(`settings.DEFAULT_COUNTY`). A page or API call acts on one county of the user's region: the one
named by `?county=CODE` (remembered for the session), else the main county if the region holds
it, else its first. A county outside the user's region is not found (404), so that whether it
exists does not leak. Commands, imports, exports and analyses name their county by its code
(`county_named`; none: the main county), and a job keeps the county it was asked for.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from gisplan.api import Refusal

from .models import County, UserRegion

LEVELS = {2: "province", 4: "city", 6: "county", 9: "town", 12: "village"}
# The names of the province and its cities (National Bureau of Statistics, division codes of
# 2023); a county's name is its row's.
NAMES = {"61": "陕西省", "6101": "西安市", "6102": "铜川市", "6103": "宝鸡市", "6104": "咸阳市",
         "6105": "渭南市", "6106": "延安市", "6107": "汉中市", "6108": "榆林市", "6109": "安康市",
         "6110": "商洛市"}
# What a user above the county may do: see, and run analyses (their results change no data).
READ_ONLY = ("view_", "run_")


def level(code):
    """The level of a region code by its length: province, city, county, town or village."""
    if not code.isdigit() or len(code) not in LEVELS:
        raise Refusal(_("a region code has 2, 4, 6, 9 or 12 digits, not %(code)s") % {"code": code[:20]})
    return LEVELS[len(code)]


def region_name(code):
    """The name of a region: a province's or city's, a county's, or "" for every county."""
    if len(code) == 6:
        return County.objects.filter(adcode=code).values_list("name", flat=True).first() or code
    return NAMES.get(code, code)


def region_of(user):
    """The code of the region `user` works in: "" (every county) for a superuser."""
    if not hasattr(user, "_gisplan_region"):
        code = UserRegion.objects.filter(user_id=user.pk).values_list("code", flat=True).first()
        if user.is_superuser:
            code = ""
        elif code is None:
            main = County.objects.default()
            code = main.adcode if main else ""
        user._gisplan_region = code
    return user._gisplan_region


def users_managed_in(code):
    """The users a county's administrator (of county `code`) manages: those who work in it (by
    their region, or in the main county by having none), neither superusers nor administrators."""
    regions = UserRegion.objects.values("user_id")
    works_here = Q(pk__in=regions.filter(code__startswith=code))
    main = County.objects.default()
    if main is not None and main.adcode == code:
        works_here |= ~Q(pk__in=regions)
    return (get_user_model().objects.filter(works_here, is_superuser=False)
            .exclude(groups__name="administrator"))


def counties_of(user):
    """The counties of the region `user` works in (without their full outlines)."""
    return County.objects.defer("boundary").in_region(region_of(user))


def county_of(request):
    """The county a page or API call acts on, in the region of the user (see above)."""
    counties = counties_of(request.user)
    asked = request.GET.get("county", "")
    if asked:
        county = counties.filter(adcode=asked).first()
        if county is None:
            raise Http404(_("no county %(code)s in your region") % {"code": asked[:12]})
        if getattr(request, "session", None) is not None and request.session.session_key:
            request.session["county"] = county.adcode  # a signed-in browser's, never a token's
        return county
    remembered = request.session.get("county", "") if hasattr(request, "session") else ""
    county = (counties.filter(adcode=remembered).first() if remembered else None) or counties.default()
    if county is None:
        raise Http404(_("no county has been loaded"))
    return county


def acting_as(username, code, permissions):
    """The user a command acts as (`--as USERNAME`) and the county it acts on: the one of code
    `code` if it lies in their region (else not found, as on a page), or the one pages open for
    them; refused unless they are active and hold every one of `permissions`."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise Refusal(_("no active user is called %(name)s") % {"name": username})
    counties = counties_of(user)
    county = counties.filter(adcode=code).first() if code else counties.default()
    if county is None:
        raise Refusal(_("no county has the code %(code)s") % {"code": code} if code
                      else _("import the county first: everything else belongs to it"))
    lacking = sorted(p for p in permissions if not user.has_perm(p))
    if lacking:
        raise Refusal(_("%(name)s may not do this: their role lacks %(permissions)s")
                      % {"name": username, "permissions": ", ".join(lacking)})
    return user, county


def region_named(code, user=None):
    """The code of a city (4 digits) or the province (2) that a command names, checked: it holds
    counties, within `user`'s region when the command acts as a user."""
    if not (code.isdigit() and len(code) in (2, 4)):
        raise Refusal(_("a region is a province (2 digits) or a city (4), not %(code)s") % {"code": code})
    within = user is None or code.startswith(region_of(user))
    if not within or not County.objects.in_region(code).exists():
        raise Refusal(_("no county lies in the region %(code)s") % {"code": code})
    return code


def county_named(code):
    """The county a command, import or job names by its code (None: the main county)."""
    county = County.objects.filter(adcode=code).first() if code else County.objects.default()
    if county is None:
        raise Refusal(_("no county has the code %(code)s") % {"code": code} if code
                      else _("import the county first: everything else belongs to it"))
    return county


def region_counties(request):
    """For every page's header (a context processor): the counties of the user's region and the
    one pages act on, when the region holds more than one."""
    if not request.user.is_authenticated:
        return {}
    counties = list(counties_of(request.user).order_by("adcode").values_list("adcode", "name"))
    if len(counties) < 2:
        return {}
    held = {code for code, _name in counties}
    current = request.GET.get("county") or request.session.get("county", "")
    if current not in held:
        main = counties_of(request.user).default()  # without its full outline
        current = main.adcode if main else ""
    return {"region_counties": counties, "current_county": current}


def works_in_a_county(user):
    """Whether `user`'s region is one county (or a superuser's, every county): users above the
    county (a city or the province) see counts, never a county's households one by one."""
    return user.is_superuser or len(region_of(user)) >= 6


class RegionBackend(ModelBackend):
    """Django's permissions, read-only above the county: a user whose region is a city or the
    province keeps only the permissions to view and to run analyses, whatever their groups say."""

    def get_all_permissions(self, user_obj, obj=None):
        permissions = super().get_all_permissions(user_obj, obj)
        if not user_obj.is_active or user_obj.is_anonymous or user_obj.is_superuser:
            return permissions
        if not works_in_a_county(user_obj):
            return {p for p in permissions if p.split(".", 1)[1].startswith(READ_ONLY)}
        return permissions
