"""The layers that files import into and export from, declared as data: model, geometry, key and columns.

A column names the model field it fills, the other headers it is known by (Chinese ones too,
matched without regard to case) and, where the model field's type does not say enough, how a
cell becomes a value. Exports write each column under its name, or its short name in a
shapefile (DBF field names have at most 10 characters); imports accept any of the names.
"""
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from analysis.network import ROAD_SPEED_KMH

from .models import County, Industry, ProtectedArea, Road, ServiceCenter, Town, Village, Zone
from .roles import view_permission

TRUE = {"1", "true", "t", "yes", "y", "是", "有", "√"}
FALSE = {"0", "false", "f", "no", "n", "否", "无", "×"}


@dataclass(frozen=True)
class Code:
    """A code of `digits` digits, kept as text: a number that lost leading zeros is refused."""

    digits: int

    def __call__(self, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        # Full-width digits (typed in a Chinese input method) are digits; other scripts' are not.
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if not (len(text) == self.digits and text.isascii() and text.isdigit()):
            hint = _(" (store codes as text: a number loses leading zeros and digits)") \
                if isinstance(value, (int, float)) or "e+" in text.lower() else ""
            raise ValueError(_("%(value)s is not a code of %(digits)d digits%(hint)s")
                             % {"value": text, "digits": self.digits, "hint": hint})
        return text


def town_by_code(value):
    code = Code(9)(value)
    town = Town.objects.filter(code=code).first()
    if town is None:
        raise ValueError(_("no town has the code %(code)s") % {"code": code})
    return town


def industry_kinds(value):
    """Industry types separated by commas: 'planting,tourism' (codes or labels)."""
    kind = Industry._meta.get_field("kind")
    return [choice(kind, part) for part in str(value).replace("，", ",").replace("、", ",").split(",")
            if part.strip()]


def choice(model_field, value):
    """A choice given by its code or by its label in any of the site's languages."""
    text = str(value).strip()
    if text in dict(model_field.flatchoices):
        return text
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in model_field.flatchoices:
                if text.casefold() == str(label).casefold():
                    return code
    raise ValueError(_("%(value)s is not one of %(codes)s")
                     % {"value": text, "codes": ", ".join(c for c, _label in model_field.flatchoices)})


def boolean(value):
    text = str(value).strip().casefold()
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise ValueError(_("%(value)s is not yes or no (是/否, true/false, 1/0)") % {"value": value})


def number(value):
    try:
        result = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueError(_("%(value)s is not a number") % {"value": value}) from None
    if not math.isfinite(result):
        raise ValueError(_("%(value)s is not a number") % {"value": value})
    return result


def whole(value):
    result = number(value)
    if not result.is_integer() or result < 0:
        raise ValueError(_("%(value)s is not a whole number of zero or more") % {"value": value})
    return int(result)


def convert(model_field, value):
    """A cell's value as `model_field` stores it; raises ValueError with the reason."""
    if model_field.choices:
        return choice(model_field, value)
    if isinstance(model_field, models.BooleanField):
        return boolean(value)
    if isinstance(model_field, models.IntegerField):
        return whole(value)
    if isinstance(model_field, models.FloatField):
        return number(value)
    return str(value).strip()


@dataclass(frozen=True)
class Column:
    name: str  # the header exports write
    aliases: tuple = ()  # other headers imports accept
    field: str = ""  # the model field it fills (default: name)
    short: str = ""  # the header in a shapefile, if `name` is longer than 10 characters
    required: bool = False  # a new row must have it
    parse: Callable | None = None  # cell -> value, when the model field's type is not enough
    lookup: str = ""  # what exports read (default: field)

    @property
    def target(self):
        return self.field or self.name

    @property
    def headers(self):
        return {h.casefold() for h in (self.name, self.short, *self.aliases) if h}

    @property
    def shp_name(self):
        return self.short or self.name


@dataclass(frozen=True)
class Dataset:
    model: type
    geometry: dict  # shape ("polygon", "point" or "line") -> model field; the first is exported
    key: tuple  # model fields that match a row to an existing one; () adds every row
    columns: tuple
    # Fields a new row gets when the file does not give them: field -> function of its values
    # (run in order; raise ValueError to refuse the row).
    defaults: dict = field(default_factory=dict)
    at_most: tuple = ()  # (lesser, greater) field pairs checked on every row written
    table_updates: bool = False  # a table without coordinates may update existing rows

    def queryset(self, county):
        """The rows of `county` an export writes."""
        rows = self.model.objects.of_county(county)
        return rows.in_force() if self.model is Zone else rows

    @property
    def permission(self):
        """The permission to read the layer."""
        return view_permission(self.model)

    def import_permissions(self, replace=False):
        """The permissions to import into the layer: add and change its rows, and with
        `replace` delete them."""
        meta = self.model._meta
        actions = ("add", "change", "delete") if replace else ("add", "change")
        return [f"{meta.app_label}.{action}_{meta.model_name}" for action in actions]

    @property
    def point_field(self):
        return self.geometry.get("point")


def name_column(required=True):
    return Column("name", ("名称", "名字"), required=required)


def in_town(values):
    """The town of the county (values["county"], the import's) that holds the committee."""
    town = Town.objects.of_county(values["county"]).filter(boundary__contains=values["location"]).first()
    if town is None:
        raise ValueError(_("the village committee lies in no town; give a town_code column"))
    return town


FIGURES = (
    Column("households", ("户数", "总户数")),
    Column("population", ("人口", "总人口", "户籍人口")),
    Column("poor_households", ("贫困户", "贫困户数"), short="poor_hh"),
    Column("poor_population", ("贫困人口",), short="poor_pop"),
    Column("industry_support_households", ("产业扶持户",), short="ind_hh"),
    Column("livelihood_guarantee_households", ("民生保障户",), short="live_hh"),
    Column("exit_status", ("退出状态", "贫困状态"), short="exit_stat"),
    Column("exit_year", ("退出年份", "脱贫年份")),
    Column("target_year", ("目标年份", "计划退出年份"), short="target_yr"),
)
EXIT_INDICATORS = (
    Column("water_connected", ("通水",), short="water"),
    Column("electricity_connected", ("通电",), short="power"),
    Column("road_connected", ("通路", "通公路"), short="road"),
    Column("tv_connected", ("通广播电视",), short="tv"),
    Column("internet_connected", ("通网络", "通宽带"), short="internet"),
    Column("has_collective_org", ("集体经济组织",), short="collective"),
    Column("leading_industries", ("主导产业",), short="lead_ind"),
    Column("has_office_space", ("办公场所", "活动场所"), short="office"),
    Column("has_clinic", ("卫生室",)),
    Column("all_housing_safe", ("住房安全",), short="housing"),
    Column("households_short_of_guarantees", ("两不愁三保障未达标户", "未达两不愁三保障户"),
           short="short_3g"),
    Column("organisation_strengthened", ("三力作用增强", "村级组织三力"), short="three_frc"),
    Column("no_poor_party_members", ("无贫困党员户",), short="party_ok"),
    Column("cooperatives", ("合作社",), short="coops"),
    Column("collective_income_yuan", ("集体收入", "集体经济收入"), short="coll_inc"),
    Column("connections_high_standard", ("高标准五通",), short="conn_high"),
    Column("office_fully_equipped", ("办公设施齐全",), short="office_eq"),
    Column("clinic_standardised", ("卫生室标准化",), short="clinic_std"),
    Column("has_environment_facilities", ("环境设施",), short="env_facil"),
    Column("environment_clean", ("环境整洁",), short="env_clean"),
    Column("social_security_sound", ("社会保障",), short="social_sec"),
)
KIND = Column("kind", ("类型", "类别", "type"), required=True)
STATUS = Column("status", ("状态",))

DATASETS = {
    "county": Dataset(County, {"polygon": "boundary"}, ("adcode",), (
        Column("adcode", ("行政区划代码", "区划代码", "代码", "code"), required=True, parse=Code(6)),
        name_column(),
        Column("name_en", ("英文名",)),
        Column("rural_population", ("农村人口", "农村户籍人口"), short="rural_pop", required=True),
        Column("poor_households", ("贫困户", "贫困户数"), short="poor_hh", required=True),
        Column("poor_population", ("贫困人口",), short="poor_pop", required=True),
    ), at_most=(("poor_population", "rural_population"),)),
    "towns": Dataset(Town, {"polygon": "boundary"}, ("code",), (
        Column("code", ("乡镇代码", "代码", "town_code"), required=True, parse=Code(9)),
        name_column(),
        Column("kind", ("类型",)),
    ), defaults={"seat": lambda values: values["boundary"].point_on_surface}),
    "zones": Dataset(Zone, {"polygon": "boundary"}, ("code",), (
        Column("code", ("片区代码", "代码", "片区"), required=True),
        name_column(),
        Column("theme", ("主题", "定位")),
        Column("color", ("颜色",)),
        Column("preferred_industries", ("主导产业", "产业"), short="industries",
               parse=industry_kinds),
    )),
    "villages": Dataset(Village, {"polygon": "boundary", "point": "location"}, ("code",), (
        Column("code", ("村代码", "行政村代码", "代码", "village_code"), required=True,
               parse=Code(12)),
        name_column(),
        Column("town_code", ("乡镇代码",), field="town", parse=town_by_code, lookup="town__code"),
        *FIGURES, *EXIT_INDICATORS,
    ), defaults={"location": lambda values: values["boundary"].point_on_surface,
                 "town": in_town},
        at_most=(("poor_population", "population"), ("poor_households", "households")),
        table_updates=True),
    "centers": Dataset(ServiceCenter, {"point": "location"}, ("kind", "name"), (
        KIND, name_column(), Column("capacity", ("容量", "床位")), STATUS)),
    "industries": Dataset(Industry, {"point": "location"}, ("kind", "name"), (
        KIND, name_column(), STATUS,
        Column("poor_households_driven", ("带动贫困户", "带动贫困户数"), short="poor_drive"),
        Column("investment_10k_yuan", ("投资", "投资万元", "投资（万元）"), short="invest"),
    )),
    "roads": Dataset(Road, {"line": "geometry"}, (), (
        name_column(required=False),
        Column("road_class", ("等级", "道路等级", "class"), required=True),
        Column("speed_kmh", ("时速", "速度", "设计时速", "speed")),
        Column("oneway", ("单行", "单向")),
    ), defaults={"speed_kmh": lambda values: ROAD_SPEED_KMH[values["road_class"]]}),
    # Ecological protection areas (生态保护红线) and basic farmland (永久基本农田), which exclude
    # land from industry siting.
    "protected_areas": Dataset(ProtectedArea, {"polygon": "boundary"}, ("kind", "name"), (
        KIND, name_column())),
}
