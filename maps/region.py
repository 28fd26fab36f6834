"""The region portal: the counties of a city or the province, each with its figures, coloured
on the map by poverty incidence or by the share of villages exited; a county drills down to its
own portal. Zoomed in, the villages (by incidence or exit status) and the roads come from the
vector tiles (layers/tiles.py), drawn by Leaflet.VectorGrid: a province's 20,000 villages are
never sent whole.

The counties' figures are their villages' totals, or, for a county whose villages are not loaded
yet, its baseline (registered rural and poor population, poor households). The outlines go in
the page, simplified for the scale of a province, with the figures.
"""
import json
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from batches.models import ANALYSIS_LABELS, Batch
from batches.report import county_rows as batch_county_rows
from batches.report import indicators as batch_indicators
from layers.models import County, ServiceCenter, ServiceCoverage, SimplifyPreserveTopology, Village
from layers.regions import region_name
from layers.tile_api import tile_url

from .frame import Overlay, map_frame
from .portal_text import (EXIT_COLORS, NO_DATA, ROAD_STYLE, choropleth_section, exit_labels,
                          exit_section, incidence_classes, incidence_section, roads_section,
                          share_classes)

# Outlines for a map of a province: about 200 m, beyond what a county-sized screen shows.
OUTLINE_DEGREES = 0.002
# The villages are drawn from this zoom (a county fills the screen), the roads from the tiles'
# first zoom.
VILLAGES_FROM_ZOOM = 9
# The share of a county's villages that have exited: classes of the second choropleth.
EXITED_CLASSES = ((0.25, "#f7fcf5"), (0.5, "#c7e9c0"), (0.75, "#74c476"), (None, "#238b45"))


# A batch's indicators: shares (the poor population a service reaches, the villages that pass an
# exit module) in blues, an industry's suitable land in oranges, by the batch's quartiles.
BATCH_SHARE_CLASSES = ((0.25, "#eff3ff"), (0.5, "#bdd7e7"), (0.75, "#6baed6"), (None, "#2171b5"))
AREA_COLORS = ("#feedde", "#fdbe85", "#fd8d3c", "#d94701")


@dataclass(frozen=True)
class Covered:
    """A service's coverage of the poor population in a county (or the region), from the latest
    region-wide coverage run; `reach` says within what."""

    covered_poor_population: int
    poor_population: int
    reach: str = ""

    @property
    def poor_share(self):
        return self.covered_poor_population / self.poor_population if self.poor_population else None


@dataclass(frozen=True)
class CountyRow:
    adcode: str
    name: str
    villages: int  # loaded village committees (0: the county's baseline only)
    population: int
    poor_households: int
    poor_population: int
    exited: int
    services: tuple = ()  # a Covered (or None) per column of service_columns

    @property
    def incidence(self):
        return self.poor_population / self.population if self.population else None

    @property
    def exited_share(self):
        return self.exited / self.villages if self.villages else None


@dataclass(frozen=True)
class RegionArea:
    """What the map frame fits: the counties' extent in lon/lat."""

    web_boundary: Polygon


def service_columns(counties):
    """{service: {county id: Covered}}: the services a region-wide coverage run has figures for
    in `counties`, in the order of the kinds of center."""
    found = {}
    for row in ServiceCoverage.objects.filter(county__in=counties):
        unit = _("min by road") if row.mode == "network" else _("m in a straight line")
        reach = _("within %(threshold)g %(unit)s, %(when)s") % {
            "threshold": row.threshold, "unit": unit,
            "when": formats.date_format(timezone.localtime(row.computed_at), "SHORT_DATE_FORMAT")}
        found.setdefault(row.service, {})[row.county_id] = Covered(
            row.covered_poor_population, row.poor_population, reach)
    return {kind: found[kind] for kind in ServiceCenter.Kind.values if kind in found}


