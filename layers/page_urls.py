from django.urls import path

from . import views

app_name = "data"
urlpatterns = [
    path("import/", views.data_page, name="import"),
]
