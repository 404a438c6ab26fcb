"""Benchmarks: each ``bench/*.py`` script prints its own figures; ``run_all.py`` runs them all."""
