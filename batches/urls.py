from django.urls import path

from . import views

app_name = "batches"
urlpatterns = [
    path("", views.start, name="start"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
