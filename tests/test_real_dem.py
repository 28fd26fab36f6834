"""Real data end to end: the Copernicus GLO-90 DEM of Shangluo (../shared/data/real, never
committed into the project; CI has it) imported as the sample county's DEM through the command.
The basemap is drawn anew, siting runs for every industry, coverage and the exit assessment
still run, the point query reads the real mountains, and the attribution goes wherever the DEM
or anything derived from it is shown."""
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from layers.models import County, Industry, RasterLayer
from layers.rasters import value_at
from siting.runs import SitingOptions, run_siting

from .conftest import log_in

pytestmark = pytest.mark.usefixtures("english")
DEM = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "shangluo_dem_glo90.tif"
# The attribution its README says must be shown with the DEM and everything derived from it.
COPERNICUS = ("produced using Copernicus WorldDEM-90 © DLR e.V. 2010-2014 and © Airbus Defence "
              "and Space GmbH 2014-2018 provided under COPERNICUS by the European Union and ESA; "
              "all rights reserved")
SEAT = (110.141, 34.089)  # Luonan's county seat: the README read 937 m here (about 950 expected)
CAOLIANLING = (109.837, 34.295)  # 草链岭, 2,645 m; Luonan's highest cells, about 2,590 m, near it


@pytest.fixture
def real_dem(sample):
    out = io.StringIO()
    call_command("import_raster", "dem", str(DEM), source="Copernicus DEM GLO-90 (2021)",
                 licence="Copernicus DEM licence (free and open)", attribution=COPERNICUS,
                 stdout=out, verbosity=0)
    return out.getvalue()


def test_the_real_dem_imports_and_everything_derived_follows(real_dem, client):
    # 0.0025° cells at 33.8° N: 232 m by 276 m, their geometric mean about 253 m.
    assert "native cells about 253 m (EPSG:4326)" in real_dem, real_dem
    assert "on the county's 60 m grid" in real_dem or "60 m grid" in real_dem
    assert "real terrain under the synthetic sample's villages" in real_dem
    dem = RasterLayer.objects.get(kind="dem")
    assert dem.native_resolution == pytest.approx(253, abs=3) and dem.resolution == 60.0
    assert RasterLayer.objects.get(kind="basemap").path.startswith(str(Path(dem.path).parent))

    county = County.objects.default()
    seat, peak = value_at(county, "dem", *SEAT), value_at(county, "dem", *CAOLIANLING)
    assert 900 < seat.value < 980, seat  # about 940 m
    assert peak.value > 2300, peak
    assert seat.attribution == COPERNICUS

    for industry in Industry.Kind.values:
        run = run_siting(SitingOptions(industry))
        assert run.surface.grid.cell == (60.0, 60.0) and run.summary()

    coverage = io.StringIO()
    call_command("coverage", "--service", "health_check", stdout=coverage)
    assert "%" in coverage.getvalue()
    assessment = io.StringIO()
    call_command("assess_exit", stdout=assessment)
    assert assessment.getvalue().strip()

    # The attribution on the map and in the suitability PNG the map shows.
    log_in(client, "analyst")
    page = client.get("/").content.decode()  # in the map's options, as JSON ("\u00a9" for ©)
    assert "Copernicus WorldDEM-90" in page and "Airbus Defence and Space GmbH 2014-2018" in page
    assert "The terrain is real, imported under them." in page  # beside "Synthetic sample data"
    assert "real terrain under the synthetic sample" in page  # in the legend
    png = client.get("/api/analysis/suitability/surface.png", {"industry": "tourism"})
    assert png.status_code == 200 and COPERNICUS.encode() in png.content
    value = client.get("/api/rasters/dem/value/", {"lon": SEAT[0], "lat": SEAT[1]}).json()
    assert 900 < value["value"] < 980 and value["native_resolution"] == pytest.approx(253, abs=3)
