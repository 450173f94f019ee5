"""Port of hunkim's ``lab-10-6-mnist_nn_batchnorm.ipynb``
(hunkim/DeepLearningZeroToAll), the batch-norm lab the study's README leans
on: two 784 -> 32 -> 32 -> 10 networks trained side by side on the same
batches, one with ``tf.layers.batch_normalization`` between each hidden
``tf.layers.dense`` and its ReLU, one without. Adam 0.01, 10 epochs, batch 32.
hunkim's notebook printed test accuracy 0.9737 with BN, 0.9513 without.

``tf.layers.dense`` is Glorot-uniform weights with zero biases;
``tf.layers.batch_normalization`` has momentum 0.99 and epsilon 1e-3.

TF 1.15 only: TF 2's ``tf.compat.v1.layers`` is gone with Keras 3 ("`dense`
is not available with Keras 3"). The original's ``tf.contrib.layers.flatten``
(a no-op reshape here: the input is already [N, 32]) is ``tf.layers.flatten``,
so that the port needs nothing outside ``tf.compat.v1``. The library's
``--preset=bn-lab`` builds the same network from tf.Variable and tf.nn ops and
runs on both lanes.

Library: ``python scripts/mnist_dnn.py --preset=bn-lab --batch_norm`` (and
without ``--batch_norm``). Run: ``python -m legacy.originals.bn_lab --epochs=1``.
Lines marked ``# port:`` are the only additions (legacy/originals/port.py).
"""
from legacy.originals import port  # port: seed, data, limits, output
from legacy.tf import tf  # port: tf.compat.v1 (TF 1.15 only here, see above)


class Model:
    """Network Model Class

    Note that this class has only the constructor.
    The actual model is defined inside the constructor.
    """
    def __init__(self, name, input_dim, output_dim, hidden_dims=[32, 32], use_batchnorm=True,
                 activation_fn=tf.nn.relu, optimizer=tf.train.AdamOptimizer, lr=0.01):
        with tf.variable_scope(name):
            # Placeholders are defined
            self.X = tf.placeholder(tf.float32, [None, input_dim], name='X')
            self.y = tf.placeholder(tf.float32, [None, output_dim], name='y')
            self.mode = tf.placeholder(tf.bool, name='train_mode')

            # Loop over hidden layers
            net = self.X
            for i, h_dim in enumerate(hidden_dims):
                with tf.variable_scope('layer{}'.format(i)):
                    net = tf.layers.dense(net, h_dim,
                                          kernel_initializer=tf.glorot_uniform_initializer(seed=i + 1))  # port: op seed

                    if use_batchnorm:
                        net = tf.layers.batch_normalization(net, training=self.mode)

                    net = activation_fn(net)

            # Attach fully connected layers
            net = tf.layers.flatten(net)  # port: tf.contrib.layers.flatten, the same reshape without tf.contrib
            net = tf.layers.dense(net, output_dim,
                                  kernel_initializer=tf.glorot_uniform_initializer(seed=len(hidden_dims) + 1))  # port: op seed

            self.loss = tf.nn.softmax_cross_entropy_with_logits(logits=net, labels=self.y)
            self.loss = tf.reduce_mean(self.loss, name='loss')

            # When using the batchnormalization layers,
            # it is necessary to manually add the update operations
            # because the moving averages are not included in the graph
            update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope=name)
            with tf.control_dependencies(update_ops):
                self.train_op = optimizer(lr).minimize(self.loss)

            # Accuracy etc
            softmax = tf.nn.softmax(net, name='softmax')
            self.accuracy = tf.equal(tf.argmax(softmax, 1), tf.argmax(self.y, 1))
            self.accuracy = tf.reduce_mean(tf.cast(self.accuracy, tf.float32))


