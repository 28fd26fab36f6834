from django.urls import path

from . import views

app_name = "ogc"
# No trailing slashes below the landing page: the paths of the standard, as clients build them.
urlpatterns = [
    path("", views.landing, name="landing"),
    path("api", views.api_doc, name="api"),
    path("conformance", views.conformance, name="conformance"),
    path("collections", views.collections, name="collections"),
    path("collections/<slug:cid>", views.collection, name="collection"),
    path("collections/<slug:cid>/items", views.items, name="items"),
    path("collections/<slug:cid>/items/<str:fid>", views.item, name="item"),
]
