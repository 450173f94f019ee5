"""Port of the study's ``cnn_rmsprop.py`` (jooyae/TensorflowProjects), the
RMSProp half of its only recorded run log (notebook ``cnnadamRMS.ipynb``, cell
18: ``Epoch: 0001 Avg. cost = 1.177`` ... ``0.028``, ``정확도: 0.9866``).

cnn_adam.py with ``tf.train.RMSPropOptimizer(0.001, 0.9)`` (decay 0.9,
TF1's momentum 0 and epsilon 1e-10), golbin's suggestion in 07/01.

Library: ``python scripts/mnist_cnn.py --variant=swu --optimizer=rmsprop
--eval_keep_prob=0.8``. Run: ``python -m legacy.originals.cnn_rmsprop --epochs=1``.
Lines marked ``# port:`` are the only additions (legacy/originals/port.py).
"""
from legacy.originals import port  # port: seed, data, limits, output
from legacy.tf import tf  # port: tf.compat.v1 on TF 1.15 and TF 2


def train(a):
    tf.reset_default_graph()  # port: a fresh graph per run
    tf.set_random_seed(a.seed)  # port: seed
    rec = port.Recorder("jooyae/TensorflowProjects cnn_rmsprop.py", a)  # port: output
    # MNIST 불러오기
    mnist = port.read_data_sets(a, one_hot=True)  # port: the verified MNIST, not input_data's download
    # 입력층과 출력층
    X = tf.placeholder(tf.float32, [None, 28, 28, 1])
    Y = tf.placeholder(tf.float32, [None, 10])
    keep_prob = tf.placeholder(tf.float32)

    # convolution layer 2개
    # maxpooling 2X2 적용
    W1 = tf.Variable(tf.random_normal([3, 3, 1, 32], stddev=0.01, seed=1))  # port: op seed
    L1 = tf.nn.conv2d(X, W1, strides=[1, 1, 1, 1], padding='SAME')
    L1 = tf.nn.relu(L1)
    L1 = tf.nn.max_pool(L1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME')
    L1 = tf.nn.dropout(L1, keep_prob)

    W2 = tf.Variable(tf.random_normal([3, 3, 32, 64], stddev=0.01, seed=2))  # port: op seed
    L2 = tf.nn.conv2d(L1, W2, strides=[1, 1, 1, 1], padding='SAME')
    L2 = tf.nn.relu(L2)
    L2 = tf.nn.max_pool(L2, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME')
    L2 = tf.nn.dropout(L2, keep_prob)

    # FC 2개 구성, 각각 256,256
    # 첫번째
    W3 = tf.Variable(tf.random_normal([7 * 7 * 64, 256], stddev=0.01, seed=3))  # port: op seed
    L3 = tf.reshape(L2, [-1, 7 * 7 * 64])
    L3 = tf.matmul(L3, W3)
    L3 = tf.nn.relu(L3)
    L3 = tf.nn.dropout(L3, keep_prob)

    # 두번째
    W4 = tf.Variable(tf.random_normal([2 * 2 * 64, 256], stddev=0.01, seed=4))  # port: op seed
    L4 = tf.reshape(L3, [-1, 2 * 2 * 64])
    L4 = tf.matmul(L4, W4)
    L4 = tf.nn.relu(L4)
    L4 = tf.nn.dropout(L4, keep_prob)

    W5 = tf.Variable(tf.random_normal([256, 10], stddev=0.01, seed=5))  # port: op seed
    model = tf.matmul(L4, W5)

    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=model, labels=Y))
    optimizer = tf.train.RMSPropOptimizer(0.001, 0.9).minimize(cost)

    init = tf.global_variables_initializer()
    sess = tf.Session()
    sess.run(init)

    batch_size = 100
    total_batch = int(mnist.train.num_examples / batch_size)

    for epoch in range(port.limit(a.epochs, 15)):  # port: --epochs
        total_cost = 0

        for i in range(total_batch):
            batch_xs, batch_ys = mnist.train.next_batch(batch_size)

            batch_xs = batch_xs.reshape(-1, 28, 28, 1)

            _, cost_val = sess.run([optimizer, cost],
                                   feed_dict={X: batch_xs,
                                              Y: batch_ys,
                                              keep_prob: port.dropout_keep(a, 0.8)})  # port: --nodropout
            total_cost += cost_val
            rec.step(cost_val)  # port: output

        print('Epoch:', '%04d' % (epoch + 1),
              'Avg. cost =', '{:.3f}'.format(total_cost / total_batch))
        rec.epoch(total_cost / total_batch)  # port: output

    print('최적화 완료!')

    # 결과 확인
    is_correct = tf.equal(tf.argmax(model, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(is_correct, tf.float32))
    test_accuracy = sess.run(accuracy,  # port: kept for the output
                             feed_dict={X: mnist.test.images.reshape(-1, 28, 28, 1),
                                        Y: mnist.test.labels,
                                        keep_prob: 0.8})
    print('정확도:', test_accuracy)
    rec.set(test_accuracy=float(test_accuracy))  # port: output
    rec.weights(sess.run([W1, W2, W3, W4, W5]))  # port: output
    return rec.finish()  # port: output


if __name__ == "__main__":
    port.run(train)  # port: flags
