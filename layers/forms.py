"""The import form, shared by the upload page and the import API, and who may import what."""
import tempfile
from pathlib import Path

from django import forms
from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from .datasets import DATASETS
from .importing import ImportOptions, import_layer, reading

# A file name has at most 255 bytes on Linux; Django cuts uploaded names at 255 characters,
# which is 765 bytes of Chinese. Kept shorter, with room for a suffix.
MAX_NAME_BYTES = 200


def saved_upload(upload, folder):
    """Write an uploaded file into `folder` under a safe name (its suffix kept) and return the path."""
    try:
        name = Path(get_valid_filename(Path(upload.name).name))
    except SuspiciousFileOperation:  # nothing left of the name (say "<>")
        name = Path("upload")
    stem, suffix = name.stem, name.suffix[:20]
    while len((stem + suffix).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    path = Path(folder) / (stem + suffix)
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def may_import(user, kind, replace=False):
    """Whether `user` may add and change (and with `replace` delete) the rows of `kind`."""
    meta = DATASETS[kind].model._meta
    actions = ("add", "change", "delete") if replace else ("add", "change")
    return user.has_perms([f"{meta.app_label}.{action}_{meta.model_name}" for action in actions])


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Layer"))
    file = forms.FileField(label=_("File"), help_text=_(
        "GeoJSON, GeoPackage, a zipped shapefile, CSV or XLSX (lon/lat columns, or village "
        "figures keyed by code)"))
    encoding = forms.CharField(label=_("Text encoding"), required=False, max_length=30,
                               help_text=_("for a shapefile or CSV file, e.g. gbk; empty: detected"))
    srid = forms.IntegerField(label=_("EPSG code"), required=False, min_value=1, help_text=_(
        "of the file's coordinates, e.g. 4490 or 4546; empty: the file's own (lon/lat: 4326)"))
    layer = forms.CharField(label=_("GeoPackage layer or XLSX sheet"), required=False, max_length=100)
    replace = forms.BooleanField(label=_("Replace every row of the layer"), required=False)
    dry_run = forms.BooleanField(label=_("Dry run: check and count, write nothing"), required=False)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, DATASETS[k].model._meta.verbose_name_plural) for k in kinds]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > reading.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.")
                                        % {"mb": reading.MAX_UPLOAD_BYTES // 2**20})
        return upload

    def run(self, user):
        """Import the uploaded file; raises ImportRefused with the reason."""
        data, upload = self.cleaned_data, self.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = saved_upload(upload, folder)
            return import_layer(ImportOptions(
                data["kind"], path, data["encoding"] or None, data["srid"], data["layer"] or None,
                data["replace"], data["dry_run"], user))
