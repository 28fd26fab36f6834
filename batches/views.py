"""The region portal's batch form and the jobs page's cancel button: a batch of every county
of the region, queued for the worker that hands it to the Dask cluster; cancelling one."""
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from gisplan.api import Refusal
from jobs.tasks import queue_batch
from layers.roles import RUN_ANALYSIS

from .cluster import new_batch
from .models import ANALYSES, Batch


@require_POST
@permission_required(RUN_ANALYSIS, raise_exception=True)
def start(request):
    """The region portal's form: the analyses ticked, for the region named; the portal again
    with the reason when it is refused."""
    try:
        batch = new_batch(request.POST.get("region", ""),
                          [a for a in ANALYSES if request.POST.get(a)], user=request.user)
    except Refusal as refusal:
        messages.error(request, str(refusal))
        return redirect("maps:region")
    queue_batch(batch, request.user)
    return redirect("jobs:jobs")


@require_POST
@permission_required(RUN_ANALYSIS, raise_exception=True)
def cancel(request, pk):
    get_object_or_404(Batch.objects.visible_to(request.user), pk=pk).cancel()
    return redirect("jobs:jobs")
