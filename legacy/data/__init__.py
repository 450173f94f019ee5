"""Datasets and dataflows. No TensorFlow here: data code must stay usable
(and testable) without building a graph."""
