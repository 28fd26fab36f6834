from django.urls import path

from . import api

app_name = "assessment_api"
urlpatterns = [
    path("", api.assessment, name="assessment"),
    path("trends/", api.trend, name="trends"),
    path("periods/", api.periods, name="periods"),
]
