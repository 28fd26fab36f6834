"""A batch: the analyses of every county of a region in one run on a Dask cluster
(batches.cluster), one result per county and analysis (batches.tasks)."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from layers.models import County
from layers.regions import region_of

ANALYSES = ("coverage", "assessment", "suitability")
ANALYSIS_LABELS = {"coverage": _("coverage by every kind of center"),
                   "assessment": _("exit assessment"), "suitability": _("industry siting")}


class BatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The batches of the user's region or of a region within it."""
        return self.filter(region__startswith=region_of(user))

    def with_results(self):
        """The batches with their results (BatchResultQuerySet.with_counties) in one more query."""
        return self.prefetch_related(models.Prefetch("results", BatchResult.objects.with_counties()))

    def latest_of(self, region):
        """The newest batch of exactly `region` (a city's or the province's code) that has
        results, or None."""
        return (self.filter(region=region, results__isnull=False).distinct()
                .order_by("-created_at", "-pk").first())


class Batch(models.Model):
    """The analyses of every county of a region, each county's one task per analysis."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")  # every task ran, some may have failed
        CANCELLED = "cancelled", _("cancelled")
        STOPPED = "stopped", _("stopped")  # the run ended before every task had: --resume it

    region = models.CharField(_("region"), max_length=6)
    analyses = models.JSONField(_("analyses"))  # some of ANALYSES, in that order
    services = models.JSONField(_("services"))  # ServiceCenter.Kind values coverage runs
    industries = models.JSONField(_("industries"))  # Industry.Kind values suitability runs
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", verbose_name=_("user"))
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.pk} {self.region} {self.created_at:%Y-%m-%d %H:%M}"

    def tasks(self):
        """(county code, analysis) of every task, in order."""
        codes = County.objects.in_region(self.region).order_by("adcode").values_list("adcode", flat=True)
        return [(code, analysis) for code in codes for analysis in self.analyses]

    def cancel(self):
        """Stop the batch if it waits or runs: its tasks not yet finished are cancelled on the
        cluster (batches.cluster.run_batch looks every second); what finished stays."""
        Batch.objects.filter(pk=self.pk, status__in=(Batch.Status.QUEUED, Batch.Status.RUNNING)).update(
            status=Batch.Status.CANCELLED, finished_at=timezone.now())
        self.refresh_from_db()

    def missing(self):
        """The tasks without a succeeded result: what --resume runs."""
        done = set(self.results.succeeded().values_list("county__adcode", "analysis"))
        return [task for task in self.tasks() if task not in done]


class BatchResultQuerySet(models.QuerySet):
    def succeeded(self):
        return self.filter(status=BatchResult.Status.SUCCEEDED)

    def failed(self):
        return self.filter(status=BatchResult.Status.FAILED)

    def with_counties(self):
        """With their counties, without the per-village rows: what the figures' readers (the
        API, the region portal, the export, the command) take."""
        return self.select_related("county").defer("rows")

    def visible_to(self, user):
        """The results of the counties of the user's region."""
        return self.filter(county__adcode__startswith=region_of(user))


class BatchResult(models.Model):
    """One county's result of one analysis of a batch: written whole by its task, and replaced
    whole when the task runs again."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="results",
                              verbose_name=_("batch"))
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("county"))
    analysis = models.CharField(_("analysis"), max_length=12)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)  # why it failed, one line
    # The figures the region portal shows: per service / module / industry.
    figures = models.JSONField(_("figures"), default=dict)
    # Per village (coverage and assessment) or per candidate site (suitability).
    rows = models.JSONField(_("rows"), default=list)
    seconds = models.FloatField(_("seconds"), default=0)
    peak_mb = models.FloatField(_("peak memory (MB)"), default=0)  # of the worker process
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("finished at"), default=timezone.now)

    objects = BatchResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("batch result")
        verbose_name_plural = _("batch results")
        constraints = [models.UniqueConstraint(fields=["batch", "county", "analysis"],
                                               name="one_result_per_task")]
