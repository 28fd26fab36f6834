from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.contrib.gis import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (County, Industry, PlanVersion, ProtectedArea, RasterLayer, River, Road,
                     ServiceCenter, Town, UserRegion, Village, Zone)
from .regions import region_of, users_managed_in
from .roles import GIVEN_BY_ADMINISTRATORS
from .widgets import OfflineMapWidget


class InRegion:
    """The rows of the user's region only, in the lists, the forms and their choices: another
    county's row is not found."""

    def get_queryset(self, request):
        return super().get_queryset(request).in_region(region_of(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        rows = db_field.related_model._default_manager
        if hasattr(rows, "in_region"):
            kwargs.setdefault("queryset", rows.in_region(region_of(request.user)))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MapAdmin(InRegion, admin.GISModelAdmin):
    gis_widget = OfflineMapWidget


@admin.register(County)
class CountyAdmin(MapAdmin):
    list_display = ["name", "adcode", "rural_population", "poor_population", "synthetic"]


@admin.register(Town)
class TownAdmin(MapAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]


@admin.register(PlanVersion)
class PlanVersionAdmin(InRegion, admin.ModelAdmin):
    """Names and notes only: versions are drafted, submitted and approved in the zone editor
    (/plan/), which checks the partition before a version comes into force."""

    list_display = ["name", "status", "created_by", "created_at", "approved_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "based_on", "created_by", "created_at", "approved_at"]

    def has_add_permission(self, request):
        return False


class ZoneForm(forms.ModelForm):
    preferred_industries = forms.TypedMultipleChoiceField(
        label=_("preferred industry types"), choices=Industry.Kind.choices, required=False,
        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Zone
        fields = ["name", "theme", "color", "preferred_industries"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}


@admin.register(Zone)
class ZoneAdmin(InRegion, SimpleHistoryAdmin):
    """A zone's description; its boundary changes only in the zone editor (/plan/), which keeps
    the zones a partition of the county."""

    form = ZoneForm
    list_display = ["code", "name", "plan", "revision"]
    list_filter = ["plan"]
    readonly_fields = ["plan", "code", "boundary_editor"]

    @admin.display(description=_("boundary"))
    def boundary_editor(self, zone):
        return format_html('<a href="{}">{}</a>', reverse("plans:editor", args=[zone.plan_id]),
                           _("Change the boundary in the zone editor"))

    def has_add_permission(self, request):
        return False  # zones come four at a time, with a draft or an import

    def save_model(self, request, obj, form, change):
        obj.revision += 1  # an ETag held in the editor is stale now
        super().save_model(request, obj, form, change)


@admin.display(description=_("zone"), ordering="zone__code")
def zone_name(feature):
    return feature.zone.name if feature.zone else "—"


@admin.register(Village)
class VillageAdmin(MapAdmin):
    list_display = ["code", "name", "town", zone_name, "population", "poor_population",
                    "exit_status"]
    list_select_related = ["town", "zone"]
    list_filter = ["exit_status", "town", "zone"]
    search_fields = ["code", "name"]
    readonly_fields = ["zone"]


class PlacedAdmin(MapAdmin):
    """Centers and industries: a kind, a name, a status, and the zone derived from the point."""

    list_select_related = ["zone"]
    list_filter = ["kind", "status", "zone"]
    search_fields = ["name"]
    readonly_fields = ["zone"]


@admin.register(ServiceCenter)
class ServiceCenterAdmin(PlacedAdmin):
    list_display = ["name", "kind", "status", zone_name, "capacity"]
    raw_id_fields = ["village"]


@admin.register(Industry)
class IndustryAdmin(PlacedAdmin):
    list_display = ["name", "kind", "status", zone_name, "poor_households_driven"]


@admin.register(Road)
class RoadAdmin(MapAdmin):
    list_display = ["__str__", "road_class", "speed_kmh", "oneway"]
    list_filter = ["road_class"]


@admin.register(River)
class RiverAdmin(MapAdmin):
    list_display = ["name", "synthetic_name"]


@admin.register(ProtectedArea)
class ProtectedAreaAdmin(MapAdmin):
    list_display = ["name", "kind", "synthetic"]
    list_filter = ["kind"]


@admin.register(RasterLayer)
class RasterLayerAdmin(MapAdmin):
    list_display = ["name", "kind", "srid", "resolution", "width", "height"]


class UserRegionInline(admin.StackedInline):
    """The region a user works in, on the user's own page."""

    model = UserRegion
    max_num = 1
    can_delete = True


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class RegionUserAdmin(UserAdmin):
    """Users and the region each works in. A county's administrator (who is not a superuser)
    finds only the users of their county (`users_managed_in`); gives the roles of
    GIVEN_BY_ADMINISTRATORS and nothing else (no superuser status, no single permission, no
    region); and a user they add works in their county."""

    inlines = [UserRegionInline]
    managed_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_queryset(self, request):
        users = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        return users.filter(pk__in=users_managed_in(region_of(request.user)).values("pk"))

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return super().get_list_filter(request)
        return ("is_staff", "is_active", "groups")  # none of theirs is a superuser

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_fieldsets(request, obj)
        return self.managed_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def get_inlines(self, request, obj):
        return self.inlines if request.user.is_superuser else []

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=GIVEN_BY_ADMINISTRATORS)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and not request.user.is_superuser:
            UserRegion.objects.create(user=obj, code=region_of(request.user))
