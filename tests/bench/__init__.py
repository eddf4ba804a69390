"""Benchmarks run on purpose (`make bench`), never as timed tests: each figure is set against a
baseline measured in the same run on the same machine, so the ratios survive a noisy box."""
