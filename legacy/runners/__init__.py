"""Shared runs: an MNIST classifier run, a full-batch run, a grid of runs."""
