"""Port of golbin's ``12 - DQN/agent.py`` (golbin/TensorFlow-Tutorials): the
agent that plays legacy/originals/dqn_game.py with legacy/originals/dqn_model.py,
``--train`` to learn (10,000 episodes, epsilon from 1 down by 1/1000 per game
step after 100 episodes, a training step every 4 game steps after 100, the
target network copied every 1,000 game steps; the mean reward of each 10
episodes to TensorBoard as ``avg.reward/ep.``), else ``replay()``.

Library: ``python scripts/dqn.py`` (legacy/chapters/dqn.py).
Run: ``python -m legacy.originals.dqn_agent --train --max_steps=20000 --logdir=runs/dqn-port``
(TF 1.15 lane: ``tf.layers`` is absent from TF 2.21's tf.compat.v1 with Keras 3).
Lines marked ``# port:`` are the only additions (legacy/originals/port.py):
seeds, ``--max_steps``, golbin's ``logs`` / ``model`` under ``--logdir``,
``--threads``, ``--resume``, per-episode record; ``replay()`` does not sleep
0.3 s per step or draw (no window).
"""
# 게임 구현과 DQN 모델을 이용해 게임을 실행하고 학습을 진행합니다.
from legacy.tf import tf  # port: tf.compat.v1 on TF 1.15
import numpy as np
import random  # noqa: F401  (golbin's; the port draws from port.action_rng)
import time  # noqa: F401  (golbin's time.sleep(0.3) in replay())

from legacy.originals.dqn_game import Game  # port: package path
from legacy.originals.dqn_model import DQN  # port: package path
from legacy.originals import port  # port: seeds, limits, run folder, resume


# tf.app.flags.DEFINE_boolean("train", False, "학습모드. 게임을 화면에 보여주지 않습니다.")  # port: port.run_game

# 최대 학습 횟수
MAX_EPISODE = 10000
# 1000번의 학습마다 한 번씩 타겟 네트웍을 업데이트합니다.
TARGET_UPDATE_INTERVAL = 1000
# 4 프레임마다 한 번씩 학습합니다.
TRAIN_INTERVAL = 4
# 학습 데이터를 어느정도 쌓은 후, 일정 시간 이후에 학습을 시작하도록 합니다.
OBSERVE = 100

# action: 0: 좌, 1: 유지, 2: 우
NUM_ACTION = 3
SCREEN_WIDTH = 6
SCREEN_HEIGHT = 10


