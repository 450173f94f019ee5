"""Port of golbin's ``08 - Autoencoder/01 - Autoencoder.py``
(golbin/TensorFlow-Tutorials): 784 -> 256 sigmoid -> 784 sigmoid, W and b
N(0, 1), mean squared error, RMSProp 0.01, 20 epochs of batch 100; 10 test
digits above their reconstructions.

Library: ``python scripts/autoencoder.py`` (legacy/chapters/autoencoder.py).
Run: ``python -m legacy.originals.golbin_autoencoder --epochs=1 --plot=ae.png``.
Lines marked ``# port:`` are the only additions (legacy/originals/port.py).
"""
# 대표적인 비지도(Unsupervised) 학습 방법인 Autoencoder 를 구현해봅니다.
from legacy.tf import tf  # port: tf.compat.v1 on TF 1.15 and TF 2
import numpy as np

from legacy.originals import port  # port: seed, data, limits, output

plt = port.pyplot()  # port: matplotlib.pyplot with the Agg backend


def train(a):  # port: the script's body as a function of port.args
    tf.reset_default_graph()  # port: a fresh graph per run
    tf.set_random_seed(a.seed)  # port: seed
    rec = port.Recorder("golbin/TensorFlow-Tutorials 08 - Autoencoder/01 - Autoencoder.py", a)  # port: output

    mnist = port.read_data_sets(a, one_hot=True)  # port: the verified MNIST, not input_data's download

    #########
    # 옵션 설정
    ######
    learning_rate = 0.01
    training_epoch = port.limit(a.epochs, 20)  # port: --epochs
    batch_size = 100
    # 신경망 레이어 구성 옵션
    n_hidden = 256  # 히든 레이어의 뉴런 갯수
    n_input = 28*28   # 입력값 크기 - 이미지 픽셀수

    #########
    # 신경망 모델 구성
    ######
    # Y 가 없습니다. 입력값을 Y로 사용하기 때문입니다.
    X = tf.placeholder(tf.float32, [None, n_input])

    # 인코더 레이어와 디코더 레이어의 가중치와 편향 변수를 설정합니다.
    # 다음과 같이 이어지는 레이어를 구성하기 위한 값들 입니다.
    # input -> encode -> decode -> output
    W_encode = tf.Variable(tf.random_normal([n_input, n_hidden], seed=1))  # port: op seed
    b_encode = tf.Variable(tf.random_normal([n_hidden], seed=2))  # port: op seed
    # sigmoid 함수를 이용해 신경망 레이어를 구성합니다.
    # sigmoid(X * W + b)
    # 인코더 레이어 구성
    encoder = tf.nn.sigmoid(
                    tf.add(tf.matmul(X, W_encode), b_encode))

    # encode 의 아웃풋 크기를 입력값보다 작은 크기로 만들어 정보를 압축하여 특성을 뽑아내고,
    # decode 의 출력을 입력값과 동일한 크기를 갖도록하여 입력과 똑같은 아웃풋을 만들어 내도록 합니다.
    # 히든 레이어의 구성과 특성치을 뽑아내는 알고리즘을 변경하여 다양한 오토인코더를 만들 수 있습니다.
    W_decode = tf.Variable(tf.random_normal([n_hidden, n_input], seed=3))  # port: op seed
    b_decode = tf.Variable(tf.random_normal([n_input], seed=4))  # port: op seed
    # 디코더 레이어 구성
    # 이 디코더가 최종 모델이 됩니다.
    decoder = tf.nn.sigmoid(
                    tf.add(tf.matmul(encoder, W_decode), b_decode))

    # 디코더는 인풋과 최대한 같은 결과를 내야 하므로, 디코딩한 결과를 평가하기 위해
    # 입력 값인 X 값을 평가를 위한 실측 결과 값으로하여 decoder 와의 차이를 손실값으로 설정합니다.
    cost = tf.reduce_mean(tf.pow(X - decoder, 2))
    optimizer = tf.train.RMSPropOptimizer(learning_rate).minimize(cost)

    #########
    # 신경망 모델 학습
    ######
    init = tf.global_variables_initializer()
    sess = tf.Session()
    sess.run(init)

    total_batch = int(mnist.train.num_examples/batch_size)

    for epoch in range(training_epoch):
        total_cost = 0

        for i in range(total_batch):
            batch_xs, batch_ys = mnist.train.next_batch(batch_size)
            _, cost_val = sess.run([optimizer, cost],
                                   feed_dict={X: batch_xs})
            total_cost += cost_val
            rec.step(cost_val)  # port: output

        print('Epoch:', '%04d' % (epoch + 1),
              'Avg. cost =', '{:.4f}'.format(total_cost / total_batch))
        rec.epoch(total_cost / total_batch)  # port: output

    print('최적화 완료!')

    #########
    # 결과 확인
    # 입력값(위쪽)과 모델이 생성한 값(아래쪽)을 시각적으로 비교해봅니다.
    ######
    sample_size = 10

    samples = sess.run(decoder,
                       feed_dict={X: mnist.test.images[:sample_size]})

    fig, ax = plt.subplots(2, sample_size, figsize=(sample_size, 2))

    for i in range(sample_size):
        ax[0][i].set_axis_off()
        ax[1][i].set_axis_off()
        ax[0][i].imshow(np.reshape(mnist.test.images[i], (28, 28)))
        ax[1][i].imshow(np.reshape(samples[i], (28, 28)))

    port.save_figure(fig, a)  # port: plt.show()
    plt.close(fig)  # port: a fresh figure per run
    rec.set(samples=samples)  # port: output
    rec.weights(sess.run([W_encode, b_encode, W_decode, b_decode]))  # port: output
    return rec.finish()  # port: output


if __name__ == "__main__":
    port.run(train)  # port: flags
