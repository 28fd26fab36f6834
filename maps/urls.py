from django.urls import path

from . import views

app_name = "maps"
urlpatterns = [
    path("", views.portal, name="home"),
    path("zones/<str:code>/", views.portal, name="zone"),
    path("region/", views.region, name="region"),
]
