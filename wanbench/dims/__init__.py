"""The 14 dimensions; ``wanbench.dims.registry`` finds them by name."""
