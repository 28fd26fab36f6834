import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user's own jobs; every job for a superuser."""
        return self if user.is_superuser else self.filter(user=user)


class Job(models.Model):
    """A long import or analysis, queued for the worker (manage.py run_jobs), with its progress
    and its outcome."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("import")
        RASTER = "raster", _("raster import")
        COVERAGE = "coverage", _("coverage")
        REGION_COVERAGE = "region_coverage", _("coverage of a region")
        LOCATE = "locate", _("location-allocation")
        SUITABILITY = "suitability", _("industry siting")
        BATCH = "batch", _("batch across counties")  # handed to the Dask cluster

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        REFUSED = "refused", _("refused")  # the input or options were refused, with the reason
        FAILED = "failed", _("failed")  # an error in gisplan: the worker's log has the details

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The analysis's query parameters, or the import's options (layer, file name, ...).
    params = models.JSONField(_("parameters"), default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("user"))
    # The code of the county (6 digits), city (4) or province (2) the job was asked for.
    region = models.CharField(_("region"), max_length=12, blank=True)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    fraction_done = models.FloatField(_("fraction done"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)  # django_tasks' result id

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def options_text(self):
        """The options that were given, as name=value words."""
        return " ".join(f"{name}={value}" for name, value in self.params.items()
                        if value not in (None, False, ""))

    @property
    def upload_folder(self):
        """Where an import's file waits for the worker."""
        return settings.DATA_DIR / "uploads" / str(self.id)
