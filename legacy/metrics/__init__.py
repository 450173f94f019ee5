"""Image-quality metrics, numpy only (no TensorFlow)."""
