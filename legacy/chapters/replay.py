"""The DQN agent's bookkeeping (golbin's model.py and agent.py), without TensorFlow.

- ``FrameStack``: the last 4 screens stacked on the channel axis (the
  network's input ``[width, height, 4]``); a new episode starts with its
  first screen 4 times.
- ``ReplayMemory``: the last ``capacity`` (10,000) transitions
  (state, next state, action, reward, terminal); ``sample`` draws a batch
  of 32 distinct ones from a seeded RNG (golbin: ``random.sample``).
- ``q_targets``: ``r`` at a terminal transition, else
  ``r + gamma * max_a Q_target(s', a)`` (gamma 0.99).
- ``Schedule``: when to act at random, train and copy the weights to the
  target network: epsilon starts at 1 and, once more than ``observe``
  episodes were played, drops by ``decay`` (1/1000) every game step (golbin
  never clamps it; below 0 it acts greedily always); training every
  ``train_every`` (4) game steps once more than ``observe`` (100) game steps
  were played; the target network copied every ``target_update`` (1,000)
  game steps, the first at step 0.
"""
import collections

import numpy as np

Transition = collections.namedtuple("Transition", ["state", "next_state", "action", "reward", "terminal"])


class FrameStack(object):

    def __init__(self, length=4):
        self.length = length
        self.state = None

    def reset(self, screen):
        self.state = np.stack([screen] * self.length, axis=2)
        return self.state

    def push(self, screen):
        """The stack with ``screen`` as its newest frame; returns (old, new)."""
        old = self.state
        self.state = np.append(old[:, :, 1:], screen[:, :, None], axis=2)
        return old, self.state


class ReplayMemory(object):

    def __init__(self, capacity=10000, seed=0):
        if capacity < 1:
            raise ValueError("replay capacity must be >= 1, got %d" % capacity)
        self.memory = collections.deque(maxlen=capacity)
        self.rng = np.random.RandomState(seed)

    def __len__(self):
        return len(self.memory)

    def remember(self, state, next_state, action, reward, terminal):
        self.memory.append(Transition(state, next_state, action, reward, terminal))

    def sample(self, batch_size):
        """``batch_size`` distinct transitions as arrays (state, next_state, action, reward, terminal)."""
        if batch_size > len(self.memory):
            raise ValueError("cannot sample %d transitions from a memory of %d" % (batch_size, len(self.memory)))
        picked = [self.memory[i] for i in self.rng.choice(len(self.memory), batch_size, replace=False)]
        return Transition(*[np.array(column) for column in zip(*picked)])


def q_targets(rewards, terminals, next_q, gamma=0.99):
    """golbin's Y: reward, plus gamma times the target network's best next Q
    unless the transition ended the game."""
    # In float64, then float32: golbin's ``reward + GAMMA * np.max(q)`` (a
    # Python float times NumPy 1's float32 scalar is a float64), fed to a
    # float32 placeholder; float32 arithmetic here rounded 1 ulp apart.
    rewards = np.asarray(rewards, dtype=np.float64)
    best = np.max(np.asarray(next_q, dtype=np.float32), axis=1).astype(np.float64)
    return np.where(np.asarray(terminals, dtype=bool), rewards, rewards + gamma * best).astype(np.float32)


class Schedule(object):

    def __init__(self, observe=100, train_every=4, target_update=1000, decay=1.0 / 1000):
        self.observe, self.train_every, self.target_update, self.decay = observe, train_every, target_update, decay
        self.epsilon = 1.0

    def step_epsilon(self, episode):
        """After choosing an action in ``episode`` (counted from 0)."""
        if episode > self.observe:
            self.epsilon -= self.decay

    def trains(self, time_step):
        return time_step > self.observe and time_step % self.train_every == 0

    def copies(self, time_step):
        return time_step % self.target_update == 0
