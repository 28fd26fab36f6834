"""The data page: planners upload a file into a layer; every role downloads each layer in each format."""
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .datasets import DATASETS
from .exporting import FORMATS
from .forms import ImportForm, may_import
from .importing import ImportRefused

BACKGROUND = "background"  # the submit button that queues the import as a background job


@permission_required("layers.view_village", raise_exception=True)  # every role holds it
def data_page(request):
    kinds = [kind for kind in DATASETS if may_import(request.user, kind)]
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds) if kinds else None
    report = refusal = None
    if form is not None and form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["replace"] and not may_import(request.user, data["kind"], replace=True):
            refusal = _("your role may not delete the rows of this layer, as replacing them would")
        elif BACKGROUND in request.POST:
            from jobs.tasks import queue_import  # jobs builds on layers, not the other way
            queue_import(data, request.user)
            return redirect("jobs:jobs")
        else:
            try:
                report = form.run(request.user)
            except ImportRefused as problem:
                refusal = str(problem)
    downloads = [(dataset.model._meta.verbose_name_plural,
                  [(fmt, reverse("layers:export", args=[kind, fmt[1:]])) for fmt in FORMATS])
                 for kind, dataset in DATASETS.items()
                 if request.user.has_perm(f"layers.view_{dataset.model._meta.model_name}")]
    return render(request, "layers/data.html", {"form": form, "report": report,
                                                "refusal": refusal, "downloads": downloads})
