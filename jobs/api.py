"""The jobs API under /api/jobs/: queue a long import or analysis, then follow it.

- POST /api/jobs/analysis/<kind>/ (coverage, locate, suitability) with the parameters of the
  analysis endpoint in the query string or the form body: 202 with the job and a Location header.
  region_coverage takes coverage's parameters and region=<a city's or the province's code>:
  every county of the region, each across its borders; the region portal shows what it found.
- POST /api/jobs/import/<layer>/ with the import API's multipart form: 202.
- POST /api/import/raster/<kind>/ (dem, landcover) with a file and the options of
  `import_raster`: 202; a raster is always imported in the background.
- GET /api/jobs/: the caller's latest jobs; GET /api/jobs/<id>/: one job with its status,
  stage, fraction done, and its result (the endpoint's JSON) or the reason it was refused.
Options and files are checked before a job is queued: a bad one is a 400 at once. Errors are
{"error": "..."}: 401 anonymous, 403 without the permission, 404 unknown kind or job
(gisplan/api.py).
"""
from django.urls import reverse
from django.utils.translation import gettext as _

from gisplan.api import NotFound, answer, endpoint, require
from layers.files_api import checked_import_form, checked_raster_form
from layers.regions import county_of, region_named
from layers.roles import RUN_ANALYSIS

from .models import Job
from .tasks import ANALYSES, queue_analysis, queue_import, queue_raster_import

RECENT = 50


def job_data(job, result=True):
    data = {"id": str(job.id), "url": reverse("jobs_api:job", args=[job.id]), "kind": job.kind,
            "status": job.status, "stage": job.stage, "fraction_done": job.fraction_done,
            "params": job.params, "user": job.user.username if job.user else "",
            "created_at": job.created_at, "started_at": job.started_at,
            "finished_at": job.finished_at, "error": job.error}
    if result:
        data["result"] = job.result
    return data


def accepted(job):
    response = answer(job_data(job), status=202)
    response["Location"] = reverse("jobs_api:job", args=[job.id])
    return response


@endpoint("POST")
def analysis_job(request, kind):
    if kind not in ANALYSES:
        raise NotFound(_("no such kind of job: %(kind)s") % {"kind": kind})
    require(request.user, RUN_ANALYSIS, _("your role may not run analyses"))
    given = {**request.GET.dict(), **request.POST.dict()}
    where = (region_named(given.get("region", ""), request.user) if ANALYSES[kind].region_wide
             else county_of(request).adcode)
    return accepted(queue_analysis(kind, given, request.user, where))


@endpoint("POST")
def import_job(request, layer):
    form, county = checked_import_form(request, layer)
    return accepted(queue_import(form.cleaned_data, request.user, county.adcode))


@endpoint("POST")
def raster_import_job(request, kind):
    form, county = checked_raster_form(request, kind)
    return accepted(queue_raster_import(form.cleaned_data, request.user, county.adcode))


@endpoint("GET")
def jobs(request):
    recent = Job.objects.visible_to(request.user).select_related("user")[:RECENT]
    return answer({"jobs": [job_data(job, result=False) for job in recent]})


@endpoint("GET")
def job(request, pk):
    found = Job.objects.visible_to(request.user).select_related("user").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("no such job"))
    return answer(job_data(found))
