"""The spatial data layer: the county, its divisions, the plan's zones and what is placed in them.

Every geometry is stored in settings.STORAGE_SRID (projected, metres). Each QuerySet stands just
above its model and names its queries by intent.
"""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import GeomOutputGeoFunc, Transform
from django.contrib.gis.geos import MultiPolygon
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, transaction
from django.db.models import Count, Func, OuterRef, Q, Subquery, Sum, Value
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from analysis import landcover

from . import crs

SRID = settings.STORAGE_SRID
NEIGHBOUR_METRES = 500.0  # counties whose outlines come this close are neighbours
# Web shapes are simplified by this much (metres) and stored in lon/lat for the map portal.
WEB_TOLERANCE_METRES = 20.0
WEB_SRID = 4326


class SimplifyPreserveTopology(GeomOutputGeoFunc):
    function = "ST_SimplifyPreserveTopology"


class Multi(GeomOutputGeoFunc):
    function = "ST_Multi"


class WebShapedQuerySet(models.QuerySet):
    def derive_web_shapes(self):
        """Recompute every row's web shape in one UPDATE (after bulk writes)."""
        return self.update(web_boundary=Transform(
            Multi(SimplifyPreserveTopology("boundary", WEB_TOLERANCE_METRES)), WEB_SRID))


class WebShaped(models.Model):
    """A feature with a boundary, and a simplified lon/lat copy of it for the web (on write)."""

    web_boundary = models.MultiPolygonField(srid=WEB_SRID, null=True, blank=True, editable=False)

    objects = WebShapedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.boundary is None:
            self.web_boundary = None
        else:
            simple = self.boundary.simplify(WEB_TOLERANCE_METRES, preserve_topology=True)
            simple = simple.transform(WEB_SRID, clone=True)
            self.web_boundary = simple if simple.geom_type == "MultiPolygon" else MultiPolygon(simple)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "boundary" in update_fields:
            kwargs["update_fields"] = {*update_fields, "web_boundary"}
        super().save(*args, **kwargs)


class CountyQuerySet(WebShapedQuerySet):
    def of_county(self, county):
        return self.filter(pk=getattr(county, "pk", county))

    def default(self):
        """The installation's main county (settings.DEFAULT_COUNTY), or else the first by code:
        what commands and URLs act on when no county is named."""
        return self.filter(adcode=settings.DEFAULT_COUNTY).first() or self.order_by("adcode").first()

    def in_region(self, code):
        """The counties of a province (2 digits), city (4) or county (6) code ("": all)."""
        return self.filter(adcode__startswith=code) if code else self.all()

    def neighbours_of(self, county):
        """The counties that share a border with `county` (within NEIGHBOUR_METRES of its
        outline: outlines of two sources rarely meet exactly)."""
        return self.filter(boundary__dwithin=(county.boundary, NEIGHBOUR_METRES)).exclude(pk=county.pk)


