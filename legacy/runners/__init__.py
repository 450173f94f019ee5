"""The study's runs: an MNIST classifier run (``mnist_classifier``), a full-batch
run of the toy experiments (``full_batch``), a grid of MNIST runs
(``grid``), and the recorded run that the extensions' runners share
(``recording``: a results JSON with status, interrupts and checkpoints)."""
