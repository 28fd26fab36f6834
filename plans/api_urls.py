from django.urls import path, re_path

from . import api

app_name = "plans_api"
urlpatterns = [
    path("", api.versions, name="versions"),
    path("compare/", api.comparison, name="compare"),
    path("<int:pk>/", api.version, name="version"),
    path("<int:pk>/zones/<str:code>/", api.zone, name="zone"),
    path("<int:pk>/zones/<str:code>/preview/", api.preview, name="preview"),
    path("<int:pk>/history/", api.history, name="history"),
    path("<int:pk>/history/<int:history_id>/", api.history_record, name="history_record"),
    path("<int:pk>/restore/", api.restore, name="restore"),
    # Only these actions: any other word after a version id is some other resource.
    re_path(r"^(?P<pk>[0-9]+)/(?P<action>submit|withdraw|approve)/$", api.transition, name="transition"),
]
