"""The register of poor households: each household, its members, its helper (包扶干部), the
append-only log of its status, its per-capita net income by quarter; the poverty line by year;
and the log of every export of households.

Personal fields (names, ID numbers, phone numbers) are shown only to holders of the permission
`households.see_personal_data`, which only a county's own users can hold (layers.regions); they
never go into a URL, a log line, a tile, a layer or the audit log (no row here keeps a history of
its fields, and each row's str() is its code).
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analysis import register
from layers.models import OfCounty, OfCountyQuerySet, Village

SEE_PERSONAL_DATA = "households.see_personal_data"
# Importing a register adds and changes households and reads their personal data.
IMPORT_PERMISSIONS = ("households.add_household", "households.change_household",
                      SEE_PERSONAL_DATA)


class Cadre(OfCounty):
    """A cadre who helps poor households (包扶干部): named on each household's plaque."""

    name = models.CharField(_("name"), max_length=50)  # personal
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)  # personal

    class Meta:
        verbose_name = _("helping cadre")
        verbose_name_plural = _("helping cadres")
        constraints = [models.UniqueConstraint(fields=["county", "name", "phone"],
                                               name="one_cadre_per_name_and_phone")]

    def __str__(self):
        return str(self.unit or self._meta.verbose_name)  # never the name: str() reaches logs


class HouseholdQuerySet(OfCountyQuerySet):
    county_lookup = "village__county"

    def on_list(self):
        """Households poor today: registered, returned or newly registered."""
        return self.filter(status__in=Household.ON_LIST)

    def with_latest_income(self):
        """Each household with its latest per-capita net income (`latest_income`), that
        income's `latest_year` and `latest_quarter`, and the poverty line of that year
        (`line`); None where no income is recorded or no line is set."""
        latest = HouseholdIncome.objects.filter(household=models.OuterRef("pk")).order_by(
            "-year", "-quarter")
        return self.annotate(**{name: models.Subquery(latest.values(field)[:1]) for name, field in (
            ("latest_year", "year"), ("latest_quarter", "quarter"),
            ("latest_income", "per_capita_income_yuan"))}).annotate(line=models.Subquery(
                PovertyLine.objects.filter(year=models.OuterRef("latest_year")).values("yuan")[:1]))

    def meeting_exit_standard(self):
        """Households whose latest income is above the poverty line of its year, with
        两不愁三保障 all met: counted in the database (households.standard checks each household
        and says why it fails)."""
        return self.with_latest_income().filter(latest_income__gt=models.F("line"),
                                                **dict.fromkeys(Household.GUARANTEES, True))


