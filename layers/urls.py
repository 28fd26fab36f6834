from django.urls import path

from . import api, openapi

app_name = "layers"
urlpatterns = [
    path("layers/<slug:name>/", api.layer_geojson, name="layer"),
    path("schema/", openapi.openapi_schema, name="schema"),
]
