"""Benchmarks for bangtin: a synthetic-corpus generator and a build timer."""