class County(WebShaped):
    """A county with its plan: its outline and its poverty baseline. Its city and province are
    the first four and two digits of its code."""

    adcode = models.CharField(_("administrative code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    boundary = models.MultiPolygonField(_("boundary"), srid=SRID)
    rural_population = models.PositiveIntegerField(_("registered rural population"))
    poor_households = models.PositiveIntegerField(_("poor households (baseline)"))
    poor_population = models.PositiveIntegerField(_("poor population (baseline)"))
    synthetic = models.BooleanField(_("synthetic sample data"), default=False)
    source = models.TextField(_("source and licence"), blank=True)
    sample_version = models.CharField(max_length=20, blank=True, editable=False)
    # The analysis grid every imported raster is warped onto: the storage CRS, this cell size,
    # and an origin on whole cells (layers.rasters.county_grid).
    grid_cell = models.FloatField(
        _("analysis grid cell size (m)"), null=True, blank=True, default=30.0,
        validators=[MinValueValidator(1.0), MaxValueValidator(1000.0)],
        help_text=_("Empty: the cell size of the finest raster imported."))

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        permissions = [("run_analysis", _("Can run coverage, location and siting analyses"))]

    def __str__(self):
        return self.name

    @property
    def poverty_incidence(self):
        return self.poor_population / self.rural_population if self.rural_population else None

    @property
    def city_code(self):
        return self.adcode[:4]

    def area_km2(self, geometry):
        """The area of a stored (GEOS) geometry in km², measured in the county's own zone."""
        return geometry.transform(self.gk_srid, clone=True).area / 1e6

    @cached_property
    def gk_srid(self):
        """The EPSG code of the CGCS2000 3-degree Gauss-Krüger zone the county is measured and
        analysed in: the one whose central meridian is nearest its centroid."""
        return crs.gauss_kruger_srid(self.boundary.centroid.transform(4490, clone=True).x)

    @property
    def province_code(self):
        return self.adcode[:2]


class OfCountyQuerySet(models.QuerySet):
    county_lookup = "county"  # how a row reaches its county

    def of_county(self, county):
        return self.filter(**{self.county_lookup: county})

    def in_region(self, code):
        """The rows of the counties of a province (2 digits), city (4) or county (6) code ("":
        every county's, without a join)."""
        if not code:
            return self.all()
        return self.filter(**{f"{self.county_lookup}__adcode__startswith": code})


class OfCounty(models.Model):
    """A row that belongs to one county: its data, edited and seen as that county's."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("county"))

    objects = OfCountyQuerySet.as_manager()

    class Meta:
        abstract = True


class TownQuerySet(WebShapedQuerySet, OfCountyQuerySet):
    pass


class Town(WebShaped):
    """A town (镇) or subdistrict (街道) of the county."""

    class Kind(models.TextChoices):
        TOWN = "town", _("town")
        SUBDISTRICT = "subdistrict", _("subdistrict")

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="towns",
                               verbose_name=_("county"))
    code = models.CharField(_("township code"), max_length=9, unique=True,
                            validators=[RegexValidator(r"^\d{9}$", _("A township code has 9 digits."))])
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TOWN)
    boundary = models.MultiPolygonField(_("boundary"), srid=SRID)
    seat = models.PointField(_("seat"), srid=SRID)

    objects = TownQuerySet.as_manager()

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["code"]

    def __str__(self):
        return self.name


class PlanVersionQuerySet(OfCountyQuerySet):
    def approved(self):
        return self.filter(status=PlanVersion.Status.APPROVED)

    def published(self):
        """The versions everyone sees: in force or archived (drafts are opened on purpose)."""
        return self.filter(status__in=[PlanVersion.Status.APPROVED, PlanVersion.Status.ARCHIVED])


APPROVAL_LOCK = 4_546_001  # the advisory lock key of approvals, with the county (any fixed number)


class PlanVersion(OfCounty):
    """A named version of a county's zone partition: drafts are edited while the approved one is
    in force."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted for approval")
        APPROVED = "approved", _("approved")
        ARCHIVED = "archived", _("archived")

    name = models.CharField(_("name"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("based on"))
    # Who made, submitted, approved or archived the version, and when (the audit log).
    history = HistoricalRecords()

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["county"], condition=Q(status="approved"),
                                               name="one_approved_plan_per_county")]
        permissions = [("approve_planversion", _("Can approve a plan version"))]

    def __str__(self):
        return self.name

    @property
    def editable(self):
        return self.status == self.Status.DRAFT

    @transaction.atomic
    def approve(self):
        """Put this version in force in its county: archive the one in force there and reassign
        everything zoned in the county."""
        # Raw SQL: two versions of a county approved at once must queue one behind the other,
        # or both would archive the same old version and the second would break
        # `one_approved_plan_per_county`. A row lock cannot do it (the second would not see the
        # first's newly approved row); a transaction-wide advisory lock on (a fixed key, the
        # county) does, and leaves other counties' approvals alone.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [APPROVAL_LOCK, self.county_id])
        for old in PlanVersion.objects.of_county(self.county_id).approved().exclude(pk=self.pk):
            old.status = self.Status.ARCHIVED  # saved one by one: into the audit log
            old.save(update_fields=["status"])
        self.status, self.approved_at = self.Status.APPROVED, timezone.now()
        self.save(update_fields=["status", "approved_at"])
        for model in (Village, ServiceCenter, Industry):
            model.objects.of_county(self.county_id).assign_zones()