class Household(models.Model):
    """A poor household of the register (建档立卡贫困户), known by its code."""

    class Category(models.TextChoices):
        INDUSTRY_SUPPORT = "industry_support", _("industry-support household")
        LIVELIHOOD_GUARANTEE = "livelihood_guarantee", _("livelihood-guarantee household")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        EXITED = "exited", _("left poverty")
        RETURNED = "returned", _("returned to poverty")
        NEW = "new", _("newly registered")

    ON_LIST = (Status.REGISTERED, Status.RETURNED, Status.NEW)
    # 两不愁、三保障: the household's guarantees, in the report's order.
    GUARANTEES = ("enough_food", "enough_clothing", "education_assured", "medical_care_assured",
                  "housing_safe")

    village = models.ForeignKey(Village, on_delete=models.PROTECT,
                                related_name="poor_household_register", verbose_name=_("village"))
    code = models.CharField(_("household code"), max_length=30, unique=True)
    head_name = models.CharField(_("head of household"), max_length=50)  # personal
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    cadre = models.ForeignKey(Cadre, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="households", verbose_name=_("helping cadre"))
    registered_on = models.DateField(_("registered on"))
    target_exit_year = models.PositiveSmallIntegerField(
        _("target exit year"), null=True, blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    # The status of the latest event (HouseholdEvent): kept here to be counted and filtered.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              editable=False)
    enough_food = models.BooleanField(_("enough food (不愁吃)"), default=False)
    enough_clothing = models.BooleanField(_("enough clothing (不愁穿)"), default=False)
    education_assured = models.BooleanField(_("compulsory education assured"), default=False)
    medical_care_assured = models.BooleanField(_("basic medical care assured"), default=False)
    housing_safe = models.BooleanField(_("safe housing assured"), default=False)
    synthetic = models.BooleanField(_("synthetic sample data"), default=False)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("poor household")
        verbose_name_plural = _("poor households")
        ordering = ["code"]
        permissions = [("see_personal_data",
                        "Can see households' personal data (names, ID numbers, phones)")]

    def __str__(self):
        return self.code  # never the head's name: str() reaches logs and the admin's messages

    def take_latest_status(self):
        """Set `status` to that of the latest change (by date, then as recorded)."""
        latest = self.events.order_by("-on", "-pk").values_list("status", flat=True).first()
        if latest and latest != self.status:
            self.status = latest
            Household.objects.filter(pk=self.pk).update(status=latest)

    @property
    def guarantees_met(self):
        return all(getattr(self, name) for name in self.GUARANTEES)


class Member(models.Model):
    """A member of a poor household, with the facts that decide which services they need."""

    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members",
                                  verbose_name=_("household"))
    name = models.CharField(_("name"), max_length=50)  # personal
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)  # personal
    relation = models.CharField(_("relation to the head"), max_length=20)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), validators=[MinValueValidator(1900), MaxValueValidator(2100)])
    lives_alone = models.BooleanField(_("lives alone"), default=False)
    left_behind_child = models.BooleanField(_("left-behind child"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    subsistence = models.BooleanField(_("receives 低保 or 特困 support"), default=False)
    in_school = models.BooleanField(_("in school"), default=False)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "pk"]

    def __str__(self):
        return f"{self.household.code} {self.relation}"  # never the name

    @property
    def masked_id_number(self):
        """The ID number as shown everywhere but on the household's own page: its first 3 and
        last 4 characters."""
        number = self.id_number
        return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "*" * len(number)


class HouseholdEvent(models.Model):
    """A change of a household's status, on the day it happened: appended, never changed
    (a database trigger refuses an UPDATE: migration 0002)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="events",
                                  verbose_name=_("household"))
    status = models.CharField(_("status"), max_length=10, choices=Household.Status.choices)
    on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("household status change")
        verbose_name_plural = _("household status changes")
        ordering = ["household", "on", "pk"]

    def __str__(self):
        return f"{self.household.code} {self.on} {self.get_status_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("a household's status changes are kept as recorded"))
        super().save(*args, **kwargs)
        self.household.take_latest_status()


# analysis.register's status numbers, by the model's statuses.
STATUS_NUMBERS = {Household.Status.REGISTERED: register.REGISTERED,
                  Household.Status.EXITED: register.EXITED,
                  Household.Status.RETURNED: register.RETURNED,
                  Household.Status.NEW: register.NEW}
CATEGORY_NUMBERS = {Household.Category.INDUSTRY_SUPPORT: register.INDUSTRY_SUPPORT,
                    Household.Category.LIVELIHOOD_GUARANTEE: register.LIVELIHOOD_GUARANTEE}


class HouseholdIncome(models.Model):
    """A household's per-capita net income (yuan a year) as measured in a quarter."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="incomes",
                                  verbose_name=_("household"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000),
                                                                   MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1),
                                                                         MaxValueValidator(4)])
    per_capita_income_yuan = models.PositiveIntegerField(_("per-capita net income (yuan)"))

    class Meta:
        verbose_name = _("household income for a quarter")
        verbose_name_plural = _("household incomes by quarter")
        ordering = ["household", "year", "quarter"]
        constraints = [models.UniqueConstraint(fields=["household", "year", "quarter"],
                                               name="one_income_per_household_and_quarter")]


class PovertyLine(models.Model):
    """The poverty line of a year: per-capita net income (yuan a year) at constant prices."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    yuan = models.PositiveIntegerField(_("poverty line (yuan per person a year)"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("poverty line")
        verbose_name_plural = _("poverty lines")
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}: {self.yuan}"


class HouseholdExport(models.Model):
    """An export of households: who, when, which county, in what format, how many rows and
    whether it held personal data. Written before the file is sent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             null=True, verbose_name=_("user"))  # None: a command without --as
    at = models.DateTimeField(_("at"), default=timezone.now)
    county = models.CharField(_("county"), max_length=6)
    format = models.CharField(_("format"), max_length=10)
    rows = models.PositiveIntegerField(_("rows"))
    personal = models.BooleanField(_("with personal data"))

    class Meta:
        verbose_name = _("export of households")
        verbose_name_plural = _("exports of households")
        ordering = ["-at"]