def train(a):  # port: a = port.game_args
    tf.reset_default_graph()  # port: a fresh graph per run
    tf.set_random_seed(a.seed)  # port: seed
    rec = port.GameRecord(a, "golbin/TensorFlow-Tutorials 12 - DQN/agent.py --train")  # port: output
    rng = port.action_rng(a)  # port: the seeded epsilon-greedy stream
    print('뇌세포 깨우는 중..')
    sess = tf.Session(config=port.session_config(a))  # port: --threads

    game = Game(SCREEN_WIDTH, SCREEN_HEIGHT, show_game=False, rng=port.game_rng(a))  # port: rng
    brain = DQN(sess, SCREEN_WIDTH, SCREEN_HEIGHT, NUM_ACTION, rng=port.memory_rng(a))  # port: rng

    rewards = tf.placeholder(tf.float32, [None])
    tf.summary.scalar('avg.reward/ep.', tf.reduce_mean(rewards))

    saver = tf.train.Saver()
    sess.run(tf.global_variables_initializer())

    writer = tf.summary.FileWriter(port.in_run_dir(a, 'logs'), sess.graph)  # port: under --logdir
    summary_merged = tf.summary.merge_all()

    # 타겟 네트웍을 초기화합니다.
    brain.update_target_network()

    # 다음에 취할 액션을 DQN 을 이용해 결정할 시기를 결정합니다.
    epsilon = 1.0
    # 프레임 횟수
    time_step = 0
    total_reward_list = []

    saved = port.GameState(a, rec)  # port: --resume
    first = 0  # port: --resume
    state = saved.restore(sess, saver)  # port: --resume
    if state:  # port: --resume
        first, epsilon, time_step, total_reward_list = state["episode"] + 1, state["epsilon"], state["time_step"], state["total_reward_list"]  # port: --resume  # noqa: E501
        brain.memory, game.__dict__ = state["memory"], dict(state["game"], rng=game.rng)  # port: --resume
        rng.set_state(state["action_rng"]), brain.rng.set_state(state["memory_rng"]), game.rng.setstate(state["game_rng"])  # port: --resume  # noqa: E501

    # 게임을 시작합니다.
    for episode in range(first, port.limit(a.max_episodes, MAX_EPISODE)):  # port: --resume, --max_episodes
        terminal = False
        total_reward = 0

        # 게임을 초기화하고 현재 상태를 가져옵니다.
        # 상태는 screen_width x screen_height 크기의 화면 구성입니다.
        state = game.reset()
        brain.init_state(state)

        while not terminal:
            # 입실론이 랜덤값보다 작은 경우에는 랜덤한 액션을 선택하고
            # 그 이상일 경우에는 DQN을 이용해 액션을 선택합니다.
            # 초반엔 학습이 적게 되어 있기 때문입니다.
            # 초반에는 거의 대부분 랜덤값을 사용하다가 점점 줄어들어
            # 나중에는 거의 사용하지 않게됩니다.
            if rng.rand() < epsilon:  # port: rng
                action = rng.randint(NUM_ACTION)  # port: rng (random.randrange)
            else:
                action = brain.get_action()

            # 일정 시간이 지난 뒤 부터 입실론 값을 줄입니다.
            # 초반에는 학습이 전혀 안되어 있기 때문입니다.
            if episode > OBSERVE:
                epsilon -= 1 / 1000

            # 결정한 액션을 이용해 게임을 진행하고, 보상과 게임의 종료 여부를 받아옵니다.
            state, reward, terminal = game.step(action)
            total_reward += reward

            # 현재 상태를 Brain에 기억시킵니다.
            # 기억한 상태를 이용해 학습하고, 다음 상태에서 취할 행동을 결정합니다.
            brain.remember(state, action, reward, terminal)

            if time_step > OBSERVE and time_step % TRAIN_INTERVAL == 0:
                # DQN 으로 학습을 진행합니다.
                rec.step(brain.train())  # port: record the cost

            if time_step % TARGET_UPDATE_INTERVAL == 0:
                # 타겟 네트웍을 업데이트 해 줍니다.
                brain.update_target_network()

            time_step += 1
            if rec.stopped(time_step, episode):  # port: --max_steps
                break  # port: --max_steps

        print('게임횟수: %d 점수: %d' % (episode + 1, total_reward))
        rec.episode(episode + 1, time_step, total_reward)  # port: record

        total_reward_list.append(total_reward)

        if episode % 10 == 0:
            summary = sess.run(summary_merged, feed_dict={rewards: total_reward_list})
            writer.add_summary(summary, time_step)
            total_reward_list = []

        if episode % 100 == 0:
            saver.save(sess, port.in_run_dir(a, 'model/dqn.ckpt'), global_step=time_step)  # port: under --logdir
            writer.flush()  # port: the curve on disk at each save
            saved.save(sess, saver, time_step, episode=episode, epsilon=epsilon, time_step=time_step, total_reward_list=total_reward_list, memory=brain.memory, game={k: v for k, v in game.__dict__.items() if k != "rng"}, action_rng=rng.get_state(), memory_rng=brain.rng.get_state(), game_rng=game.rng.getstate())  # port: --resume  # noqa: E501
        if rec.stopped(time_step, episode + 1):  # port: --max_steps
            break  # port: --max_steps

    writer.close()  # port: flush the events
    rec.weights(sess.run(tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='main')))  # port: output
    return rec.finish(game_steps=time_step, episodes=episode + 1, epsilon=epsilon)  # port: output


def replay(a):  # port: a = port.game_args
    print('뇌세포 깨우는 중..')
    sess = tf.Session(config=port.session_config(a))  # port: --threads

    game = Game(SCREEN_WIDTH, SCREEN_HEIGHT, show_game=False, rng=port.game_rng(a))  # port: no window, rng
    brain = DQN(sess, SCREEN_WIDTH, SCREEN_HEIGHT, NUM_ACTION, rng=port.memory_rng(a))  # port: rng

    saver = tf.train.Saver()
    ckpt = tf.train.get_checkpoint_state(port.in_run_dir(a, 'model'))  # port: under --logdir
    saver.restore(sess, ckpt.model_checkpoint_path)

    # 게임을 시작합니다.
    for episode in range(port.limit(a.max_episodes, MAX_EPISODE)):  # port: --max_episodes
        terminal = False
        total_reward = 0

        state = game.reset()
        brain.init_state(state)

        while not terminal:
            action = brain.get_action()

            # 결정한 액션을 이용해 게임을 진행하고, 보상과 게임의 종료 여부를 받아옵니다.
            state, reward, terminal = game.step(action)
            total_reward += reward

            brain.remember(state, action, reward, terminal)

            # 게임 진행을 인간이 인지할 수 있는 속도로^^; 보여줍니다.
            # time.sleep(0.3)  # port: no window to watch

        print('게임횟수: %d 점수: %d' % (episode + 1, total_reward))


def main(a):  # port: a = port.game_args
    if a.train:
        train(a)
    else:
        replay(a)


if __name__ == '__main__':
    port.run_game(main)  # port: flags