class ZoneQuerySet(WebShapedQuerySet, OfCountyQuerySet):
    county_lookup = "plan__county"

    def in_force(self):
        """Zones of the approved plan versions (one per county)."""
        return self.filter(plan__status=PlanVersion.Status.APPROVED)

    def containing(self, point):
        return self.filter(boundary__contains=point)


class Zone(WebShaped):
    """One of the zones (片区) of a plan version; each county has its own number of zones and
    codes (Luonan's four: E, W, N, C)."""

    class Code(models.TextChoices):
        """The codes of the sample's zones, named by direction."""
        EAST = "E", _("East")
        WEST = "W", _("West")
        NORTH = "N", _("North")
        CENTRAL = "C", _("Central")

    CODE_PATTERN = r"^[A-Z0-9]{1,4}$"
    plan = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="zones",
                             verbose_name=_("plan version"))
    code = models.CharField(_("code"), max_length=4, validators=[RegexValidator(
        CODE_PATTERN, _("A zone code is 1 to 4 capital letters or digits."))])
    name = models.CharField(_("name"), max_length=50)
    theme = models.TextField(_("theme"), blank=True)
    preferred_industries = models.JSONField(_("preferred industry types"), default=list,
                                            blank=True)
    color = models.CharField(_("colour"), max_length=7, default="#888888",
                             validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$")])
    boundary = models.MultiPolygonField(_("boundary"), srid=SRID)
    # Bumped by every change, also when a neighbour takes area from the zone: the API's ETag.
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    # Who changed the zone, when, and its state after each change (the state before is the
    # previous record).
    history = HistoricalRecords(excluded_fields=["web_boundary"])

    objects = ZoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="one_zone_per_code")]

    def __str__(self):
        return f"{self.name} ({self.plan})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.plan.status == PlanVersion.Status.APPROVED:  # the plan in force changed
            for model in (Village, ServiceCenter, Industry):
                model.objects.of_county(self.plan.county_id).assign_zones()


class ZonedQuerySet(OfCountyQuerySet):
    def in_zone(self, zone):
        return self.filter(zone=zone)

    def within_distance(self, point, metres):
        return self.filter(location__dwithin=(point, metres))

    def assign_zones(self):
        """Set each row's zone to the zone in force in its county that contains its location,
        in one UPDATE."""
        zone = Zone.objects.in_force().filter(plan__county=OuterRef("county"),
                                              boundary__contains=OuterRef("location"))
        return self.update(zone=Subquery(zone.values("pk")[:1]))


class Zoned(OfCounty):
    """A feature of a county located by a point, whose zone is derived from the county's plan in
    force on save."""

    location = models.PointField(_("location"), srid=SRID)
    zone = models.ForeignKey(Zone, null=True, blank=True, editable=False,
                             on_delete=models.SET_NULL, related_name="+", verbose_name=_("zone"))

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.zone = Zone.objects.in_force().filter(plan__county=self.county_id).containing(
            self.location).first()
        super().save(*args, **kwargs)


class VillageQuerySet(WebShapedQuerySet, ZonedQuerySet):
    def poor(self):
        return self.filter(exit_status=Village.ExitStatus.POOR)

    def exited(self):
        return self.filter(exit_status=Village.ExitStatus.EXITED)

    def totals(self):
        """Villages, households, population and the poor among them, as one dict."""
        return self.aggregate(
            villages=Count("pk"), households=Sum("households"), population=Sum("population"),
            poor_households=Sum("poor_households"), poor_population=Sum("poor_population"),
            exited=Count("pk", filter=Q(exit_status=Village.ExitStatus.EXITED)))


