from django.urls import path

from . import api, import_export_api, openapi

app_name = "layers"
urlpatterns = [
    path("layers/<slug:name>/", api.layer_geojson, name="layer"),
    path("import/<slug:kind>/", import_export_api.import_file, name="import"),
    path("export/<slug:kind>.<str:fmt>", import_export_api.export_file, name="export"),
    path("schema/", openapi.openapi_schema, name="schema"),
]
