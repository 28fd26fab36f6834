"""The jobs API under /api/jobs/: queue a long import or analysis, then follow it.

- POST /api/jobs/analysis/<kind>/ (coverage, locate, suitability) with the parameters of the
  analysis endpoint in the query string or the form body: 202 with the job and a Location header.
- POST /api/jobs/import/<layer>/ with the import API's multipart form: 202.
- GET /api/jobs/: the caller's latest jobs; GET /api/jobs/<id>/: one job with its status,
  stage, fraction done, and its result (the endpoint's JSON) or the reason it was refused.
Options and files are checked before a job is queued: a bad one is a 400 at once. Errors are
{"error": "..."}: 401 anonymous, 403 without the permission, 404 unknown kind or job.
"""
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import get_language, gettext as _
from django.views.decorators.http import require_GET, require_POST

from access.api import PERMISSION, coverage_options, error, locate_options
from access.runs import BadOptions
from analysis.suitability import ProfileError
from layers.datasets import DATASETS
from layers.forms import ImportForm, may_import
from siting.api import siting_options

from .models import Job
from .tasks import enqueue, queue_import

CHECKS = {Job.Kind.COVERAGE: lambda p: coverage_options(p).checked(),
          Job.Kind.LOCATE: lambda p: locate_options(p).checked(),
          Job.Kind.SUITABILITY: siting_options}
# The parameters each analysis reads (access/api.py, siting/api.py): only these are kept.
REACH = ("service", "mode", "max_distance", "max_minutes", "planned")
PARAMETERS = {Job.Kind.COVERAGE: REACH,
              Job.Kind.LOCATE: REACH + ("model", "p", "keep_existing", "time_limit"),
              Job.Kind.SUITABILITY: ("industry", "zone", "top")}
RECENT = 50


def signed_in(view):
    @login_not_required  # answers 401 itself: an API caller wants a status, not a login page
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return error(401, _("sign in first"))
        return view(request, *args, **kwargs)
    return checked


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
    response = JsonResponse(job_data(job), status=202, json_dumps_params={"ensure_ascii": False})
    response["Location"] = reverse("jobs_api:job", args=[job.id])
    return response


@require_POST
@signed_in
def analysis_job(request, kind):
    if kind not in CHECKS:
        return error(404, _("no such kind of job: %(kind)s") % {"kind": kind})
    if not request.user.has_perm(PERMISSION):
        return error(403, _("your role may not run analyses"))
    given = {**request.GET.dict(), **request.POST.dict()}
    params = {name: given[name] for name in PARAMETERS[kind] if given.get(name)}
    if any("\x00" in value for value in params.values()):
        return error(400, _("parameters must not contain the NUL character"))
    try:
        CHECKS[kind](params)
    except (BadOptions, ProfileError) as problem:
        return error(400, str(problem))
    return accepted(enqueue(Job.objects.create(kind=kind, params=params, user=request.user,
                                                   language=get_language())))


@require_POST
@signed_in
def import_job(request, layer):
    if layer not in DATASETS:
        return error(404, _("no such layer: %(name)s") % {"name": layer})
    form = ImportForm({**request.POST.dict(), "kind": layer}, request.FILES, kinds=[layer])
    replace = form.fields["replace"].to_python(form.data.get("replace"))
    if not may_import(request.user, layer, replace=replace):
        return error(403, _("your role may not import this layer"))
    if not form.is_valid():
        return error(400, "; ".join(f"{name}: {' '.join(messages)}"
                                    for name, messages in form.errors.items()))
    return accepted(queue_import(form.cleaned_data, request.user))


@require_GET
@signed_in
def jobs(request):
    recent = Job.objects.visible_to(request.user).select_related("user")[:RECENT]
    return JsonResponse({"jobs": [job_data(job, result=False) for job in recent]},
                        json_dumps_params={"ensure_ascii": False})


@require_GET
@signed_in
def job(request, pk):
    found = Job.objects.visible_to(request.user).select_related("user").filter(pk=pk).first()
    if found is None:
        return error(404, _("no such job"))
    return JsonResponse(job_data(found), json_dumps_params={"ensure_ascii": False})