def county_rows(counties, columns=None):
    """One CountyRow per county of `counties`, in code order: one aggregate over their villages,
    with the services of `columns` (service_columns)."""
    totals = {row.pop("county"): row for row in Village.objects.filter(county__in=counties)
              .values("county").order_by().annotate(
                  villages=Count("pk"), population=Sum("population"),
                  poor_households=Sum("poor_households"), poor_population=Sum("poor_population"),
                  exited=Count("pk", filter=Q(exit_status=Village.ExitStatus.EXITED)))}
    rows = []
    for county in counties.order_by("adcode"):
        found = totals.get(county.pk)
        services = tuple(by_county.get(county.pk) for by_county in (columns or {}).values())
        rows.append(CountyRow(county.adcode, county.name, **found, services=services) if found
                    else CountyRow(county.adcode, county.name, 0, county.rural_population,
                                   county.poor_households, county.poor_population, 0, services))
    return rows


def totals(rows):
    """The region's row: the sums of its counties'."""
    services = tuple(Covered(*(sum(getattr(c, name) for c in column if c) for name in (
        "covered_poor_population", "poor_population"))) for column in zip(*(r.services for r in rows)))
    return CountyRow("", _("All counties"), *(sum(getattr(r, name) for r in rows) for name in (
        "villages", "population", "poor_households", "poor_population", "exited")), services)


def outlines(counties, rows, latest=None):
    """The counties as GeoJSON features (simplified lon/lat) with their figures, and those of
    the `latest` batch."""
    by_code = {row.adcode: row for row in rows}
    keys = [key for key, _label in latest.indicators] if latest else []
    features = []
    for adcode, shape in counties.annotate(_outline=AsGeoJSON(SimplifyPreserveTopology(
            "web_boundary", OUTLINE_DEGREES), precision=4)).values_list("adcode", "_outline"):
        row = by_code[adcode]
        features.append({"type": "Feature", "geometry": json.loads(shape) if shape else None,
                         "properties": {"adcode": adcode, "name": row.name,
                                        "incidence": row.incidence, "exited_share": row.exited_share,
                                        "poor_population": row.poor_population,
                                        "villages": row.villages,
                                        **{key: latest.rows.get(adcode, {}).get(key)
                                           for key in keys}}})
    return {"type": "FeatureCollection", "features": features}


def exited_classes():
    return share_classes(EXITED_CLASSES)


@dataclass(frozen=True)
class LatestBatch:
    """The newest batch of a region (batches/): its indicators and each county's figures."""

    batch: Batch
    indicators: list  # [(key, label)]
    rows: dict  # county code -> batches.report.county_rows' row

    def styles(self):
        """{indicator: its choropleth classes}: shares by fixed classes, land by quartiles."""
        found = {}
        for key, _label in self.indicators:
            if key.startswith("suitability:"):
                values = sorted(r[key] for r in self.rows.values() if r[key] is not None)
                found[key] = area_classes(values)
            else:
                found[key] = share_classes(BATCH_SHARE_CLASSES)
        return found

    def links(self, code):
        """{indicator: the county's own page that shows it}."""
        found = {}
        for key, _label in self.indicators:
            analysis, _sep, item = key.partition(":")
            found[key] = (
                f"{reverse('access:coverage')}?county={code}&service={item}&across_borders=1"
                if analysis == "coverage" else
                f"{reverse('assessment:assessment')}?county={code}&module={item}"
                if analysis == "assessment" else
                f"{reverse('siting:siting')}?county={code}&industry={item}")
        return found


