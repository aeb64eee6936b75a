"""Reading runs: aggregation of stored rows into per-dimension means, CIs, coverage and weighted scores."""