class Solver:
    """Solver class

    This class will contain the model class and session
    """
    def __init__(self, sess, model):
        self.model = model
        self.sess = sess

    def train(self, X, y):
        feed = {
            self.model.X: X,
            self.model.y: y,
            self.model.mode: True
        }
        train_op = self.model.train_op
        loss = self.model.loss

        return self.sess.run([train_op, loss], feed_dict=feed)

    def evaluate(self, X, y, batch_size=None):
        if batch_size:
            N = X.shape[0]

            total_loss = 0
            total_acc = 0

            for i in range(0, N, batch_size):
                X_batch = X[i:i + batch_size]
                y_batch = y[i:i + batch_size]

                feed = {
                    self.model.X: X_batch,
                    self.model.y: y_batch,
                    self.model.mode: False
                }

                loss = self.model.loss
                accuracy = self.model.accuracy

                step_loss, step_acc = self.sess.run([loss, accuracy], feed_dict=feed)

                total_loss += step_loss * X_batch.shape[0]
                total_acc += step_acc * X_batch.shape[0]

            total_loss /= N
            total_acc /= N

            return total_loss, total_acc

        else:
            feed = {
                self.model.X: X,
                self.model.y: y,
                self.model.mode: False
            }

            loss = self.model.loss
            accuracy = self.model.accuracy

            return self.sess.run([loss, accuracy], feed_dict=feed)


def train(a):
    rec = port.Recorder("hunkim/DeepLearningZeroToAll lab-10-6-mnist_nn_batchnorm.ipynb", a)  # port: output
    mnist = port.read_data_sets(a, one_hot=True)  # port: the verified MNIST, not input_data's download

    input_dim = 784
    output_dim = 10
    N = mnist.train.num_examples  # port: 55000, or --train_limit

    tf.reset_default_graph()
    tf.set_random_seed(a.seed)  # port: seed
    sess = tf.InteractiveSession()

    # We create two models: one with the batch norm and other without
    bn = Model('batchnorm', input_dim, output_dim, use_batchnorm=True)
    nn = Model('no_norm', input_dim, output_dim, use_batchnorm=False)

    # We create two solvers: to train both models at the same time for comparison
    # Usually we only need one solver class
    bn_solver = Solver(sess, bn)
    nn_solver = Solver(sess, nn)

    epoch_n = port.limit(a.epochs, 10)  # port: --epochs
    batch_size = 32

    # Save Losses and Accuracies every epoch
    # We are going to plot them later
    train_losses = []
    train_accs = []

    valid_losses = []
    valid_accs = []

    init = tf.global_variables_initializer()
    sess.run(init)

    bn_steps, nn_steps = [], []  # port: output
    for epoch in range(epoch_n):
        for _ in range(N // batch_size):
            X_batch, y_batch = mnist.train.next_batch(batch_size)

            _, bn_loss = bn_solver.train(X_batch, y_batch)
            _, nn_loss = nn_solver.train(X_batch, y_batch)
            bn_steps.append(float(bn_loss))  # port: output
            nn_steps.append(float(nn_loss))  # port: output

        b_loss, b_acc = bn_solver.evaluate(mnist.train.images, mnist.train.labels, batch_size)
        n_loss, n_acc = nn_solver.evaluate(mnist.train.images, mnist.train.labels, batch_size)

        # Save train losses/acc
        train_losses.append([b_loss, n_loss])
        train_accs.append([b_acc, n_acc])
        print(f'[Epoch {epoch}-TRAIN] Batchnorm Loss(Acc): {b_loss:.5f}({b_acc:.2%}) vs No Batchnorm Loss(Acc): {n_loss:.5f}({n_acc:.2%})')

        b_loss, b_acc = bn_solver.evaluate(mnist.validation.images, mnist.validation.labels)
        n_loss, n_acc = nn_solver.evaluate(mnist.validation.images, mnist.validation.labels)

        # Save valid losses/acc
        valid_losses.append([b_loss, n_loss])
        valid_accs.append([b_acc, n_acc])
        print(f'[Epoch {epoch}-VALID] Batchnorm Loss(Acc): {b_loss:.5f}({b_acc:.2%}) vs No Batchnorm Loss(Acc): {n_loss:.5f}({n_acc:.2%})')
        print()

    bn_test = bn_solver.evaluate(mnist.test.images, mnist.test.labels)
    nn_test = nn_solver.evaluate(mnist.test.images, mnist.test.labels)
    print(bn_test)  # the notebook's cell output: [loss, accuracy]
    print(nn_test)
    rec.set(bn_step_costs=bn_steps, nn_step_costs=nn_steps,  # port: output
            bn_test=[float(v) for v in bn_test], nn_test=[float(v) for v in nn_test],
            valid_accs=[[float(b), float(n)] for b, n in valid_accs])
    rec.weights(sess.run(tf.trainable_variables()))  # port: output
    return rec.finish()  # port: output


if __name__ == "__main__":
    port.run(train)  # port: flags
