"""Pictures of terrain for the basemap: hillshade and a hypsometric tint of elevations."""
import numpy as np

from .suitability.criteria import slope_aspect_degrees

# Elevation tints from the lowest to the highest ground of the county: valley greens, upland
# ochres, bare summits (after the usual atlas ramp).
HYPSOMETRIC = np.array([(148, 191, 139), (189, 210, 150), (232, 222, 160), (214, 185, 132),
                        (180, 150, 120), (235, 230, 225)], float)


def hillshade(z, dx, dy, azimuth=315.0, altitude=45.0):
    """Hillshade in 0..255 of elevations `z` (cells dx by dy metres, rows north to south), lit
    from `azimuth` degrees clockwise from north, `altitude` degrees above the horizon, as
    gdaldem computes it (Horn's slope and aspect); 0 where the elevation is NaN."""
    padded = np.pad(np.asarray(z, float), 1, mode="edge")
    slope, aspect = slope_aspect_degrees(padded, dx, dy)
    slope, aspect = np.radians(slope), np.radians(np.where(aspect < 0, 0.0, aspect))
    zenith = np.radians(90.0 - altitude)
    shade = (np.cos(zenith) * np.cos(slope)
             + np.sin(zenith) * np.sin(slope) * np.cos(np.radians(azimuth) - aspect))
    return np.nan_to_num(255 * np.clip(shade, 0, 1)).astype(np.uint8)


def hypsometric_tint(z, low, high):
    """RGB (3, rows, cols) floats of elevations `z` on the ramp from `low` to `high` metres."""
    at = np.clip((np.nan_to_num(z, nan=low) - low) / max(high - low, 1.0), 0, 1) * (len(HYPSOMETRIC) - 1)
    below = np.minimum(at.astype(int), len(HYPSOMETRIC) - 2)
    mix = (at - below)[None]
    return HYPSOMETRIC[below].transpose(2, 0, 1) * (1 - mix) + HYPSOMETRIC[below + 1].transpose(2, 0, 1) * mix
