"""Port of golbin's ``07 - CNN/01 - CNN.py`` (golbin/TensorFlow-Tutorials), the
CNN the study ran first.

conv 3x3x32 SAME ReLU, max-pool 2x2/2 -> conv 3x3x64 SAME ReLU, max-pool ->
flatten 3136 -> 256 ReLU -> dropout -> 10; weights N(0, 0.01), no biases;
Adam 0.001, keep_prob 0.7 in training and 1 at test, 15 epochs, batch 100.

Library: ``python scripts/mnist_cnn.py --variant=golbin``.
Run: ``python -m legacy.originals.golbin_cnn --epochs=1``.
Lines marked ``# port:`` are the only additions (legacy/originals/port.py).
"""
from legacy.originals import port  # port: seed, data, limits, output
from legacy.tf import tf  # port: tf.compat.v1 on TF 1.15 and TF 2


def train(a):
    tf.reset_default_graph()  # port: a fresh graph per run
    tf.set_random_seed(a.seed)  # port: seed
    rec = port.Recorder("golbin/TensorFlow-Tutorials 07 - CNN/01 - CNN.py", a)  # port: output

    mnist = port.read_data_sets(a, one_hot=True)  # port: the verified MNIST, not input_data's download

    #########
    # 신경망 모델 구성
    ######
    # 기존 모델에서는 입력 값을 28x28 하나의 차원으로 구성하였으나,
    # CNN 모델을 사용하기 위해 2차원 평면과 특성치의 형태를 갖는 구조로 만듭니다.
    X = tf.placeholder(tf.float32, [None, 28, 28, 1])
    Y = tf.placeholder(tf.float32, [None, 10])
    keep_prob = tf.placeholder(tf.float32)

    # W1 [3 3 1 32] -> [3 3]: 커널 크기, 1: 입력값 X 의 특성수, 32: 필터 갯수
    # L1 Conv shape=(?, 28, 28, 32)
    #    Pool     ->(?, 14, 14, 32)
    W1 = tf.Variable(tf.random_normal([3, 3, 1, 32], stddev=0.01, seed=1))  # port: op seed
    L1 = tf.nn.conv2d(X, W1, strides=[1, 1, 1, 1], padding='SAME')
    L1 = tf.nn.relu(L1)
    L1 = tf.nn.max_pool(L1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME')
    # L1 = tf.nn.dropout(L1, keep_prob)

    # L2 Conv shape=(?, 14, 14, 64)
    #    Pool     ->(?, 7, 7, 64)
    W2 = tf.Variable(tf.random_normal([3, 3, 32, 64], stddev=0.01, seed=2))  # port: op seed
    L2 = tf.nn.conv2d(L1, W2, strides=[1, 1, 1, 1], padding='SAME')
    L2 = tf.nn.relu(L2)
    L2 = tf.nn.max_pool(L2, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME')
    # L2 = tf.nn.dropout(L2, keep_prob)

    # FC 레이어: 입력값 7x7x64 -> 출력값 256
    W3 = tf.Variable(tf.random_normal([7 * 7 * 64, 256], stddev=0.01, seed=3))  # port: op seed
    L3 = tf.reshape(L2, [-1, 7 * 7 * 64])
    L3 = tf.matmul(L3, W3)
    L3 = tf.nn.relu(L3)
    L3 = tf.nn.dropout(L3, keep_prob)

    # 최종 출력값 L3 에서의 출력 256개를 입력값으로 받아서 0~9 레이블인 10개의 출력값을 만듭니다.
    W4 = tf.Variable(tf.random_normal([256, 10], stddev=0.01, seed=4))  # port: op seed
    model = tf.matmul(L3, W4)

    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=model, labels=Y))
    optimizer = tf.train.AdamOptimizer(0.001).minimize(cost)
    # 최적화 함수를 RMSPropOptimizer 로 바꿔서 결과를 확인해봅시다.
    # optimizer = tf.train.RMSPropOptimizer(0.001, 0.9).minimize(cost)

    #########
    # 신경망 모델 학습
    ######
    init = tf.global_variables_initializer()
    sess = tf.Session()
    sess.run(init)

    batch_size = 100
    total_batch = int(mnist.train.num_examples / batch_size)

    for epoch in range(port.limit(a.epochs, 15)):  # port: --epochs
        total_cost = 0

        for i in range(total_batch):
            batch_xs, batch_ys = mnist.train.next_batch(batch_size)
            # 이미지 데이터를 CNN 모델을 위한 자료형태인 [28 28 1] 의 형태로 재구성합니다.
            batch_xs = batch_xs.reshape(-1, 28, 28, 1)

            _, cost_val = sess.run([optimizer, cost],
                                   feed_dict={X: batch_xs,
                                              Y: batch_ys,
                                              keep_prob: port.dropout_keep(a, 0.7)})  # port: --nodropout
            total_cost += cost_val
            rec.step(cost_val)  # port: output

        print('Epoch:', '%04d' % (epoch + 1),
              'Avg. cost =', '{:.3f}'.format(total_cost / total_batch))
        rec.epoch(total_cost / total_batch)  # port: output

    print('최적화 완료!')

    #########
    # 결과 확인
    ######
    is_correct = tf.equal(tf.argmax(model, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(is_correct, tf.float32))
    test_accuracy = sess.run(accuracy,  # port: kept for the output
                             feed_dict={X: mnist.test.images.reshape(-1, 28, 28, 1),
                                        Y: mnist.test.labels,
                                        keep_prob: 1})
    print('정확도:', test_accuracy)
    rec.set(test_accuracy=float(test_accuracy))  # port: output
    rec.weights(sess.run([W1, W2, W3, W4]))  # port: output
    return rec.finish()  # port: output


if __name__ == "__main__":
    port.run(train)  # port: flags
