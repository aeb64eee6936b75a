"""The VLM judge, one job per module: ``protocol`` (frames, turns, answer sets and the probability
reading every backend shares), ``cache`` (SQLite answers), ``local`` (transformers, KV-prefix
sharing), ``remote`` (OpenAI-compatible server) and ``backbone`` (the ``vlm`` backbone)."""