class Village(WebShaped, Zoned):
    """An administrative village (行政村): its committee, boundary, figures and exit indicators."""

    class ExitStatus(models.TextChoices):
        NON_POOR = "non_poor", _("not a poor village")
        POOR = "poor", _("poor village")
        EXITED = "exited", _("exited")

    class Kind(models.TextChoices):
        VILLAGE = "village", _("villagers' committee")
        COMMUNITY = "community", _("residents' committee")

    code = models.CharField(_("village code"), max_length=12, unique=True,
                            validators=[RegexValidator(r"^\d{12}$", _("A village code has 12 digits."))])
    name = models.CharField(_("name"), max_length=50, db_index=True)  # labels seek namesakes
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="villages",
                             verbose_name=_("town"))
    # A residents' committee (社区) is assessed for exit only when it is recorded as poor.
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VILLAGE)
    boundary = models.MultiPolygonField(_("boundary"), srid=SRID, null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), default=0)
    population = models.PositiveIntegerField(_("registered population"), default=0)
    poor_households = models.PositiveIntegerField(_("poor households"), default=0)
    poor_population = models.PositiveIntegerField(_("poor population"), default=0)
    industry_support_households = models.PositiveIntegerField(_("industry-support households"),
                                                              default=0)
    livelihood_guarantee_households = models.PositiveIntegerField(
        _("livelihood-guarantee households"), default=0)
    exit_status = models.CharField(_("exit status"), max_length=10, choices=ExitStatus.choices,
                                   default=ExitStatus.NON_POOR)
    exit_year = models.PositiveSmallIntegerField(_("exit year"), null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target exit year"), null=True, blank=True)
    # The five connections (五通).
    water_connected = models.BooleanField(_("water connected"), default=False)
    electricity_connected = models.BooleanField(_("electricity connected"), default=False)
    road_connected = models.BooleanField(_("road connected"), default=False)
    tv_connected = models.BooleanField(_("broadcast TV connected"), default=False)
    internet_connected = models.BooleanField(_("internet connected"), default=False)
    # The five haves (五有) of the standard module.
    has_collective_org = models.BooleanField(_("has a collective economic organisation"),
                                             default=False)
    leading_industries = models.PositiveSmallIntegerField(_("stable leading industries"),
                                                          default=0)
    has_office_space = models.BooleanField(_("has an office and activity space"), default=False)
    has_clinic = models.BooleanField(_("has a village clinic"), default=False)
    all_housing_safe = models.BooleanField(_("safe housing for every household"), default=False)
    # 两不愁三保障: the poor households not yet assured of all five; counted from the register of
    # households where the county keeps one (households.figures), else recorded.
    households_short_of_guarantees = models.PositiveIntegerField(
        _("poor households short of 两不愁三保障"), default=0)
    # What the demonstration module asks beyond them (两强, higher 五通, 八有).
    organisation_strengthened = models.BooleanField(
        _("village organisation's three forces strengthened (三力)"), default=False)
    no_poor_party_members = models.BooleanField(_("no poor party-member households"),
                                                default=False)
    cooperatives = models.PositiveSmallIntegerField(_("cooperatives"), default=0)
    collective_income_yuan = models.PositiveIntegerField(_("collective income (yuan)"), default=0)
    connections_high_standard = models.BooleanField(_("connections at the higher standard"),
                                                    default=False)
    office_fully_equipped = models.BooleanField(_("office fully equipped"), default=False)
    clinic_standardised = models.BooleanField(_("clinic standardised"), default=False)
    has_environment_facilities = models.BooleanField(_("rural environmental facilities"),
                                                     default=False)
    environment_clean = models.BooleanField(_("clean living environment"), default=False)
    social_security_sound = models.BooleanField(_("sound social-security system"), default=False)
    # The audit log. The zone is derived from the plan in force, nobody's change to log.
    history = HistoricalRecords(excluded_fields=["web_boundary", "zone"])

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^\d{12}$"),
                                              name="village_code_12_digits"),
                       models.CheckConstraint(condition=Q(poor_population__lte=models.F("population")),
                                              name="poor_within_population")]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.county_id = self.town.county_id  # a village is in its town's county
        super().save(*args, **kwargs)

    @property
    def poverty_incidence(self):
        return self.poor_population / self.population if self.population else None


