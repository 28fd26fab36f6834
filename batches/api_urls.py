from django.urls import path

from . import api

app_name = "batches_api"
urlpatterns = [
    path("", api.batches, name="batches"),
    path("<int:pk>/", api.batch, name="batch"),
    path("<int:pk>/export/", api.export, name="export"),
    path("<int:pk>/cancel/", api.cancel, name="cancel"),
]
