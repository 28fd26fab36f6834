import shutil
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from layers.commands import CountyCommand
from layers.models import Industry
from layers.roles import RUN_ANALYSIS
from siting.runs import DEFAULT_TOP, SitingOptions, run_siting
from siting.sites_file import SUFFIXES, write_sites


class Command(CountyCommand):
    help = ("Score the county for an industry's fit (a cloud-optimised GeoTIFF), write its "
            "candidate sites beside it and print the best of them.")
    needs = (RUN_ANALYSIS,)

    def add_arguments(self, parser):
        parser.add_argument("--industry", required=True, choices=Industry.Kind.values)
        parser.add_argument("--zone", metavar="CODE",
                            help="score only this zone of the county's plan in force")
        parser.add_argument("--out", type=Path, help="the surface GeoTIFF (default "
                            "suitability-INDUSTRY[-ZONE].tif here)")
        parser.add_argument("--sites", type=Path, help="the candidate sites, .geojson (lon/lat) "
                            "or .gpkg (the raster's CRS); default OUT with -sites.geojson")
        parser.add_argument("--top", type=int, default=DEFAULT_TOP,
                            help=f"candidate sites to describe (default {DEFAULT_TOP})")
        self.add_county_arguments(parser)

    def handle(self, *args, industry, zone, out, sites, top, county=None, **options):
        out = out or Path(f"suitability-{industry}{f'-{zone}' if zone else ''}.tif")
        if out.suffix.lower() not in (".tif", ".tiff"):
            raise CommandError(f"--out must end in .tif, not {out.name}")
        sites = sites or out.with_name(f"{out.stem}-sites.geojson")
        if sites.suffix.lower() not in SUFFIXES:
            raise CommandError(f"--sites must end in {' or '.join(SUFFIXES)}, not {sites.name}")
        for path in (out, sites):
            if not path.parent.is_dir():
                raise CommandError(f"no folder {path.parent} to write {path.name} into")
        with tqdm(total=100, unit="%", disable=options["verbosity"] == 0
                  or not sys.stderr.isatty()) as bar:
            stages = []

            def progress(stage, fraction):  # one bar per stage: criteria, then surface
                if stages[-1:] != [stage]:
                    stages.append(stage)
                    bar.reset()
                    bar.set_description(stage)
                bar.update(round(fraction * 100) - bar.n)
            run = run_siting(SitingOptions(industry, zone, top, county), progress)
        try:
            write_sites(run, sites)
            shutil.copyfile(run.surface.path, out)
        except OSError as problem:
            sites.unlink(missing_ok=True)
            raise CommandError(f"could not write {problem.filename}: {problem.strerror}") from None
        self.stdout.write(run.summary())
        self.stdout.write(f"surface: {out}  sites: {sites}")
        for row in run.site_rows():
            reasons = ", ".join(f"{c['label']} {c['value']} → {c['score']:.2f}"
                                for c in row["criteria"])
            flag = "  " + _("conflict: the zone is not meant for this industry") \
                if row["conflict"] else ""
            self.stdout.write(f"{row['rank']:>3}. {row['id']}  {row['score']:.3f}  "
                              f"{row['area_ha']:.1f} ha  {row['zone_name']} "
                              f"{row['village_name']}{flag}\n       {reasons}")
