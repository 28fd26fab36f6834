"""What every Dask process of a batch loads first, the scheduler too (it unpickles the tasks,
so it imports their module): `dask scheduler --preload batches/preload.py` and `dask worker
tcp://HOST:8786 --preload batches/preload.py` (a path, so that a process started anywhere finds
the project beside it). It sets Django up with the settings of the process's environment
(DATABASE_URL pointing at the one PostGIS, GISPLAN_DATA_DIR at the rasters' shared folder), so
that the tasks (batches.tasks.run_task) run the project's code unchanged."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")


def dask_setup(server):
    import django
    import dj_database_url
    from django.conf import settings

    django.setup()
    # A process that set Django up before this ran (a script without a __main__ guard, imported
    # again by a spawned worker) would read another database than the one it was given.
    given = os.environ.get("DATABASE_URL")
    if given and dj_database_url.parse(given)["NAME"] != settings.DATABASES["default"]["NAME"]:
        raise RuntimeError(f"this process was set up for the database "
                           f"{settings.DATABASES['default']['NAME']}, not DATABASE_URL's")
