"""Port of the study's ``LogisticRegression.py`` (jooyae/TensorflowProjects):
despite the name, golbin's ``04 - Neural Network Basic/02 - Deep NN.py``
(fur/wings -> other / mammal / bird) made deeper, on 20 rows.

2 -> 10 -> 20 -> 10 -> 3, ReLU, linear logits; weights Uniform(-1, 1),
biases zero; mean softmax cross-entropy; GradientDescentOptimizer(0.01); 100
full-batch steps; prints (step, cost) every 10 steps, then the predicted and
true class indices and the accuracy in %.

Library: ``python scripts/animals_dnn.py --hidden=10,20,10``.
Run: ``python -m legacy.originals.logisticregression --steps=50``.
Lines marked ``# port:`` are the only additions (legacy/originals/port.py).
"""
import numpy as np

from legacy.originals import port  # port: seed, limits, output
from legacy.tf import tf  # port: tf.compat.v1 on TF 1.15 and TF 2


def train(a):
    tf.reset_default_graph()  # port: a fresh graph per run
    tf.set_random_seed(a.seed)  # port: seed
    rec = port.Recorder("jooyae/TensorflowProjects LogisticRegression.py", a)  # port: output

    # [털, 날개]
    x_data = np.array([[0, 0], [1, 0], [1, 1], [0, 0], [0, 0], [0, 1],
                       [0, 0], [1, 0], [1, 1], [0, 0], [0, 0], [0, 1],
                       [0, 0], [1, 0], [1, 1], [0, 0], [0, 0], [0, 1],
                       [0, 0], [1, 0]])
    # 기타, 포유류, 조류 학습시켜주기
    y_data = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 0, 1],
                       [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 0, 1],
                       [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 0, 1],
                       [1, 0, 0], [0, 1, 0]])

    # placeholder에 실측값 넣어주기
    X = tf.placeholder(tf.float32)
    Y = tf.placeholder(tf.float32)

    # 가중치와 편향

    # 첫번째 가중치의 차원은 [특성, 히든 레이어의 뉴런갯수]
    W1 = tf.Variable(tf.random_uniform([2, 10], -1., 1., seed=1))  # port: op seed
    # 두번째 가중치의 차원은 [첫번째 히든 레이어의 뉴런갯수,두번째 히든 레이어의 뉴런갯수 ]
    W2 = tf.Variable(tf.random_uniform([10, 20], -1., 1., seed=2))  # port: op seed
    # 세번째 가중치의 차원은 [두번째 히든 레이어의 뉴런갯수,세번째 히든 레이어의 뉴런갯수]
    W3 = tf.Variable(tf.random_uniform([20, 10], -1., 1., seed=3))  # port: op seed
    # 네번째 가중치의 차원은 [세번째 히든 레이어의 뉴런갯수, 분류]
    W4 = tf.Variable(tf.random_uniform([10, 3], -1., 1., seed=4))  # port: op seed

    # b1,b2,b3은 히든레이어의 뉴런갯수
    # b4는 최종분류값=3
    b1 = tf.Variable(tf.zeros([10]))
    b2 = tf.Variable(tf.zeros([20]))
    b3 = tf.Variable(tf.zeros([10]))
    b4 = tf.Variable(tf.zeros([3]))

    # LAYER 추가
    L1 = tf.nn.relu(tf.add(tf.matmul(X, W1), b1))
    L2 = tf.nn.relu(tf.add(tf.matmul(L1, W2), b2))
    L3 = tf.nn.relu(tf.add(tf.matmul(L2, W3), b3))

    model = tf.add(tf.matmul(L3, W4), b4)
    cost = tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=model))

    optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.01)
    train_op = optimizer.minimize(cost)

    sess = tf.Session()
    sess.run(tf.global_variables_initializer())

    for step in range(port.limit(a.steps, 100)):  # port: --steps
        sess.run(train_op, feed_dict={X: x_data, Y: y_data})

        if (step + 1) % 10 == 0:
            cost_val = sess.run(cost, feed_dict={X: x_data, Y: y_data})  # port: kept for the output
            print(step + 1, cost_val)
            rec.step(cost_val)  # port: output (the printed costs, after steps 10, 20, ...)
    prediction = tf.argmax(model, 1)
    target = tf.argmax(Y, 1)

    print('예측값:', sess.run(prediction, feed_dict={X: x_data}))
    print('실제값:', sess.run(target, feed_dict={Y: y_data}))

    is_correct = tf.equal(prediction, target)
    accuracy = tf.reduce_mean(tf.cast(is_correct, tf.float32))
    print('정확도: %.2f' % sess.run(accuracy * 100, feed_dict={X: x_data, Y: y_data}))
    rec.set(prediction=sess.run(prediction, feed_dict={X: x_data}),  # port: output
            accuracy=float(sess.run(accuracy, feed_dict={X: x_data, Y: y_data})))
    rec.weights(sess.run([W1, W2, W3, W4, b1, b2, b3, b4]))  # port: output
    return rec.finish()  # port: output


if __name__ == "__main__":
    port.run(train)  # port: flags
