"""Port of golbin's ``10 - RNN/01 - MNIST.py`` (golbin/TensorFlow-Tutorials):
each MNIST image as 28 steps of 28 pixels into ``tf.nn.rnn_cell.BasicRNNCell(128)``
run by ``tf.nn.dynamic_rnn``; the last output -> W [128, 10] + b (N(0, 1));
Adam 0.001, 30 epochs of batch 128.

Library: ``python scripts/rnn_mnist.py`` (its cell written out by hand in
legacy/chapters/rnn.py, as TF 2.21's tf.compat.v1 has no rnn_cell with Keras 3).
Run: ``python -m legacy.originals.golbin_rnn_mnist --epochs=1`` (TF 1.15 lane).
Lines marked ``# port:`` are the only additions (legacy/originals/port.py):
op seeds (W, b, and the cell's kernel through the variable scope's
initializer, port.GlorotSeeds), data, limits, output.
"""
# 머신러닝 학습의 Hello World 와 같은 MNIST(손글씨 숫자 인식) 문제를 신경망으로 풀어봅니다.
from legacy.tf import tf  # port: tf.compat.v1 on TF 1.15

from legacy.originals import port  # port: seed, data, limits, output


def train(a):  # port: the script's body as a function of port.args
    tf.reset_default_graph()  # port: a fresh graph per run
    tf.set_random_seed(a.seed)  # port: seed
    tf.get_variable_scope().set_initializer(port.GlorotSeeds(1))  # port: op seed of the cell's kernel
    rec = port.Recorder("golbin/TensorFlow-Tutorials 10 - RNN/01 - MNIST.py", a)  # port: output

    mnist = port.read_data_sets(a, one_hot=True)  # port: the verified MNIST, not input_data's download

    #########
    # 옵션 설정
    ######
    learning_rate = 0.001
    total_epoch = port.limit(a.epochs, 30)  # port: --epochs
    batch_size = 128

    # RNN 은 순서가 있는 자료를 다루므로,
    # 한 번에 입력받는 갯수와, 총 몇 단계로 이루어져있는 데이터를 받을지를 설정해야합니다.
    # 이를 위해 가로 픽셀수를 n_input 으로, 세로 픽셀수를 입력 단계인 n_step 으로 설정하였습니다.
    n_input = 28
    n_step = 28
    n_hidden = 128
    n_class = 10

    #########
    # 신경망 모델 구성
    ######
    X = tf.placeholder(tf.float32, [None, n_step, n_input])
    Y = tf.placeholder(tf.float32, [None, n_class])

    W = tf.Variable(tf.random_normal([n_hidden, n_class], seed=2))  # port: op seed
    b = tf.Variable(tf.random_normal([n_class], seed=3))  # port: op seed

    # RNN 에 학습에 사용할 셀을 생성합니다
    # 다음 함수들을 사용하면 다른 구조의 셀로 간단하게 변경할 수 있습니다
    # BasicRNNCell,BasicLSTMCell,GRUCell
    cell = tf.nn.rnn_cell.BasicRNNCell(n_hidden)

    # RNN 신경망을 생성합니다
    # 원래는 다음과 같은 과정을 거쳐야 하지만
    # states = tf.zeros(batch_size)
    # for i in range(n_step):
    #     outputs, states = cell(X[[:, i]], states)
    # ...
    # 다음처럼 tf.nn.dynamic_rnn 함수를 사용하면
    # CNN 의 tf.nn.conv2d 함수처럼 간단하게 RNN 신경망을 만들어줍니다.
    # 겁나 매직!!
    outputs, states = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)

    # 결과를 Y의 다음 형식과 바꿔야 하기 때문에
    # Y : [batch_size, n_class]
    # outputs 의 형태를 이에 맞춰 변경해야합니다.
    # outputs : [batch_size, n_step, n_hidden]
    #        -> [n_step, batch_size, n_hidden]
    #        -> [batch_size, n_hidden]
    outputs = tf.transpose(outputs, [1, 0, 2])
    outputs = outputs[-1]
    model = tf.matmul(outputs, W) + b

    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=model, labels=Y))
    optimizer = tf.train.AdamOptimizer(learning_rate).minimize(cost)

    #########
    # 신경망 모델 학습
    ######
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())

    total_batch = int(mnist.train.num_examples/batch_size)

    for epoch in range(total_epoch):
        total_cost = 0

        for i in range(total_batch):
            batch_xs, batch_ys = mnist.train.next_batch(batch_size)
            # X 데이터를 RNN 입력 데이터에 맞게 [batch_size, n_step, n_input] 형태로 변환합니다.
            batch_xs = batch_xs.reshape((batch_size, n_step, n_input))

            _, cost_val = sess.run([optimizer, cost],
                                   feed_dict={X: batch_xs, Y: batch_ys})
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

    test_batch_size = len(mnist.test.images)
    test_xs = mnist.test.images.reshape(test_batch_size, n_step, n_input)
    test_ys = mnist.test.labels

    test_accuracy = sess.run(accuracy, feed_dict={X: test_xs, Y: test_ys})  # port: kept for the output
    print('정확도:', test_accuracy)
    rec.set(test_accuracy=float(test_accuracy))  # port: output
    rec.weights(sess.run([cell.weights[0], cell.weights[1], W, b]))  # port: output
    return rec.finish()  # port: output


if __name__ == "__main__":
    port.run(train)  # port: flags
