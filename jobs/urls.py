from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.jobs_page, name="jobs"),
    path("import/", views.queue_import_page, name="import"),
    path("import/raster/", views.queue_raster_page, name="raster_import"),
    path("region-coverage/", views.queue_region_coverage_page, name="region_coverage"),
]
