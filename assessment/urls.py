from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.assessment_page, name="assessment"),
    path("goals/", views.goals_page, name="goals"),
    path("league/", views.league_page, name="league"),
]
