"""The VLM judge, one job per module: ``protocol`` (frames, turns, answer sets and the probability
reading every backend shares), ``plan`` (what a dimension asks and the answers it is handed),
``backends`` (the ``Judge`` protocol and the registry of backends), ``cache`` (SQLite answers),
``local`` (transformers, KV-prefix sharing), ``remote`` (OpenAI-compatible server) and ``backbone``
(the ``vlm`` backbone)."""
