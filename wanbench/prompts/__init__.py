"""Prompt suites: the schema and loading, the hand-written sources, the controlled generator, suite
statistics, VBench's prompt files and prompt extension."""
