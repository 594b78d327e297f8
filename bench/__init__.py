"""Benchmarks: runnable modules, not part of the test suite."""
