import sys
from pathlib import Path

from django.conf import settings
from tqdm import tqdm

from layers.commands import CountyCommand
from layers.rasters import KINDS, UNITS, RasterOptions, import_raster
from layers.roles import IMPORT_RASTERS


class Command(CountyCommand):
    help = ("Import the county's elevation model (dem) or land use (landcover) from a GeoTIFF, "
            "COG, ERDAS .img, a zip of a .tif with its .tfw and .prj, or for land use a Third "
            "National Land Survey parcel layer; it is warped onto the county's analysis grid, "
            "checked, and replaces the current one only when complete.")
    needs = (IMPORT_RASTERS,)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="dem or landcover")
        parser.add_argument("path", type=Path, help="the file")
        parser.add_argument("--classes",
                            help="land use: its class scheme (gisplan, globeland30, worldcover, "
                                 "sandiao) or a TOML file mapping its codes (default: gisplan's "
                                 "own codes for a raster, sandiao for a parcel layer)")
        parser.add_argument("--units", choices=UNITS, default="metres",
                            help="a DEM's elevation units (default metres)")
        parser.add_argument("--source", default="", help="where the data comes from")
        parser.add_argument("--licence", default="", help="its licence")
        parser.add_argument("--attribution", default="",
                            help="the text to show wherever it or anything derived from it is shown")
        parser.add_argument("--encoding", help="a parcel layer's attribute encoding, e.g. gbk")
        parser.add_argument("--srid", type=int, help="the EPSG code of the file's coordinates, "
                                                     "if its own is wrong or absent (e.g. 4546)")
        self.add_county_arguments(parser)

    def handle(self, *args, kind, path, **options):
        show = options["verbosity"] > 0 and sys.stderr.isatty()
        bar = tqdm(total=1.0, disable=not show, bar_format="{desc} {percentage:3.0f}%")

        def progress(stage, fraction):
            bar.set_description(str(stage))
            bar.n = fraction
            bar.refresh()
        try:
            report = import_raster(RasterOptions(
                kind, path, options["classes"], options["units"], options["source"],
                options["licence"], options["attribution"], options["encoding"], options["srid"],
                settings.MAX_RASTER_BYTES, options["county"]), progress)
        finally:
            bar.close()
        self.stdout.write(report.summary())
