from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from data.sample.build import STAGES
from layers.sample_county import NotSampleData, load_sample


class Command(BaseCommand):
    help = ("Build and load the synthetic sample county (idempotent: an up-to-date sample is "
            "left as it is).")

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="empty every layer and load the sample again")

    def handle(self, *args, reset=False, **options):
        with tqdm(total=len(STAGES) + 1, desc="sample county", unit="step",
                  disable=options["verbosity"] == 0) as bar:
            try:
                result = load_sample(settings.DATA_DIR / "sample", reset=reset,
                                     progress=lambda stage: (bar.set_postfix_str(stage), bar.update()))
            except NotSampleData as refusal:
                raise CommandError(str(refusal)) from None
        counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
        verb = "Loaded" if result.loaded else "Already loaded"
        self.stdout.write(f"{verb} the sample county (synthetic): {counts}")
