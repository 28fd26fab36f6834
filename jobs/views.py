"""The jobs page: the signed-in user's background imports and analyses with their progress; the
data page's "import in the background" button, which queues its import here; and the region
portal's "coverage of the region" form."""
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gisplan.api import Refusal
from layers.forms import RasterImportForm, may_import_rasters
from layers.regions import county_of, region_named
from layers.roles import RUN_ANALYSIS, VIEW_DATA
from layers.views import data_page_response, import_form, replace_refused

from .api import RECENT
from .models import Job
from .tasks import queue_analysis, queue_import, queue_raster_import

# While a job is queued or running the page reloads itself this often.
REFRESH_SECONDS = 5


def jobs_page(request):
    jobs = list(Job.objects.visible_to(request.user).select_related("user")[:RECENT])
    busy = any(job.status in (Job.Status.QUEUED, Job.Status.RUNNING) for job in jobs)
    return render(request, "jobs/jobs.html", {"jobs": jobs,
                                              "refresh": REFRESH_SECONDS if busy else None})


@require_POST
@permission_required(VIEW_DATA, raise_exception=True)
def queue_import_page(request):
    """The data page's import form, queued as a background job; the page again with the form's
    errors or the refusal."""
    form = import_form(request)
    if form is None:
        raise PermissionDenied
    refusal = replace_refused(request, form.cleaned_data) if form.is_valid() else None
    if form.is_valid() and refusal is None:
        queue_import(form.cleaned_data, request.user, county_of(request).adcode)
        return redirect("jobs:jobs")
    return data_page_response(request, form, refusal=refusal, status=400)


@require_POST
@permission_required(VIEW_DATA, raise_exception=True)
def queue_raster_page(request):
    """The data page's raster form, queued as a background job; the page again with the
    form's errors."""
    if not may_import_rasters(request.user):
        raise PermissionDenied
    form = RasterImportForm(request.POST, request.FILES)
    if form.is_valid():
        queue_raster_import(form.cleaned_data, request.user, county_of(request).adcode)
        return redirect("jobs:jobs")
    return data_page_response(request, import_form(request), raster_form=form, status=400)


@require_POST
@permission_required(RUN_ANALYSIS, raise_exception=True)
def queue_region_coverage_page(request):
    """The region portal's form: coverage of every county of the region, as a background job;
    the region portal again with the reason when it is refused."""
    try:
        region = region_named(request.POST.get("region", ""), request.user)
        queue_analysis(Job.Kind.REGION_COVERAGE, request.POST.dict(), request.user, region)
    except Refusal as refusal:
        messages.error(request, str(refusal))
        return redirect("maps:region")
    return redirect("jobs:jobs")
