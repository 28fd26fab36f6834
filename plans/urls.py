from django.urls import path, re_path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_draft, name="new"),
    path("compare/", views.compare_page, name="compare"),
    path("audit/", views.audit_log, name="audit"),
    path("<int:pk>/", views.editor, name="editor"),
    path("<int:pk>/delete/", views.discard, name="discard"),
    # Only these actions: any other word after a version id is some other resource.
    re_path(r"^(?P<pk>[0-9]+)/(?P<action>submit|withdraw|approve)/$", views.transition, name="transition"),
]
