from django.urls import path

from . import views

app_name = "siting"
urlpatterns = [
    path("siting/", views.siting_page, name="siting"),
]
