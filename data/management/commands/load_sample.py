from django.conf import settings
from tqdm import tqdm

from data.load import load_sample
from data.sample.build import STAGES
from gisplan.commands import RefusingCommand


class Command(RefusingCommand):
    help = ("Build and load the synthetic sample county (idempotent: an up-to-date sample is "
            "left as it is).")

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="empty every layer and load the sample again")

    def handle(self, *args, reset=False, **options):
        with tqdm(total=len(STAGES) + 1, desc="sample county", unit="step",
                  disable=options["verbosity"] == 0) as bar:
            result = load_sample(settings.DATA_DIR / "sample", reset=reset,
                                 progress=lambda stage: (bar.set_postfix_str(stage), bar.update()))
        counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
        verb = "Loaded" if result.loaded else "Already loaded"
        self.stdout.write(f"{verb} the sample county (synthetic): {counts}")
