"""Running a benchmark: generate, decode once, score, store; resumable, sharded, one writer per run."""
