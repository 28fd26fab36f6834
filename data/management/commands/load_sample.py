from django.conf import settings
from tqdm import tqdm

from data.load import load_sample
from gisplan.commands import RefusingCommand


class Command(RefusingCommand):
    help = ("Build and load the synthetic sample county, Luonan, and with --city the six other "
            "counties of Shangluo (idempotent: what is loaded and up to date is left as it is).")

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="empty every layer and load the sample again")
        parser.add_argument("--city", action="store_true",
                            help="also the six other counties of Shangluo (商洛市)")

    def handle(self, *args, reset=False, city=False, **options):
        with tqdm(desc="sample", unit="step", disable=options["verbosity"] == 0) as bar:
            result = load_sample(settings.DATA_DIR / "sample", reset=reset, city=city,
                                 progress=lambda stage: (bar.set_postfix_str(stage), bar.update()))
        counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
        verb = "Loaded" if result.loaded else "Already loaded"
        what = "the sample city (synthetic)" if city else "the sample county (synthetic)"
        self.stdout.write(f"{verb} {what}: {counts}")
