"""The synthetic sample county: generated from the real county outline and a fixed seed.

Nothing here imports Django: `build.build_sample` returns plain records (shapely geometries in
EPSG:4546) and writes its rasters to a folder; data/load.py loads them.
"""
