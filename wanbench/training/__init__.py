"""Training loops: the Wan DiT on captioned videos, and the Human Artifacts detector."""
