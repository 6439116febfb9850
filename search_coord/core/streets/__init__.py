"""Streets: the street network of a region as values, in metres (pure; no file, database or clock).

``network``  which ways are walkable / drivable (OSM highway, foot and access tags) and the graph they make;
``blocks``   ways split at every crossing into named blocks ("Street: A – B, 420 m");
``reach``    the isochrone along the walkable network from the last known point;
``poa``      the ring model's probability placed on reachable blocks;
``routes``   blocks grouped into a route of a chosen length for a foot or vehicle team;
``coverage`` GPS tracks matched to blocks within the mode's sweep width, status and POD per block.
"""
