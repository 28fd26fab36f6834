"""The land-cover classes gisplan's land-cover rasters are coded in: the first level of China's
land-use classification (GB/T 21010). Industry profiles score these codes, the basemap tints
them, the sample county generates them; their names for people are layers.models.LandCover."""
CROPLAND, ORCHARD, FOREST, GRASSLAND, BUILT_UP, WATER = 1, 2, 3, 4, 5, 6
CLASSES = (CROPLAND, ORCHARD, FOREST, GRASSLAND, BUILT_UP, WATER)
