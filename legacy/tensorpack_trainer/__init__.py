"""The study's classifiers on tensorpack's own trainer (examples/basics/mnist-convnet.py).

- ``trainer``: a ModelDesc around the project's graph code, trained by
  tensorpack's SimpleTrainer / QueueInputTrainer with its callbacks.
- ``convnet``: tensorpack's mnist-convnet network as plain graph code.
- ``mnist_tensorpack``: what scripts/mnist_tensorpack.py picks.
"""