def area_classes(values):
    """Four classes of km² at the quartiles of `values` (sorted; a class per value when fewer)."""
    if not values:
        return [{"upper": None, "color": AREA_COLORS[-1], "label": "—"}]
    cuts = sorted({values[min(len(values) - 1, len(values) * q // 4)] for q in (1, 2, 3)})
    classes, lower = [], 0.0
    for upper, color in zip([*cuts, None], AREA_COLORS[-len(cuts) - 1:]):
        text = f"≥ {lower:,.0f} km²" if upper is None else f"{lower:,.0f} – {upper:,.0f} km²"
        classes.append({"upper": upper, "color": color, "label": text})
        lower = upper if upper is not None else lower
    return classes


def latest_batch(code):
    """The newest batch of region `code` (a city's or the province's), or None."""
    batch = Batch.objects.latest_of(code) if code else None
    if batch is None:
        return None
    rows = batch_county_rows(batch, batch.results.with_counties())
    return LatestBatch(batch, batch_indicators(batch), {row["county"]: row for row in rows})


def region_context(code):
    """Everything the region page shows for the counties of region `code` ("": every county)."""
    counties = County.objects.in_region(code).defer("boundary")
    columns = service_columns(counties)
    rows = county_rows(counties, columns)
    provinces = {row.adcode[:2] for row in rows}
    # What a region-wide run is for: the city or province; every county (a superuser's page)
    # is its one province.
    run_region = code if len(code) in (2, 4) else "".join(provinces) if len(provinces) == 1 else ""
    # A county's user (or one of the main county) sees no region's batch: it is not theirs.
    latest = latest_batch(run_region) if len(code) != 6 else None
    batch_styles = latest.styles() if latest else {}
    extent = counties.aggregate(extent=Extent("web_boundary"))["extent"]
    frame = map_frame([Overlay("counties", _("Counties")), Overlay("villages", _("Villages")),
                       Overlay("roads", _("Roads"))], [
        incidence_section(), choropleth_section(_("Villages exited"), exited_classes()),
        *(batch_legend(latest, batch_styles) if latest else ()),
        exit_section(), roads_section()],
        {"incidence": _("Poverty incidence"), "exited_share": _("Villages exited"),
         "poor_population": _("Poor population"), "villages": _("Villages"),
         "open_county": _("Open the county's portal"), "no_data": _("no data"), "code": _("Code"),
         "town": _("Town"), "exit_status": _("Exit status")},
        page={"counties": outlines(counties, rows, latest), "portal": reverse("maps:home"),
              "indicators": dict(latest.indicators) if latest else {},
              "tiles": {name: tile_url(name) for name in ("villages", "roads")},
              "exit_labels": exit_labels(),
              "villages_from_zoom": VILLAGES_FROM_ZOOM,
              "styles": {"incidence": incidence_classes(), "exited_share": exited_classes(),
                         **batch_styles,
                         "no_data": NO_DATA, "exit": EXIT_COLORS,
                         "roads": {k: {"color": c, "weight": w} for k, (c, w) in ROAD_STYLE.items()}}},
        area=RegionArea(Polygon.from_bbox(extent)) if extent else None)
    return {"code": code, "name": region_name(code), "rows": rows, "total": totals(rows),
            "services": [ServiceCenter.Kind(kind).label for kind in columns], "frame": frame,
            "run_region": run_region, "center_kinds": ServiceCenter.Kind.choices,
            "latest": latest, "batch_rows": batch_table(latest, rows) if latest else [],
            "batch_analyses": list(ANALYSIS_LABELS.items())}


def batch_legend(latest, styles):
    """The legend of the latest batch's indicators: one section for the shares (they share
    their classes), one for each industry's land."""
    shares = [key for key, _label in latest.indicators if not key.startswith("suitability:")]
    found = [choropleth_section(_("Latest batch: poor population reached, villages that pass"),
                                styles[shares[0]])] if shares else []
    return found + [choropleth_section(label, styles[key]) for key, label in latest.indicators
                    if key.startswith("suitability:")]


def batch_table(latest, rows):
    """The latest batch's table: per county (in code order), each indicator's value, whether it
    is a share, and the county's page that shows it; and the reasons of its failed tasks."""
    table = []
    for row in rows:
        found = latest.rows.get(row.adcode)
        links = latest.links(row.adcode)
        table.append({"adcode": row.adcode, "name": row.name,
                      "cells": [{"value": found[key] if found else None, "link": links[key],
                                 "share": not key.startswith("suitability:")}
                                for key, _label in latest.indicators],
                      "failed": found["failed"] if found else []})
    return table
