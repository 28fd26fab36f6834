"""Candidate sites written beside the surface: GeoJSON in lon/lat (RFC 7946) or a GeoPackage in
the raster's CRS, one feature per site with its score broken down by criterion."""
import fiona
import shapely
from fiona.crs import CRS

from layers.crs import to_lonlat

SUFFIXES = (".geojson", ".gpkg")
COLUMNS = {"id": "str", "rank": "int", "score": "float", "best": "float", "area_ha": "float",
           "zone": "str", "zone_name": "str", "village": "str", "village_name": "str",
           "conflict": "bool"}


def write_sites(run, path):
    """Write the run's candidate sites to `path` (.geojson or .gpkg)."""
    rows = run.site_rows()
    layers = [s.layer for s in run.profile.criteria]
    schema = {"geometry": "MultiPolygon", "properties": {
        **COLUMNS, **{f"{layer}_value": "str" if layer == "landcover" else "float"
                      for layer in layers},
        **{f"{layer}_score": "float" for layer in layers}}}
    geojson = path.suffix.lower() == ".geojson"
    srid = run.surface.grid.crs.to_epsg()  # an EPSG code: the criteria are refused without one
    path.unlink(missing_ok=True)
    with fiona.open(path, "w", driver="GeoJSON" if geojson else "GPKG", schema=schema,
                    crs=CRS.from_epsg(4326 if geojson else srid)) as out:
        for row, site in zip(rows, run.sites):
            geometry = to_lonlat(site.geometry, srid) if geojson else site.geometry
            properties = {key: row[key] for key in COLUMNS}
            for share in row["criteria"]:
                properties[f"{share['layer']}_value"] = share["value"]
                properties[f"{share['layer']}_score"] = round(share["score"], 4)
            out.write({"geometry": shapely.geometry.mapping(shapely.MultiPolygon(
                getattr(geometry, "geoms", [geometry]))), "properties": properties})
