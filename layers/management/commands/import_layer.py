import sys
from pathlib import Path

from tqdm import tqdm

from layers.commands import CountyCommand
from layers.datasets import DATASETS
from layers.importing import ImportOptions, import_layer


class Command(CountyCommand):
    help = ("Import a layer from a GeoJSON, GeoPackage, shapefile (.shp or .zip), CSV or XLSX file, "
            "all or nothing: one bad feature refuses the file.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=DATASETS, help="the layer to import into")
        parser.add_argument("path", type=Path, help="the file")
        parser.add_argument("--encoding", help="the text encoding of a shapefile's DBF or a CSV "
                                               "file, e.g. gbk (default: detected)")
        parser.add_argument("--srid", type=int, help="the EPSG code of the file's coordinates "
                                                     "(default: the file's own; lon/lat 4326)")
        parser.add_argument("--layer", help="the GeoPackage layer or the XLSX sheet to read")
        parser.add_argument("--replace", action="store_true",
                            help="delete every row of the layer first (default: update rows with "
                                 "the same key and add the others)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and report what would change, writing nothing")
        self.add_county_arguments(parser)

    def permissions(self, options):
        return DATASETS[options["kind"]].import_permissions(options["replace"])

    def handle(self, *args, kind, path, **options):
        show = options["verbosity"] > 0 and sys.stderr.isatty()
        report = import_layer(
            ImportOptions(kind, path, options["encoding"], options["srid"], options["layer"],
                          options["replace"], options["dry_run"], options.get("user"),
                          options["county"]),
            progress=lambda records: tqdm(records, desc=kind, unit="feature", disable=not show))
        self.stdout.write(report.summary())
