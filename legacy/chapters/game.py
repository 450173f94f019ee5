"""golbin's car-dodging game (12 - DQN/game.py), headless.

A ``width`` x ``height`` screen (6 x 10) with a road of ``width / 2``
columns in the middle; the car sits on row 2 and moves left, stays or moves
right (actions 0, 1, 2); two blocks fall from the top at speeds 1 and 2,
each reappearing at a random road column when it leaves the screen. Reward:
+1 for each block that leaves the screen, +1/height for staying put, -2 and
game over when a block hits the car. The state is the screen as a
``width x height`` array of 0 and 1.

The rules are golbin's line for line; two changes around them: the random
columns come from the game's own seeded ``random.Random`` (golbin used the
global ``random``), and the screen is drawn only on request, into PNG
frames or a GIF (``render``), instead of a live matplotlib window.
"""
import random

import numpy as np

NUM_ACTION = 3  # left, stay, right


class Game(object):

    def __init__(self, width=6, height=10, seed=0):
        self.width, self.height = width, height
        self.road_width = int(width / 2)
        self.road_left = int(self.road_width / 2 + 1)
        self.road_right = int(self.road_left + self.road_width - 1)
        self.car = {"col": 0, "row": 2}
        self.block = [{"col": 0, "row": 0, "speed": 1}, {"col": 0, "row": 0, "speed": 2}]
        self.rng = random.Random(seed)
        self.total_reward, self.current_reward, self.total_game = 0.0, 0.0, 0

    def _get_state(self):
        state = np.zeros((self.width, self.height), dtype=np.float32)
        state[self.car["col"], self.car["row"]] = 1
        for block in self.block:
            if block["row"] < self.height:
                state[block["col"], block["row"]] = 1
        return state

    def reset(self):
        self.current_reward = 0
        self.total_game += 1
        self.car["col"] = int(self.width / 2)
        for block in self.block:
            block["col"] = self.rng.randrange(self.road_left, self.road_right + 1)
            block["row"] = 0
        self._update_block()
        return self._get_state()

    def _update_car(self, move):
        self.car["col"] = min(max(self.road_left, self.car["col"] + move), self.road_right)

    def _update_block(self):
        reward = 0
        for block in self.block:
            if block["row"] > 0:
                block["row"] -= block["speed"]
            else:
                block["col"] = self.rng.randrange(self.road_left, self.road_right + 1)
                block["row"] = self.height
                reward += 1
        return reward

    def _is_gameover(self):
        hit = any(self.car["col"] == b["col"] and self.car["row"] == b["row"] for b in self.block)
        if hit:
            self.total_reward += self.current_reward
        return hit

    def step(self, action):
        """(state, reward, game over) after ``action`` (0 left, 1 stay, 2 right)."""
        if action not in (0, 1, 2):
            raise ValueError("action %r is not 0 (left), 1 (stay) or 2 (right)" % (action,))
        self._update_car(action - 1)
        escape_reward = self._update_block()
        stable_reward = 1. / self.height if action == 1 else 0
        gameover = self._is_gameover()
        if gameover:
            reward = -2
        else:
            reward = escape_reward + stable_reward
            self.current_reward += reward
        return self._get_state(), reward, gameover

    def render(self):
        """The screen as an RGB image (golbin's colours: grey road, green car,
        blue and red blocks), 20 pixels per cell, row 0 at the bottom."""
        cell = 20
        image = np.full((self.height * cell, self.width * cell, 3), 255, dtype=np.uint8)

        def paint(col, row, colour):
            if 0 <= col < self.width and 0 <= row < self.height:
                top = (self.height - 1 - row) * cell
                image[top:top + cell, col * cell:(col + 1) * cell] = colour

        for col in range(self.road_left - 1, self.road_right + 1):
            for row in range(self.height):
                paint(col, row, (0x33, 0x33, 0x33))
        paint(self.car["col"], self.car["row"], (0x00, 0xFF, 0x00))
        paint(self.block[0]["col"], self.block[0]["row"], (0x00, 0x00, 0xFF))
        paint(self.block[1]["col"], self.block[1]["row"], (0xFF, 0x00, 0x00))
        return image


def save_gif(path, frames, fps=4):
    """``frames`` (RGB arrays) as an animated GIF (PIL)."""
    from PIL import Image
    from legacy import fileio
    images = [Image.fromarray(f) for f in frames]
    with fileio.atomic_open(path, "wb") as handle:
        images[0].save(handle, format="GIF", save_all=True, append_images=images[1:], duration=int(1000 / fps),
                       loop=0)
    return path