class VillagePeriodQuerySet(OfCountyQuerySet):
    county_lookup = "village__county"

    def periods(self):
        """The (year, quarter) pairs held, in order."""
        return list(self.order_by("year", "quarter").values_list("year", "quarter").distinct())


class VillagePeriod(models.Model):
    """A village's poverty figures for one quarter, as reported then: kept, never overwritten;
    or, where the county keeps a register of households, counted from it (households.figures)."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="periods",
                                verbose_name=_("village"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000),
                                                                   MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1),
                                                                         MaxValueValidator(4)])
    poor_households = models.PositiveIntegerField(_("poor households"))
    poor_population = models.PositiveIntegerField(_("poor population"))
    # Either may be unknown where the figures are counted from households (households.figures):
    # the village's whole income is not in a register, nor an income where no one is poor.
    per_capita_income_yuan = models.PositiveIntegerField(_("per-capita net income (yuan)"),
                                                         null=True, blank=True)
    poor_per_capita_income_yuan = models.PositiveIntegerField(
        _("per-capita net income of poor households (yuan)"), null=True, blank=True)
    exited_households = models.PositiveIntegerField(_("households that left poverty"), default=0)
    returned_households = models.PositiveIntegerField(_("households that returned to poverty"),
                                                      default=0)
    new_households = models.PositiveIntegerField(_("newly registered poor households"), default=0)
    from_register = models.BooleanField(_("counted from the household register"), default=False)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    objects = VillagePeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("village statistics for a quarter")
        verbose_name_plural = _("village statistics by quarter")
        ordering = ["year", "quarter", "village__code"]
        constraints = [models.UniqueConstraint(fields=["village", "year", "quarter"],
                                               name="one_figure_set_per_village_and_quarter")]

    def __str__(self):
        return f"{self.village} {self.year}Q{self.quarter}"


class ServiceCenterQuerySet(ZonedQuerySet):
    def of_kind(self, kind):
        return self.filter(kind=kind)

    def existing(self):
        return self.filter(status=ServiceCenter.Status.EXISTING)


class ServiceCenter(Zoned):
    """A service center (or a town health center or village clinic) at a point."""

    class Kind(models.TextChoices):
        RELIEF = "relief", _("relief-policy service center")
        AGRI_POLICY = "agri_policy", _("agricultural-policy service center")
        ELDERLY_CARE = "elderly_care", _("elderly care center")
        CHILDREN_CARE = "children_care", _("left-behind children care center")
        HEALTH_CHECK = "health_check", _("free health check center")
        TOWN_HEALTH_CENTER = "town_health_center", _("town health center")
        VILLAGE_CLINIC = "village_clinic", _("village clinic")

    class Status(models.TextChoices):
        EXISTING = "existing", _("existing")
        PLANNED = "planned", _("planned")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.EXISTING)
    village = models.ForeignKey(Village, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="centers", verbose_name=_("village"))
    history = HistoricalRecords(excluded_fields=["zone"])  # the audit log (the zone is derived)

    objects = ServiceCenterQuerySet.as_manager()

    class Meta:
        verbose_name = _("service center")
        verbose_name_plural = _("service centers")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class ServiceCoverage(OfCounty):
    """What the latest region-wide coverage run found in a county for one kind of service
    center (access.runs.record_region_coverage): the region portal's "services covered". A
    later run of the same service replaces it."""

    service = models.CharField(_("service"), max_length=20, choices=ServiceCenter.Kind.choices)
    region = models.CharField(_("region"), max_length=6)  # the city or province the run was for
    mode = models.CharField(_("mode"), max_length=10)  # network or euclidean
    threshold = models.FloatField(_("threshold"))  # minutes (network) or metres (euclidean)
    villages = models.PositiveIntegerField(_("villages"))
    covered_villages = models.PositiveIntegerField(_("villages covered"))
    poor_population = models.PositiveIntegerField(_("poor population"))
    covered_poor_population = models.PositiveIntegerField(_("poor population covered"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("service coverage")
        verbose_name_plural = _("service coverage")
        constraints = [models.UniqueConstraint(fields=["county", "service"],
                                               name="one_coverage_per_county_and_service")]

    @property
    def poor_share(self):
        return self.covered_poor_population / self.poor_population if self.poor_population else None


class Industry(Zoned):
    """An industry project: a point, optionally a site polygon, and the poor households it drives."""

    class Kind(models.TextChoices):
        MODERN_AGRICULTURE = "modern_agriculture", _("modern agriculture")
        LIVESTOCK = "livestock", _("livestock")
        PLANTING = "planting", _("planting")
        TOURISM = "tourism", _("tourism")
        MANUFACTURING = "manufacturing", _("manufacturing")
        COMMERCE_LOGISTICS = "commerce_logistics", _("commerce and logistics")

    class Status(models.TextChoices):
        EXISTING = "existing", _("existing")
        PLANNED = "planned", _("planned")
        PROPOSED = "proposed", _("proposed")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    site = models.MultiPolygonField(_("site"), srid=SRID, null=True, blank=True)
    poor_households_driven = models.PositiveIntegerField(_("poor households driven"), default=0)
    investment_10k_yuan = models.PositiveIntegerField(_("investment (10,000 yuan)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.EXISTING)

    history = HistoricalRecords(excluded_fields=["zone"])  # the audit log (the zone is derived)

    objects = ZonedQuerySet.as_manager()

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


# The storage CRS stretches a county's lengths by its scale error there (well under 1% within
# a province): a search this much wider finds, through the spatial index, every road that
# lies within the distance in the county's own zone.
SCALE_SLACK = 1.05


class RoadQuerySet(OfCountyQuerySet):
    def within_metres(self, point, metres, srid):
        """The roads within `metres` of `point` (a stored point's expression, such as
        OuterRef("location")) measured in EPSG `srid`, the county's own zone (County.gk_srid)."""
        # Func, not Transform: Transform cannot resolve an OuterRef's output field.
        own_point = Func(point, Value(srid), function="ST_Transform",
                         output_field=models.GeometryField(srid=srid))
        return (self.filter(geometry__dwithin=(point, metres * SCALE_SLACK))
                .annotate(own_geometry=Transform("geometry", srid))
                .filter(own_geometry__dwithin=(own_point, metres)))


