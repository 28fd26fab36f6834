from django.urls import path

from . import api

app_name = "households_api"
urlpatterns = [
    path("", api.counts, name="counts"),
    path("import/", api.import_register, name="import"),
]
