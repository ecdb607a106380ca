"""The benchmark harness (issue 7): ``python benchmarks/run.py``; see benchmarks/README.md."""