class Road(OfCounty):
    """A road segment between junctions, with its class and travel speed."""

    class RoadClass(models.TextChoices):
        NATIONAL = "national", _("national road")
        PROVINCIAL = "provincial", _("provincial road")
        COUNTY = "county", _("county road")
        TOWNSHIP = "township", _("township road")
        VILLAGE = "village", _("village road")

    name = models.CharField(_("name"), max_length=100, blank=True)
    road_class = models.CharField(_("class"), max_length=10, choices=RoadClass.choices)
    speed_kmh = models.FloatField(_("speed (km/h)"), validators=[MinValueValidator(1)])
    oneway = models.BooleanField(_("one-way"), default=False)
    geometry = models.LineStringField(_("geometry"), srid=SRID)
    history = HistoricalRecords()  # the audit log

    objects = RoadQuerySet.as_manager()

    class Meta:
        verbose_name = _("road")
        verbose_name_plural = _("roads")

    def __str__(self):
        return self.name or self.get_road_class_display()


class River(OfCounty):
    """A river or stream line."""

    name = models.CharField(_("name"), max_length=50)
    geometry = models.LineStringField(_("geometry"), srid=SRID)
    synthetic_name = models.BooleanField(_("synthetic name"), default=False)
    history = HistoricalRecords()  # the audit log

    class Meta:
        verbose_name = _("river")
        verbose_name_plural = _("rivers")

    def __str__(self):
        return self.name


