"""Load the generated sample county (data.sample) into the database, all or nothing."""
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import rasterio
import shapely
from rasterio.enums import Resampling
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from analysis import warping
from analysis.register import INDUSTRY_SUPPORT
from gisplan.api import Refusal
from households.models import Cadre, Household, HouseholdEvent, HouseholdIncome, Member
from layers.basemap import basemap_image, write_jpeg
from layers.models import (County, Industry, PlanVersion, ProtectedArea, RasterLayer, River, Road,
                           ServiceCenter, Town, Village, VillagePeriod, Zone)
from layers.rasters import county_grid

from .sample import places
from .sample.build import GENERATOR_VERSION, build_sample
from .sample.counties import city_specs, luonan
from .sample.people import cadres_for, members_of
from .sample.periods import QUARTERS

# Everything the sample writes, in an order that deletes cleanly.
LAYER_MODELS = (Household, Cadre, ServiceCenter, Industry, VillagePeriod, Village, Zone,
                PlanVersion, Road, River, ProtectedArea, RasterLayer, Town, County)
ZONE_COUNT_WORDS = {3: "三", 4: "四"}


class NotSampleData(Refusal):
    """The database holds a county that is not the sample; loading would replace it."""


@dataclass(frozen=True)
class LoadResult:
    loaded: bool  # False when an up-to-date sample was already there
    counts: dict  # model verbose name -> rows


def is_loaded(spec):
    """Whether the county of `spec` is in the database as this generator makes it."""
    county = County.objects.filter(adcode=spec.adcode, synthetic=True).first()
    return (county is not None and county.sample_version == GENERATOR_VERSION
            and all(Path(r.path).exists() for r in RasterLayer.objects.of_county(county)
                    .filter(synthetic=True)))


def load_sample(folder, reset=False, progress=lambda stage: None, city=False):
    """Build the sample county (Luonan) into `folder` and load it, and with `city` the six other
    counties of Shangluo into its subfolders, unless they are loaded and up to date.

    A stale Luonan (from an older generator) empties every layer, with whatever was edited in
    them, before the sample is loaded again; a stale or missing county of the city replaces that
    county's rows only. A real county is replaced only with `reset`.
    """
    specs = [luonan(), *(city_specs() if city else [])]
    if reset:
        missing = specs
    else:
        missing = [spec for spec in specs if not is_loaded(spec)]
        if not missing:
            return LoadResult(False, _counts())
        real = County.objects.filter(synthetic=False).first()
        if real:
            raise NotSampleData(f"the database holds the county {real.name} ({real.adcode}), not "
                                f"the sample; --reset would replace it and every layer")
    starting_again = missing[0] is specs[0]  # Luonan: the whole sample is loaded again
    if starting_again:
        missing = specs
    folder = Path(folder)
    built = []
    for spec in missing:
        into = folder if spec is specs[0] else folder / spec.adcode
        sample = build_sample(into, spec, progress=lambda stage, name=spec.name: progress(f"{name} {stage}"))
        built.append((sample, into / "basemap.jpg", _basemap(sample, into / "basemap.jpg")))
    with transaction.atomic():
        replaced = [County.objects.all()] if starting_again else [
            County.objects.filter(adcode=spec.adcode) for spec in missing]
        for counties in replaced:
            for model in LAYER_MODELS:
                model.objects.filter(**{_county_path(model) + "__in": counties}).delete()
        for sample, basemap_path, basemap_bounds in built:
            _write(sample, basemap_path, basemap_bounds)
    _analyze()
    progress("database")
    return LoadResult(True, _counts())


def _analyze():
    """Gather the planner's statistics of the tables just filled, as after any bulk load: a
    server whose autovacuum is off or has not woken yet would plan queries over 500,000 incomes
    as if the tables were empty."""
    # Raw SQL: ANALYZE has no ORM form.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _county_path(model):
    """The lookup from a row of `model` to its county."""
    return "pk" if model is County else model.objects.get_queryset().county_lookup


def _basemap(sample, path):
    """Write the county's offline basemap (hillshade over land cover); its bounds in EPSG:3857."""
    by_kind = {r.kind: r for r in sample.rasters}
    with rasterio.open(by_kind["dem"].path) as dem, \
            rasterio.open(by_kind["landcover"].path) as cover:
        return write_jpeg(*basemap_image(dem, cover, shapely.geometry.mapping(sample.boundary)),
                          path)


def _geos(geom, srid=places.STORAGE_SRID):
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=srid)


def _multi(geom):
    geos = _geos(geom)
    return geos if geos.geom_type == "MultiPolygon" else MultiPolygon(geos, srid=geos.srid)


