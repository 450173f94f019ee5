"""The study itself: the reproduction plan, its report beside the published
numbers, and the throughput benchmark."""
