"""What an import is asked (ImportOptions) and what it answers (ImportReport or ImportRefused)."""
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from gisplan.api import Refusal


class ImportRefused(Refusal):
    """A file the import will not take; its message says why, for the user, in one line."""


@dataclass(frozen=True)
class ImportOptions:
    kind: str  # a key of layers.datasets.DATASETS
    path: Path
    encoding: str | None = None  # the text encoding of a shapefile's DBF or a CSV file
    srid: int | None = None  # the EPSG code of the coordinates, if the file's own is wrong or absent
    layer: str | None = None  # the GeoPackage layer or the XLSX sheet
    replace: bool = False  # delete every row of the kind first
    dry_run: bool = False  # check and count, then roll back
    user: object = None  # who imports: the creator of a zones import's plan version
    county: str | None = None  # the 6-digit code of the county imported into; None: the main one


@dataclass(frozen=True)
class ImportReport:
    kind: str
    read: int
    created: int
    updated: int
    deleted: int
    dry_run: bool
    encoding: str | None  # of the text, when the file has a choice
    source_srid: int | None  # the EPSG code of the file's coordinates (None: a table without them)
    plan: str = ""  # the draft plan version a zones import made

    def summary(self):
        """One line for the user."""
        text = _("%(kind)s: %(read)d read, %(created)d created, %(updated)d updated, "
                 "%(deleted)d deleted") % {"kind": self.kind, "read": self.read, "created": self.created,
                                           "updated": self.updated, "deleted": self.deleted}
        facts = [f for f in (self.encoding, self.source_srid and f"EPSG:{self.source_srid}") if f]
        if facts:
            text += f" ({', '.join(facts)})"
        if self.plan:
            text += "; " + _("draft plan version: %(name)s") % {"name": self.plan}
        if self.dry_run:
            text += "; " + _("dry run: nothing was written")
        return text
