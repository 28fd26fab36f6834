from django.urls import path

from . import api

app_name = "siting_api"
urlpatterns = [
    path("suitability/", api.suitability, name="suitability"),
    path("suitability/surface.png", api.surface, name="surface_png"),
    path("suitability/sites/", api.save, name="save"),
]
