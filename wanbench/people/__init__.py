"""People: the pairwise arena, the votes store, and how far the benchmark agrees with the votes."""