def _write(sample, basemap_path, basemap_bounds):
    spec = sample.spec
    county = County.objects.create(
        adcode=spec.adcode, name=spec.name, name_en=spec.name_en,
        boundary=_multi(sample.boundary), rural_population=spec.rural_population,
        poor_households=spec.poor_households, poor_population=spec.poor_population,
        synthetic=True, source=spec.source_note, sample_version=GENERATOR_VERSION,
        grid_cell=spec.cell)  # the grid the sample's rasters are generated on
    towns = Town.objects.bulk_create(
        Town(county=county, code=t.code, name=t.name, kind=t.kind, boundary=_multi(t.boundary),
             seat=_geos(t.seat)) for t in sample.towns)
    plan = PlanVersion.objects.create(county=county, name=f"{ZONE_COUNT_WORDS[len(spec.zone_plan)]}大片区规划（示例）",
                                      status=PlanVersion.Status.APPROVED,
                                      note="合成示例数据 synthetic sample")
    loaded = {"default_change_reason": "sample county loaded", "default_date": timezone.now()}
    bulk_create_with_history([
        Zone(plan=plan, code=z.code, name=z.name, theme=z.theme,
             preferred_industries=list(z.industries), color=z.color,
             boundary=_multi(sample.zones[z.code])) for z in spec.zone_plan], Zone, **loaded)
    # Every plan object starts its history (the audit log) here, so that the first change to
    # one lists the fields it changed.
    short = (sample.register.short_of_guarantees(len(sample.villages)) if spec.households
             else np.zeros(len(sample.villages), dtype=int))
    villages = bulk_create_with_history([
        Village(county=county, code=v.code, name=v.name, kind=v.kind, town=towns[v.town], location=_geos(v.point),
                boundary=_multi(v.boundary), households_short_of_guarantees=int(short[i]),
                **_figure_fields(v.figures))
        for i, v in enumerate(sample.villages)], Village, **loaded)
    VillagePeriod.objects.bulk_create(
        VillagePeriod(village=villages[p.village], year=p.year, quarter=p.quarter,
                      poor_households=p.poor_households, poor_population=p.poor_population,
                      per_capita_income_yuan=p.per_capita_income_yuan,
                      poor_per_capita_income_yuan=p.poor_per_capita_income_yuan,
                      exited_households=p.exited_households,
                      returned_households=p.returned_households, new_households=p.new_households,
                      from_register=spec.households)
        for p in sample.periods)
    if spec.households:
        _write_register(sample, county, villages)
    bulk_create_with_history([
        ServiceCenter(county=county, kind=c.kind, name=c.name, location=_geos(c.point), capacity=c.capacity,
                      status=c.status, village=None if c.village is None else villages[c.village])
        for c in sample.centers], ServiceCenter, **loaded)
    bulk_create_with_history([
        Industry(county=county, kind=i.kind, name=i.name, location=_geos(i.point),
                 site=None if i.site is None else _multi(i.site),
                 poor_households_driven=i.poor_households_driven,
                 investment_10k_yuan=i.investment_10k_yuan, status=i.status)
        for i in sample.industries], Industry, **loaded)
    bulk_create_with_history([
        Road(county=county, name=r.name, road_class=r.road_class, speed_kmh=r.speed_kmh, geometry=_geos(r.line))
        for r in sample.roads], Road, **loaded)
    bulk_create_with_history([
        River(county=county, name=name, geometry=_geos(line), synthetic_name=synthetic)
        for name, line, synthetic in sample.rivers], River, **loaded)
    ProtectedArea.objects.bulk_create(
        ProtectedArea(county=county, kind=kind, name=spec.protected_names[kind], boundary=_multi(area), synthetic=True)
        for kind, area in sample.protected.items() if not area.is_empty)
    RasterLayer.objects.bulk_create(
        RasterLayer(county=county, name=r.name, kind=r.kind, path=str(r.path), srid=county.gk_srid,
                    resolution=r.resolution, width=r.width, height=r.height,
                    footprint=_box(r.bounds, county.gk_srid), synthetic=True,
                    native_resolution=sample_cell, native_crs=f"EPSG:{places.STORAGE_SRID}",
                    source="gisplan sample county generator")
        for r, sample_cell in _in_own_zone(sample.rasters, county))
    footprint = _box(basemap_bounds, 3857)
    RasterLayer.objects.create(county=county, name="离线底图（合成）", kind=RasterLayer.Kind.BASEMAP,
                               path=str(basemap_path), srid=3857, resolution=0, width=0, height=0,
                               footprint=footprint, synthetic=True)
    for model in (Village, ServiceCenter, Industry):
        model.objects.of_county(county).assign_zones()
    County.objects.filter(pk=county.pk).derive_web_shapes()
    for model in (Town, Village):
        model.objects.filter(county=county).derive_web_shapes()
    Zone.objects.of_county(county).derive_web_shapes()


# The sample's statuses (analysis.register's numbers) as the register's.
STATUSES = (Household.Status.REGISTERED, Household.Status.EXITED, Household.Status.RETURNED,
            Household.Status.NEW)