class ProtectedAreaQuerySet(OfCountyQuerySet):
    def of_kind(self, kind):
        return self.filter(kind=kind)


class ProtectedArea(OfCounty):
    """Land protected by law from some uses: an ecological protection area or basic farmland."""

    class Kind(models.TextChoices):
        ECOLOGICAL = "ecological_protection", _("ecological protection area")
        FARMLAND = "basic_farmland", _("basic farmland")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    boundary = models.MultiPolygonField(_("boundary"), srid=SRID)
    synthetic = models.BooleanField(_("synthetic sample data"), default=False)

    objects = ProtectedAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("protected area")
        verbose_name_plural = _("protected areas")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class LandCover(models.IntegerChoices):
    """The classes of a land-cover raster (their codes: analysis/landcover.py)."""

    CROPLAND = landcover.CROPLAND, _("cropland")
    ORCHARD = landcover.ORCHARD, _("orchard")
    FOREST = landcover.FOREST, _("forest")
    GRASSLAND = landcover.GRASSLAND, _("grassland")
    BUILT_UP = landcover.BUILT_UP, _("built-up")
    WATER = landcover.WATER, _("water")


class RasterLayer(OfCounty):
    """A county's raster file (GeoTIFF, or a JPEG for the basemap) with its grid and footprint."""

    class Kind(models.TextChoices):
        DEM = "dem", _("elevation")
        LANDCOVER = "landcover", _("land cover")
        BASEMAP = "basemap", _("basemap image")
        SUITABILITY = "suitability", _("suitability")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    path = models.CharField(_("file"), max_length=500)
    srid = models.PositiveIntegerField(_("SRID"))
    resolution = models.FloatField(_("cell size"))
    width = models.PositiveIntegerField(_("columns"))
    height = models.PositiveIntegerField(_("rows"))
    footprint = models.PolygonField(_("footprint"), srid=SRID)
    synthetic = models.BooleanField(_("synthetic sample data"), default=False)
    # Where an imported raster came from: its own cell size (a 250 m DEM warped onto a 30 m
    # grid is still a 250 m model), CRS and classes, and what must be shown with it.
    native_resolution = models.FloatField(_("native cell size (m)"), null=True, blank=True)
    native_crs = models.CharField(_("native CRS"), max_length=20, blank=True)
    scheme = models.CharField(_("class scheme"), max_length=40, blank=True)
    source = models.TextField(_("source"), blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    attribution = models.TextField(_("attribution"), blank=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("raster layer")
        verbose_name_plural = _("raster layers")
        permissions = [("import_rasters", _("Can import the county's DEM and land use"))]

    def __str__(self):
        return self.name



class UserRegion(models.Model):
    """The region a user works in (layers.regions): a county (6 digits) for its planners,
    officials and analysts; a city (4) or the province (2) for officials and analysts who see
    every county below, read-only. A user without one works in the installation's main county."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="+", verbose_name=_("user"))
    code = models.CharField(_("region code"), max_length=6, validators=[RegexValidator(
        r"^(\d{2}|\d{4}|\d{6})$", _("A region is a province (2 digits), a city (4) or a county (6)."))])

    class Meta:
        verbose_name = _("user's region")
        verbose_name_plural = _("users' regions")

    def __str__(self):
        return f"{self.user} @ {self.code}"


class DataVersionQuerySet(models.QuerySet):
    def current(self):
        """The version of the layers' data: it grows when a transaction that changed a row of
        a layer commits (database triggers, migration 0011). Tiles are cached under it."""
        return self.filter(pk=1).values_list("version", flat=True).first() or 0


class DataVersion(models.Model):
    """One row counting the committed changes to the layers' tables (the layer API's and the
    tiles'), kept by database triggers so that bulk writes and raw SQL count too."""

    version = models.BigIntegerField(default=0)

    objects = DataVersionQuerySet.as_manager()
