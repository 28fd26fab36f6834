from django.contrib.gis import admin

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


@admin.register(Zone)
class ZoneAdmin(MapAdmin):
    list_display = ["code", "name", "plan"]
    list_filter = ["plan"]


@admin.register(Village)
class VillageAdmin(MapAdmin):
    list_display = ["code", "name", "town", "zone", "population", "poor_population",
                    "exit_status"]
    list_filter = ["exit_status", "town", "zone"]
    search_fields = ["code", "name"]
    readonly_fields = ["zone"]


@admin.register(ServiceCenter)
class ServiceCenterAdmin(MapAdmin):
    list_display = ["name", "kind", "status", "zone", "capacity"]
    list_filter = ["kind", "status", "zone"]
    search_fields = ["name"]
    raw_id_fields = ["village"]
    readonly_fields = ["zone"]


@admin.register(Industry)
class IndustryAdmin(MapAdmin):
    list_display = ["name", "kind", "status", "zone", "poor_households_driven"]
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
