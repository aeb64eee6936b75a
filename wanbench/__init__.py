"""wanbench: an open implementation of Wan-Bench, the 14-dimension video-generation benchmark."""

__version__ = "0.1.0"
