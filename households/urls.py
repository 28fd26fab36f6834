from django.urls import path

from . import views

app_name = "households"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.<str:fmt>", views.export, name="export"),
    path("<str:code>/", views.household, name="household"),
]
