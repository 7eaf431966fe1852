"""Benchmarks: speed and memory measured as ratios against a baseline in the same run.

The machines are shared and noisy, so no benchmark asserts a wall-clock time; each
compares tongxin with a bare baseline doing the same work, run side by side.
"""