BATCH = 5000


def _write_register(sample, county, villages):
    """The county's register of poor households: households, members, cadres, the status log
    and incomes, all marked synthetic (the names are generated, data/sample/people.py)."""
    register = sample.register
    rng = np.random.default_rng(sample.spec.periods_seed + 1)
    cadre_records, cadre_of = cadres_for(len(register.village), rng)
    cadres = Cadre.objects.bulk_create(Cadre(county=county, name=c.name, unit=c.unit, phone=c.phone)
                                       for c in cadre_records)
    first_day = [date(year, 3 * quarter - 2, 1) for year, quarter in QUARTERS]
    last_day = [date(year + quarter // 4, 3 * quarter % 12 + 1, 1) - timedelta(days=1)
                for year, quarter in QUARTERS]
    before = date(QUARTERS[0][0] - 1, 12, 31)  # the register's first households, end of 2013

    def day(quarter, offset):
        return before if quarter < 0 else min(first_day[quarter] + timedelta(days=offset),
                                              last_day[quarter])

    registered, status, serial = {}, register.status, {}
    for h, quarter, _state, offset in register.events:
        registered.setdefault(h, day(quarter, offset))
    heads = {}
    members = members_of(register, county.adcode, rng)
    for m in members:
        heads.setdefault(m.household, m.name)
    households = []
    for h, v in enumerate(register.village):
        village = villages[v]
        serial[v] = serial.get(v, 0) + 1
        households.append(Household(
            village=village, code=f"{village.code}{serial[v]:04d}", head_name=heads[h],
            category=(Household.Category.INDUSTRY_SUPPORT if register.category[h] == INDUSTRY_SUPPORT
                      else Household.Category.LIVELIHOOD_GUARANTEE),
            cadre=cadres[cadre_of[h]], registered_on=registered[h],
            target_exit_year=int(register.target_year[h]), status=STATUSES[status[h]],
            synthetic=True, **dict(zip(Household.GUARANTEES, map(bool, register.guarantees[h])))))
    households = Household.objects.bulk_create(households, batch_size=BATCH)
    Member.objects.bulk_create((Member(
        household=households[m.household], name=m.name, id_number=m.id_number,
        relation=m.relation, sex=m.sex, birth_year=m.birth_year, lives_alone=m.lives_alone,
        left_behind_child=m.left_behind_child, disabled=m.disabled, subsistence=m.subsistence,
        in_school=m.in_school) for m in members), batch_size=BATCH)
    HouseholdEvent.objects.bulk_create((
        HouseholdEvent(household=households[h], status=STATUSES[state], on=day(quarter, offset),
                       note="合成示例数据")
        for h, quarter, state, offset in register.events), batch_size=BATCH)
    HouseholdIncome.objects.bulk_create((
        HouseholdIncome(household=households[h], year=QUARTERS[k][0], quarter=QUARTERS[k][1],
                        per_capita_income_yuan=int(register.income[h, k]))
        for h, k in zip(*np.nonzero(~np.isnan(register.income)))), batch_size=BATCH)


def _in_own_zone(rasters, county):
    """The sample's rasters (generated on a grid of the storage CRS) and their cell sizes, as
    the county analyses them: warped beside them onto its own analysis grid
    (layers.rasters.county_grid) where its Gauss-Krüger zone is another, as an import would."""
    if county.gk_srid == places.STORAGE_SRID:
        return [(r, r.resolution) for r in rasters]
    grid, warped = county_grid(county), []
    for r in rasters:
        path = r.path.with_name(f"{r.path.stem}-{county.gk_srid}.tif")
        how = ((Resampling.bilinear, "float32", warping.ELEVATION_NODATA) if r.kind == "dem"
               else (Resampling.nearest, "uint8", warping.CLASS_NODATA))
        with rasterio.open(r.path) as source:
            warping.warp(source, source.crs, grid, path, *how)
        warped.append((replace(r, path=path, resolution=grid.cell[0], width=grid.width,
                               height=grid.height, bounds=grid.bounds), r.resolution))
    return warped


def _box(bounds, srid):
    box = Polygon.from_bbox(bounds)
    box.srid = srid
    return box


def _figure_fields(f):
    return dict(
        population=f.population, households=f.households, poor_population=f.poor_population,
        poor_households=f.poor_households,
        industry_support_households=f.industry_support_households,
        livelihood_guarantee_households=f.livelihood_guarantee_households,
        exit_status=f.exit_status, exit_year=f.exit_year, target_year=f.target_year,
        leading_industries=f.leading_industries, cooperatives=f.cooperatives,
        collective_income_yuan=f.collective_income_yuan, **f.flags)


def _counts():
    return {model._meta.verbose_name_plural: model.objects.count() for model in reversed(LAYER_MODELS)}
