from pathlib import Path

from django.core.management.base import CommandError

from layers.commands import CountyCommand
from layers.datasets import DATASETS
from layers.exporting import FORMATS, ExportOptions, export_layer


class Command(CountyCommand):
    help = f"Export a layer to a file; the format follows the name's ending: {', '.join(FORMATS)}."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=DATASETS, help="the layer to export")
        parser.add_argument("path", type=Path, help="the file to write")
        parser.add_argument("--srid", type=int,
                            help="the EPSG code of the output (default: the storage CRS for .gpkg "
                                 "and .shp.zip, 4326 for the others)")
        self.add_county_arguments(parser)

    def permissions(self, options):
        return (DATASETS[options["kind"]].permission,)

    def handle(self, *args, kind, path, srid=None, county=None, **options):
        try:
            count = export_layer(ExportOptions(kind, path, srid, county))
        except OSError as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(f"{kind}: {count} rows written to {path}")
