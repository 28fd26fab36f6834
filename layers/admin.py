from django.contrib import messages
from django.contrib.gis import admin
from django.utils.translation import gettext_lazy as _

from .models import (County, Industry, PlanVersion, RasterLayer, River, Road, ServiceCenter, Town,
                     Village, Zone)
from .widgets import OfflineMapWidget


class MapAdmin(admin.GISModelAdmin):
    gis_widget = OfflineMapWidget


@admin.register(County)
class CountyAdmin(MapAdmin):
    list_display = ["name", "adcode", "rural_population", "poor_population", "synthetic"]


@admin.register(Town)
class TownAdmin(MapAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "created_at", "approved_at"]
    list_filter = ["status"]
    # A version comes into force only through approve(), which reassigns every zoned feature.
    readonly_fields = ["status", "approved_at"]
    actions = ["approve"]

    @admin.action(description=_("Approve the selected version (puts it in force)"),
                  permissions=["approve"])
    def approve(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version to approve."), messages.ERROR)
            return
        version = queryset.get()
        version.approve()
        self.message_user(request, _("%(name)s is now the plan in force.") % {"name": version.name})

    def has_approve_permission(self, request):
        return request.user.has_perm("layers.approve_planversion")


@admin.register(Zone)
class ZoneAdmin(MapAdmin):
    list_display = ["code", "name", "plan"]
    list_filter = ["plan"]


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


@admin.register(ServiceCenter)
class ServiceCenterAdmin(MapAdmin):
    list_display = ["name", "kind", "status", zone_name, "capacity"]
    list_select_related = ["zone"]
    list_filter = ["kind", "status", "zone"]
    search_fields = ["name"]
    raw_id_fields = ["village"]
    readonly_fields = ["zone"]


@admin.register(Industry)
class IndustryAdmin(MapAdmin):
    list_display = ["name", "kind", "status", zone_name, "poor_households_driven"]
    list_select_related = ["zone"]
    list_filter = ["kind", "status", "zone"]
    search_fields = ["name"]
    readonly_fields = ["zone"]


@admin.register(Road)
class RoadAdmin(MapAdmin):
    list_display = ["__str__", "road_class", "speed_kmh", "oneway"]
    list_filter = ["road_class"]


@admin.register(River)
class RiverAdmin(MapAdmin):
    list_display = ["name", "synthetic_name"]


@admin.register(RasterLayer)
class RasterLayerAdmin(MapAdmin):
    list_display = ["name", "kind", "srid", "resolution", "width", "height"]
