from django.urls import path

from . import api

app_name = "layers"
urlpatterns = [
    path("layers/<slug:name>/", api.layer_geojson, name="layer"),
]
