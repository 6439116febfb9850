"""Streets (issue 14): street layers per region, reach on the network, POA per block, street assignments, coverage
per block, door-to-door lists. One module per use case; ``layers`` holds the per-process network cache."""
