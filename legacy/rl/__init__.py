"""golbin's chapter 12: a DQN learning his small car-dodging game.

``game.py`` is the game (no TensorFlow), ``replay.py`` the agent's memory,
frame stack, epsilon schedule and Q-learning targets (no TensorFlow);
the Q networks are graph code in legacy/models/q_network.py, and
legacy/experiments/dqn.py runs them through the shared training loop.
"""
