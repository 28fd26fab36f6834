from django.urls import path

from . import api

app_name = "assessment_api"
urlpatterns = [
    path("", api.assessment, name="assessment"),
    path("trends/", api.trend, name="trends"),
    path("periods/", api.periods, name="periods"),
    path("goals/", api.goals, name="goals"),
    path("league/", api.league_table, name="league"),
]
