from django.urls import path

from . import api

app_name = "access_api"
urlpatterns = [
    path("coverage/", api.coverage, name="coverage"),
    path("locate/", api.locate, name="locate"),
]
