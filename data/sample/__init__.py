"""The synthetic sample: Luonan, and the city of Shangluo around it, each county generated from
its real outline, its official divisions and a fixed seed.

Nothing here imports Django: `build.build_sample` returns plain records (shapely geometries in
EPSG:4546) and writes its rasters to a folder; data/load.py loads them.
"""
