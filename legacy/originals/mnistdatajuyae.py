"""Port of the study's ``mnistdatajuyae.py`` (jooyae/TensorflowProjects), which
is golbin's ``06 - MNIST/01 - MNIST.py`` (golbin/TensorFlow-Tutorials):
784 -> 256 ReLU -> 256 ReLU -> 10, weights N(0, 0.01), no biases, Adam 0.001,
15 epochs, batch 100, no dropout.

Library: ``python scripts/mnist_dnn.py --preset=mlp``.
Run: ``python -m legacy.originals.mnistdatajuyae --epochs=1``.
Lines marked ``# port:`` are the only additions (legacy/originals/port.py).
"""
from legacy.originals import port  # port: seed, data, limits, output
from legacy.tf import tf  # port: tf.compat.v1 on TF 1.15 and TF 2


def train(a):
    tf.reset_default_graph()  # port: a fresh graph per run
    tf.set_random_seed(a.seed)  # port: seed
    rec = port.Recorder("jooyae/TensorflowProjects mnistdatajuyae.py", a)  # port: output

    mnist = port.read_data_sets(a, one_hot=True)  # port: the verified MNIST, not input_data's download

    X = tf.placeholder(tf.float32, [None, 784])

    Y = tf.placeholder(tf.float32, [None, 10])

    W1 = tf.Variable(tf.random_normal([784, 256], stddev=0.01, seed=1))  # port: op seed

    L1 = tf.nn.relu(tf.matmul(X, W1))

    W2 = tf.Variable(tf.random_normal([256, 256], stddev=0.01, seed=2))  # port: op seed

    L2 = tf.nn.relu(tf.matmul(L1, W2))

    W3 = tf.Variable(tf.random_normal([256, 10], stddev=0.01, seed=3))  # port: op seed

    model = tf.matmul(L2, W3)

    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=model, labels=Y))
    optimizer = tf.train.AdamOptimizer(0.001).minimize(cost)

    sess = tf.Session()
    sess.run(tf.global_variables_initializer())

    batch_size = 100
    total_batch = int(mnist.train.num_examples / batch_size)

    for epoch in range(port.limit(a.epochs, 15)):  # port: --epochs
        total_cost = 0

        for i in range(total_batch):
            # 텐서플로우의 mnist 모델의 next_batch 함수를 이용해
            # 지정한 크기만큼 학습할 데이터를 가져옵니다.
            batch_xs, batch_ys = mnist.train.next_batch(batch_size)

            _, cost_val = sess.run([optimizer, cost], feed_dict={X: batch_xs, Y: batch_ys})
            total_cost += cost_val
            rec.step(cost_val)  # port: output

        print('Epoch:', '%04d' % (epoch + 1),
              'Avg. cost =', '{:.3f}'.format(total_cost / total_batch))
        rec.epoch(total_cost / total_batch)  # port: output

    print('최적화 완료!')

    is_correct = tf.equal(tf.argmax(model, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(is_correct, tf.float32))
    test_accuracy = sess.run(accuracy,  # port: kept for the output
                             feed_dict={X: mnist.test.images,
                                        Y: mnist.test.labels})
    print('정확도:', test_accuracy)
    rec.set(test_accuracy=float(test_accuracy))  # port: output
    rec.weights(sess.run([W1, W2, W3]))  # port: output
    return rec.finish()  # port: output


if __name__ == "__main__":
    port.run(train)  # port: flags
