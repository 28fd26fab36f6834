"""The register in the admin, for the county's planners: households with their members and
incomes, their status changes (added, never changed), and the helping cadres. Every page here
shows personal data, so each needs `households.see_personal_data` as well as the model's own
permission; after a change the county's village figures are counted again."""
from django.contrib import admin

from layers.admin import InRegion
from layers.regions import region_of

from .figures import recount
from .models import (SEE_PERSONAL_DATA, Cadre, Household, HouseholdEvent, HouseholdExport,
                     HouseholdIncome, Member, PovertyLine)


class Personal:
    """A page of personal data: for holders of SEE_PERSONAL_DATA only."""

    def has_module_permission(self, request):
        return request.user.has_perm(SEE_PERSONAL_DATA) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(SEE_PERSONAL_DATA) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.has_perm(SEE_PERSONAL_DATA) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return (request.user.has_perm(SEE_PERSONAL_DATA)
                and super().has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return (request.user.has_perm(SEE_PERSONAL_DATA)
                and super().has_delete_permission(request, obj))


class MemberInline(Personal, admin.TabularInline):
    model = Member
    extra = 0


class IncomeInline(Personal, admin.TabularInline):
    model = HouseholdIncome
    extra = 0


class EventInline(Personal, admin.TabularInline):
    """The status log: a change is added with its date; none is changed or removed."""

    model = HouseholdEvent
    extra = 0
    fields = ["on", "status", "note", "recorded_at", "recorded_by"]
    readonly_fields = ["recorded_at", "recorded_by"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(Personal, InRegion, admin.ModelAdmin):
    list_display = ["code", "village", "category", "status", "target_exit_year", "synthetic"]
    list_filter = ["status", "category", "target_exit_year"]
    list_select_related = ["village"]
    search_fields = ["code"]  # never a name: a search term goes into the URL
    raw_id_fields = ["village", "cadre"]
    readonly_fields = ["status", "synthetic"]
    inlines = [MemberInline, EventInline, IncomeInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is HouseholdEvent:
            for event in formset.save(commit=False):
                event.recorded_by = request.user
                event.save()
        else:
            formset.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        recount(form.instance.village.county)

    def delete_model(self, request, obj):
        county = obj.village.county
        super().delete_model(request, obj)
        recount(county)


@admin.register(Cadre)
class CadreAdmin(Personal, InRegion, admin.ModelAdmin):
    list_display = ["unit", "county"]
    search_fields = ["unit"]


@admin.register(PovertyLine)
class PovertyLineAdmin(admin.ModelAdmin):
    """The poverty line by year: the superuser's, as the national standard is the same for all."""

    list_display = ["year", "yuan", "source"]


@admin.register(HouseholdExport)
class HouseholdExportAdmin(admin.ModelAdmin):
    """Who exported households, when: read only, for the superuser and the county's
    administrator."""

    list_display = ["at", "user", "county", "format", "rows", "personal"]
    list_filter = ["format", "personal"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(county__startswith=region_of(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
