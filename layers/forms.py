"""The import form, shared by the upload page and the import API, and who may import what."""
import tempfile
from pathlib import Path

from django import forms
from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from analysis.landuse import SCHEMES
from gisplan.api import REFUSALS, Refusal

from .datasets import DATASETS
from .importing import ImportOptions, ImportRefused, import_layer, reading
from .models import RasterLayer
from .roles import IMPORT_RASTERS
from .rasters import KINDS, RasterOptions, checked_options

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


def sent_file(request, folder):
    """The file an API call sent as multipart field `file`, saved into `folder` (saved_upload):
    refused when missing or larger than an import takes."""
    upload = request.FILES.get("file")
    if upload is None:
        raise Refusal(_("send the file as multipart form field 'file'"))
    if upload.size > reading.MAX_UPLOAD_BYTES:
        raise Refusal(_("The file is larger than %(mb)d MB.")
                      % {"mb": reading.MAX_UPLOAD_BYTES // 2**20})
    return saved_upload(upload, folder)


def may_import(user, kind, replace=False):
    """Whether `user` may add and change (and with `replace` delete) the rows of `kind`."""
    return user.has_perms(DATASETS[kind].import_permissions(replace))


def within_upload_limit(upload):
    """Uploads keep the upload size limit (the command has the raster size limit)."""
    if upload.size > reading.MAX_UPLOAD_BYTES:
        raise forms.ValidationError(_("The file is larger than %(mb)d MB.")
                                    % {"mb": reading.MAX_UPLOAD_BYTES // 2**20})


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Layer"))
    file = forms.FileField(label=_("File"), help_text=_(
        "GeoJSON, GeoPackage, a zipped shapefile, CSV or XLSX (lon/lat columns, or village "
        "figures keyed by code)"), validators=[within_upload_limit])
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

    def run(self, user, county):
        """Import the uploaded file into `county` (its code); raises ImportRefused with the
        reason."""
        data, upload = self.cleaned_data, self.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = saved_upload(upload, folder)
            return import_layer(ImportOptions(
                data["kind"], path, data["encoding"] or None, data["srid"], data["layer"] or None,
                data["replace"], data["dry_run"], user, county))


def may_import_rasters(user):
    """Whether `user` may replace the county's DEM and land use."""
    return user.has_perm(IMPORT_RASTERS)


class RasterImportForm(forms.Form):
    """A DEM or a land use to import onto the county's grid, in the background."""

    kind = forms.ChoiceField(label=_("Raster"), choices=[(k, RasterLayer.Kind(k).label) for k in KINDS])
    file = forms.FileField(label=_("File"), help_text=_(
        "GeoTIFF or COG (.tif), ERDAS .img, a zip of a .tif with its .tfw and .prj; land use "
        "also as a Third National Land Survey parcel layer (a zipped shapefile with DLBM codes)"),
        validators=[within_upload_limit])
    classes = forms.ChoiceField(label=_("Land-use classes"), required=False, choices=[
        ("", _("by the file: gisplan's codes for a raster, sandiao for parcels"))]
        + [(s, s) for s in SCHEMES])
    units = forms.ChoiceField(label=_("Elevation units"), choices=[("metres", _("metres")),
                                                                   ("feet", _("feet"))],
                              initial="metres", required=False)
    source = forms.CharField(label=_("Source"), required=False, max_length=500)
    licence = forms.CharField(label=_("Licence"), required=False, max_length=200)
    attribution = forms.CharField(label=_("Attribution"), required=False, max_length=1000,
                                  help_text=_("shown wherever the raster or anything derived from "
                                              "it (basemap, slope, suitability) is shown"))
    encoding = forms.CharField(label=_("Text encoding"), required=False, max_length=30,
                               help_text=_("of a parcel layer's attributes, e.g. gbk; empty: detected"))
    srid = forms.IntegerField(label=_("EPSG code"), required=False, min_value=1, help_text=_(
        "of the file's coordinates, e.g. 4490 or 4546; empty: the file's own"))

    def clean_encoding(self):
        encoding = self.cleaned_data["encoding"]
        if encoding:
            try:
                reading.text_encoding(encoding)
            except ImportRefused as refusal:
                raise forms.ValidationError(str(refusal)) from None
        return encoding

    def clean(self):
        data = super().clean()
        if not self.errors:  # the options together, before a job is queued
            try:
                checked_options(raster_options(data, Path(data["file"].name)))
            except REFUSALS as refusal:
                raise forms.ValidationError(str(refusal)) from None
        return data


def raster_options(params, path, county=None):
    """The RasterOptions of a checked RasterImportForm's data (`params`, the file saved at
    `path`): uploads keep the upload size limit."""
    return RasterOptions(params["kind"], path, params["classes"] or None, params["units"] or "metres",
                         params["source"], params["licence"], params["attribution"],
                         params["encoding"] or None, params["srid"], reading.MAX_UPLOAD_BYTES,
                         county)
