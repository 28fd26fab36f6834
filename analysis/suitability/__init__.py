"""Industry siting on rasters: criteria scored 0-1, constraints, a weighted sum, candidate sites.

The criteria are single-band GeoTIFFs on one grid (a `Stack`, grid.py), derived from a DEM and
vector layers (criteria.py). Deriving them and scoring them (scoring.py) is done a block at a
time by a pool of threads, so memory stays bounded whatever the raster size; outputs are
tiled, compressed cloud-optimised GeoTIFFs on the input grid. Candidate sites (sites.py) are
parcels of suitable land no larger than a project can occupy (parcels.py); finding them needs
the whole grid's suitable mask and its labels in memory (5 bytes a cell). How their ranking
moves with the weights is reweighting.py; what a profile makes of single points, points.py.
Profiles (`Profile`, profiles.py) say, per industry, which criteria count, how each is scored,
their weights, which cells are excluded and how large a site may be; they are data (a TOML
file, see siting/industry_profiles.toml), loaded by `load_profiles`.
"""
from .criteria import Features, derive_criteria, slope_aspect_degrees
from .grid import BLOCK, CACHE_MB, COG, TILE, TILED, VILLAGE, WORKERS, ZONE, Grid, GridMismatch, Stack
from .points import PointCheck, check_points
from .profiles import Constraint, Criterion, Profile, ProfileError, load_profiles
from .reweighting import WeightChange, sensitivity
from .scoring import Surface, Tally, score_block, score_surface
from .sites import CIRCULAR, CriterionShare, Site, candidate_sites

__all__ = [
    "BLOCK", "CACHE_MB", "CIRCULAR", "COG", "TILE", "TILED", "VILLAGE", "WORKERS", "ZONE",
    "Constraint", "Criterion", "CriterionShare", "Features", "Grid", "GridMismatch", "PointCheck",
    "Profile", "ProfileError", "Site", "Stack", "Surface", "Tally", "WeightChange",
    "candidate_sites", "check_points", "derive_criteria", "load_profiles", "score_block",
    "score_surface", "sensitivity", "slope_aspect_degrees",
]
