"""Progressive growing of GANs (Karras et al. 2018), one feature in one folder.

- ``networks``: G and D as the official code builds them (graph code, no Session).
- ``images``: the image sets (MNIST-32, Fashion-MNIST-32, CelebA-HQ's loader) as
  the level-of-detail pyramid the networks read.
- ``training``: the run: the phases, the schedule, Gs's moving average, ticks,
  checkpoints and SWD measurements on the shared loop (legacy/train.py).
- ``swd``: the sliced Wasserstein distance of the paper's section 5.
- ``experiment``: what scripts/pggan.py picks (flags, presets).
- ``bench``, ``study``, ``mode_coverage``: images/s per resolution, the section
  6.2 study (progressive vs non-progressive) and its report.
"""
