from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("coverage/", views.coverage_page, name="coverage"),
]
