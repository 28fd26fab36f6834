from django.urls import path

from . import api, files_api

app_name = "layers"
urlpatterns = [
    path("layers/<slug:name>/", api.layer_geojson, name="layer"),
    path("import/<slug:kind>/", files_api.import_file, name="import"),
    path("rasters/<slug:kind>/value/", api.raster_value, name="raster_value"),
    path("export/<slug:kind>.<str:fmt>", files_api.export_file, name="export"),
]
