"""Benchmarks: the whole cycle at several sizes and the heavy steps alone (see README.md)."""
