from django.urls import path

from . import api

app_name = "jobs_api"
urlpatterns = [
    path("", api.jobs, name="jobs"),
    path("import/<slug:layer>/", api.import_job, name="import"),
    path("<uuid:pk>/", api.job, name="job"),
    path("analysis/<slug:kind>/", api.analysis_job, name="queue"),
]
