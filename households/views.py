"""The register's pages: /households/ (counts by town and status for everyone who sees the
county's data; the households themselves, ID numbers masked, for holders of SEE_PERSONAL_DATA),
a household's own page (its members with their full ID numbers, its helper, its log and its
incomes: SEE_PERSONAL_DATA only), and the export, logged before it is sent."""
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from gisplan.api import attachment
from layers.regions import county_of

from .exporting import FORMATS, export_households
from .models import SEE_PERSONAL_DATA, Household, Member
from .standard import check_exit

PAGE_SIZE = 100
VIEW_REGISTER = "households.view_household"


def by_status(households, group):
    """Households on the list, their people, each category and those out of poverty, per
    `group` (a lookup), and for all."""
    on = Q(status__in=Household.ON_LIST)
    counts = dict(
        on_list=Count("pk", filter=on, distinct=True), people=Count("members", filter=on),
        industry=Count("pk", distinct=True, filter=on & Q(
            category=Household.Category.INDUSTRY_SUPPORT)),
        livelihood=Count("pk", distinct=True, filter=on & Q(
            category=Household.Category.LIVELIHOOD_GUARANTEE)),
        exited=Count("pk", distinct=True, filter=Q(status=Household.Status.EXITED)),
        returned=Count("pk", distinct=True, filter=Q(status=Household.Status.RETURNED)),
        new=Count("pk", distinct=True, filter=Q(status=Household.Status.NEW)))
    rows = list(households.values(group).annotate(**counts).order_by(group))
    return rows, households.aggregate(**counts)


@permission_required(VIEW_REGISTER, raise_exception=True)
def index(request):
    county = county_of(request)
    households = Household.objects.of_county(county)
    towns, total = by_status(households, "village__town__name")
    context = {"county": county, "towns": towns, "total": total, "formats": FORMATS,
               "personal": request.user.has_perm(SEE_PERSONAL_DATA),
               "meeting": households.on_list().meeting_exit_standard().count()}
    if context["personal"]:
        listed = households.select_related("village", "cadre").order_by("code")
        status = request.GET.get("status", "")
        if status in Household.Status.values:
            listed = listed.filter(status=status)
        village = request.GET.get("village", "")
        if village:
            listed = listed.filter(village__code=village)
        page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
        heads = {m.household_id: m for m in _heads(page.object_list)}
        checks = check_exit(Household.objects.filter(pk__in=[h.pk for h in page.object_list]))
        at = checks.index()
        context.update(page=page, rows=[(h, heads.get(h.pk), checks.reasons(at[h.code]))
                                        for h in page.object_list],
                       statuses=Household.Status.choices, status=status, village=village)
    return render(request, "households/index.html", context)


def _heads(households):
    return Member.objects.filter(household__in=list(households), relation="户主")


@permission_required(SEE_PERSONAL_DATA, raise_exception=True)
def household(request, code):
    row = get_object_or_404(Household.objects.of_county(county_of(request))
                            .select_related("village__town", "cadre"), code=code)
    checks = check_exit(Household.objects.filter(pk=row.pk))
    return render(request, "households/household.html", {
        "household": row, "members": row.members.order_by("pk"),
        "exit_reasons": checks.reasons(0),
        "events": row.events.select_related("recorded_by"),
        "incomes": row.incomes.all(),
        "guarantees": [(Household._meta.get_field(g).verbose_name, getattr(row, g))
                       for g in Household.GUARANTEES]})


@permission_required(VIEW_REGISTER, raise_exception=True)
def export(request, fmt):
    if fmt not in FORMATS:
        raise Http404
    county = county_of(request)
    households = Household.objects.of_county(county)
    return attachment(f"households_{county.adcode}.{fmt}",
                      lambda path: export_households(path, fmt, households, request.user, county))
