"""Port of the study's ``2017111393- 박주예(mnistdata).py``
(jooyae/TensorflowProjects): its "4-layer" network, run B of the README's
"Batch Normalization" section: keep_prob 0.8 in training and, by mistake,
also when measuring test accuracy and when predicting the 2x5 figure's labels.
Otherwise the same script as ``gradient_descent_optimization.py`` (run A).

Library: ``python scripts/mnist_dnn.py --keep_prob=0.8 --eval_keep_prob=0.8``.
Run: ``python -m legacy.originals.mnistdata --epochs=1``.
Lines marked ``# port:`` are the only additions (legacy/originals/port.py).
"""
import numpy as np

from legacy.originals import port  # port: seed, data, limits, output
from legacy.tf import tf  # port: tf.compat.v1 on TF 1.15 and TF 2

def train(a):
    plt = port.pyplot()  # port: matplotlib without a display
    tf.reset_default_graph()  # port: a fresh graph per run
    tf.set_random_seed(a.seed)  # port: seed
    rec = port.Recorder("jooyae/TensorflowProjects 2017111393- 박주예(mnistdata).py", a)  # port: output

    mnist = port.read_data_sets(a, one_hot=True)  # port: the verified MNIST, not input_data's download

    X = tf.placeholder(tf.float32, [None, 784])
    Y = tf.placeholder(tf.float32, [None, 10])
    keep_prob = tf.placeholder(tf.float32)

    W1 = tf.Variable(tf.random_normal([784, 256], stddev=0.01, seed=1))  # port: op seed
    L1 = tf.nn.relu(tf.matmul(X, W1))
    L1 = tf.nn.dropout(L1, keep_prob)

    W2 = tf.Variable(tf.random_normal([256, 256], stddev=0.01, seed=2))  # port: op seed
    L2 = tf.nn.relu(tf.matmul(L1, W2))
    L2 = tf.nn.dropout(L2, keep_prob)

    W3 = tf.Variable(tf.random_normal([256, 256], stddev=0.01, seed=3))  # port: op seed
    L3 = tf.nn.relu(tf.matmul(L2, W3))
    L3 = tf.nn.dropout(L3, keep_prob)

    W4 = tf.Variable(tf.random_normal([256, 10], stddev=0.01, seed=4))  # port: op seed
    model = tf.matmul(L3, W4)

    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=model, labels=Y))
    optimizer = tf.train.GradientDescentOptimizer(0.2).minimize(cost)

    init = tf.global_variables_initializer()
    sess = tf.Session()
    sess.run(init)

    batch_size = 100
    total_batch = int(mnist.train.num_examples / batch_size)

    for epoch in range(port.limit(a.epochs, 30)):  # port: --epochs
        total_cost = 0

        for i in range(total_batch):
            batch_xs, batch_ys = mnist.train.next_batch(batch_size)

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

    is_correct = tf.equal(tf.argmax(model, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(is_correct, tf.float32))
    test_accuracy = sess.run(accuracy,  # port: kept for the output
                             feed_dict={X: mnist.test.images,
                                        Y: mnist.test.labels,
                                        keep_prob: 0.8})
    print('정확도:', test_accuracy)
    rec.set(test_accuracy=float(test_accuracy))  # port: output
    rec.weights(sess.run([W1, W2, W3, W4]))  # port: output

    labels = sess.run(model,
                      feed_dict={X: mnist.test.images,
                                 Y: mnist.test.labels,
                                 keep_prob: 0.8})

    fig = plt.figure()
    for i in range(10):
        subplot = fig.add_subplot(2, 5, i + 1)
        subplot.set_xticks([])
        subplot.set_yticks([])
        subplot.set_title('%d' % np.argmax(labels[i]))
        subplot.imshow(mnist.test.images[i].reshape((28, 28)),
                       cmap=plt.cm.gray_r)

    port.save_figure(fig, a)  # port: --plot instead of plt.show()
    rec.set(predicted_labels=[int(np.argmax(labels[i])) for i in range(10)])  # port: output
    return rec.finish()  # port: output


if __name__ == "__main__":
    port.run(train)  # port: flags
