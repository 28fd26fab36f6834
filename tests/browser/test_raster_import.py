"""A planner imports a DEM through the data page; once its job has run, the portal shows the
basemap drawn from it with its attribution, and the map saved as PNG carries the attribution
in its picture and in its Copyright text."""
import struct
import warnings
import zlib

import numpy as np
import pytest
import rasterio
from django_tasks_db.models import DBTaskResult
from rasterio.errors import NotGeoreferencedWarning

from jobs.models import Job
from jobs.tasks import run_job
from layers.models import RasterLayer
from tests.browser.conftest import SHOTS, sign_in
from tests.test_rasters import lonlat_dem

ATTRIBUTION = "Test DEM © Example Survey 2024（测绘）"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def sample_rasters(django_db_blocker):
    """The sample's rasters back, and no jobs, after a test that imports one (the live server
    commits)."""
    with django_db_blocker.unblock():
        rows = list(RasterLayer.objects.all())
    yield
    with django_db_blocker.unblock():
        RasterLayer.objects.all().delete()
        RasterLayer.objects.bulk_create(rows)
        Job.objects.all().delete()
        DBTaskResult.objects.all().delete()


def hilly_dem(path):
    """The tests' DEM plane with hills up to 1 km high and about 10 km across on it, for the
    hillshade to show."""
    return lonlat_dem(path, step=0.005, values=lambda x, y, z: (
        z + 500 + 500 * np.sin(x / 1500) * np.cos(y / 1800)).astype("float32"))


def run_queued_jobs(django_db_blocker):
    """What the worker (manage.py run_jobs) does with the queue, in this process."""
    with django_db_blocker.unblock():
        for job in Job.objects.filter(status=Job.Status.QUEUED):
            run_job.call(str(job.pk))


def shown_basemap(page, samples=8):
    """The portal's basemap image: its URL, size and the colours of `samples`² of its pixels,
    read back from the image the page shows."""
    return page.evaluate(f"""() => {{
        const img = document.querySelector('img.gisplan-basemap');
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        const pixels = [];
        for (let row = 0; row < {samples}; row++) for (let col = 0; col < {samples}; col++) {{
            const x = Math.floor((col + 0.5) * img.naturalWidth / {samples});
            const y = Math.floor((row + 0.5) * img.naturalHeight / {samples});
            pixels.push(Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3)));
        }}
        return {{src: img.src, width: img.naturalWidth, height: img.naturalHeight, pixels}}; }}""")


def read_image(path):
    """The bands of a plain image file (JPEG, PNG), as an array."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # no map coordinates in it
        with rasterio.open(path) as image:
            return image.read()


def colour_difference(pixels, path, samples=8):
    """The mean difference of the `pixels` shown_basemap read from the same pixels of the
    JPEG at `path`, in levels of 0..255."""
    rgb = read_image(path)
    height, width = rgb.shape[1:]
    rows = ((np.arange(samples) + 0.5) * height / samples).astype(int)
    cols = ((np.arange(samples) + 0.5) * width / samples).astype(int)
    expected = rgb[:, rows][:, :, cols].transpose(1, 2, 0).reshape(-1, 3)
    return np.abs(np.array(pixels) - expected).mean()


def png_chunks(data):
    """The (type, body) of each chunk of a PNG, every CRC checked."""
    assert data[:8] == PNG_SIGNATURE
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks.append((kind, body))
        at += 12 + length
    return chunks


def test_an_imported_dem_becomes_the_basemap_with_its_attribution(page, app_server, django_db_blocker,
                                                                   sample_rasters, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        old = RasterLayer.objects.get(kind=RasterLayer.Kind.BASEMAP).path
    sign_in(page, app_server.url, "planner")
    page.goto(f"{app_server.url}/data/import/")
    form = page.locator("#raster-form")
    form.locator("[name=kind]").select_option("dem")
    form.locator("[name=file]").set_input_files(hilly_dem(tmp_path / "hills.tif"))
    form.locator("[name=source]").fill("Example Survey")
    form.locator("[name=licence]").fill("CC BY 4.0")
    form.locator("[name=attribution]").fill(ATTRIBUTION)
    page.locator("#rasters").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "raster-import-form.png")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{app_server.url}/jobs/")

    run_queued_jobs(django_db_blocker)
    # The page reloads itself while a job waits (a meta refresh): a reload of our own would
    # race with it. Its next reload shows the job done.
    page.locator("#jobs tbody tr.job-succeeded").wait_for(timeout=60_000)
    assert page.locator("#jobs tbody tr").count() == 1
    assert page.locator("#jobs tbody tr.job-succeeded").count() == 1, page.locator("#jobs").inner_text()
    page.screenshot(path=SHOTS / "raster-import-job.png", full_page=True)
    with django_db_blocker.unblock():
        dem = RasterLayer.objects.get(kind=RasterLayer.Kind.DEM)
        basemap = RasterLayer.objects.get(kind=RasterLayer.Kind.BASEMAP)
    new = basemap.path
    assert (dem.attribution, dem.synthetic) == (ATTRIBUTION, False) and new != old

    # The portal shows the new image and its credit. The image has a new address, so that a
    # browser that cached the old one for a day asks again. (The page's routing turns the
    # browser's HTTP cache off: the address is what is checked here.)
    page.goto(f"{app_server.url}/")
    page.wait_for_function("window.gisplanPortal && window.gisplanPortal.ready")
    page.evaluate("window.gisplanPortal.ready")
    page.wait_for_function("() => document.querySelector('img.gisplan-basemap').complete")
    shown = shown_basemap(page)
    assert shown["width"] > 0 and shown["src"].endswith(f"/basemap.jpg?v={basemap.pk}")
    # Its colours are the new file's (decoders differ by a level or two), far from the old one's.
    assert colour_difference(shown["pixels"], new) < 2 < 8 < colour_difference(shown["pixels"], old)
    credit = page.locator(".leaflet-control-attribution")
    assert credit.is_visible() and ATTRIBUTION in credit.text_content()
    page.screenshot(path=SHOTS / "raster-import-portal.png")
    credit.screenshot(path=SHOTS / "raster-import-attribution.png")

    # The map saved as PNG: a valid PNG whose Copyright text (iTXt, UTF-8) names the DEM's source.
    with page.expect_download() as download:
        page.click("#export-png")
    data = download.value.path().read_bytes()
    chunks = png_chunks(data)
    assert [kind for kind, _ in chunks[:2]] == [b"IHDR", b"iTXt"] and chunks[-1][0] == b"IEND"
    # keyword, no compression (flag and method), no language nor translated keyword, the text
    keyword, text = chunks[1][1].split(b"\0\0\0\0\0", 1)
    assert keyword == b"Copyright" and ATTRIBUTION in text.decode()
    picture = read_image(download.value.path())
    assert picture.shape[1:][::-1] == struct.unpack(">II", chunks[0][1][:8]) and picture.std() > 0
    (SHOTS / "raster-import-export.png").write_bytes(data)
    assert page.errors == [] and page.foreign_requests == []
