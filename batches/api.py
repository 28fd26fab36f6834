"""The batches API under /api/batches/: every county of a city or the province through the
analyses at once, on the Dask cluster (batches/cluster.py).

- POST /api/batches/?region=61&analyses=coverage,assessment,suitability[&services=...]
  [&industries=...] (query string or form): 202 with the batch and the job that hands it to the
  cluster (follow it at /api/jobs/<id>/).
- GET /api/batches/: the batches of the caller's region, newest first.
- GET /api/batches/<id>/: one batch: its status, its tasks (failed ones with their reasons) and
  each county's figures.
- GET /api/batches/<id>/export/?format=csv|xlsx: the figures, a row per county and indicator.
- POST /api/batches/<id>/cancel/: its tasks not yet finished are cancelled.
A batch of a region outside the caller's is not found (404), the province's to a city's or a
county's user. Starting and cancelling need layers.run_analysis; reading, the data's view.
"""
from django.urls import reverse
from django.utils.translation import gettext as _

from access.tables import write_table
from gisplan.api import NotFound, Refusal, answer, attachment, endpoint, require
from jobs.api import job_data
from jobs.tasks import queue_batch
from layers.roles import RUN_ANALYSIS, VIEW_DATA

from .cluster import new_batch
from .models import Batch
from .report import county_rows, export_rows, indicators

DENIED = _("your role may not run analyses")
RECENT = 50
FORMATS = ("csv", "xlsx")


def words(params, name):
    return [word for word in params.get(name, "").split(",") if word]


def batch_data(batch, counties=True):
    results = list(batch.results.all())  # prefetched by Batch.objects.with_results()
    data = {"id": batch.pk, "url": reverse("batches_api:batch", args=[batch.pk]),
            "region": batch.region, "status": batch.status, "analyses": batch.analyses,
            "services": batch.services, "industries": batch.industries,
            "user": batch.user.username if batch.user else "", "created_at": batch.created_at,
            "finished_at": batch.finished_at, "tasks": len(batch.tasks()),
            "succeeded": sum(r.status == r.Status.SUCCEEDED for r in results),
            "failed": [{"county": r.county.adcode, "name": r.county.name, "analysis": r.analysis,
                        "reason": r.reason} for r in results if r.status == r.Status.FAILED]}
    if counties:
        data["indicators"] = [{"key": key, "label": label} for key, label in indicators(batch)]
        data["counties"] = county_rows(batch, results)
    return data


def visible(request, pk):
    found = Batch.objects.visible_to(request.user).select_related("user").with_results()
    batch = found.filter(pk=pk).first()
    if batch is None:
        raise NotFound(_("no such batch"))
    return batch


@endpoint("GET", "POST", permission=VIEW_DATA)
def batches(request):
    if request.method == "GET":
        recent = Batch.objects.visible_to(request.user).select_related("user").with_results()[:RECENT]
        return answer({"batches": [batch_data(b, counties=False) for b in recent]})
    require(request.user, RUN_ANALYSIS, DENIED)
    given = {**request.GET.dict(), **request.POST.dict()}
    batch = new_batch(given.get("region", ""), words(given, "analyses"),
                      words(given, "services"), words(given, "industries"), request.user)
    job = queue_batch(batch, request.user)
    response = answer({"batch": batch_data(batch, counties=False), "job": job_data(job)},
                      status=202)
    response["Location"] = reverse("batches_api:batch", args=[batch.pk])
    return response


@endpoint("GET", permission=VIEW_DATA)
def batch(request, pk):
    return answer(batch_data(visible(request, pk)))


@endpoint("GET", permission=VIEW_DATA)
def export(request, pk):
    found = visible(request, pk)
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Refusal(_("format is csv or xlsx"))
    rows = export_rows(found, found.results.all())
    return attachment(f"batch-{found.pk}.{fmt}", lambda path: write_table(rows, path))


@endpoint("POST", permission=RUN_ANALYSIS, denied=DENIED)
def cancel(request, pk):
    visible(request, pk).cancel()
    return answer(batch_data(visible(request, pk), counties=False))
