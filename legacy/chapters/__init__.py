"""golbin's other chapters (04 word2vec, 08 autoencoder, 09 GAN, 10 RNNs, 12 DQN).

- experiments, one per script: ``word2vec``, ``autocomplete``, ``seq2seq``,
  ``rnn_mnist``, ``autoencoder``, ``gan``, ``dqn``.
- their graph code: ``skip_gram``, ``rnn``, ``unsupervised`` (autoencoder,
  GAN), ``q_network``.
- their data and game: ``words`` (the chapters' word lists), ``game`` (the
  car-dodging game, no TensorFlow), ``replay`` (the agent's memory, frame
  stack, epsilon schedule, Q targets; no TensorFlow).
- ``tracks``: the loop helpers the chapters share (full-batch and random
  batches, one printed line per epoch, recorded runs); ``pictures``: their
  figures (Hangul labels, sample grids, game frames).
"""
