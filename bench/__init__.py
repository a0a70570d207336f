"""Benchmarks of planner (``make bench``): figures, not pass/fail tests."""
