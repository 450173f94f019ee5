"""The PGGAN benchmark's convolution FLOP count from TF's step trace (its
GFLOP/s figures rest on it); no timing is checked."""
import numpy as np

from legacy.pggan import bench as pggan_bench
from legacy.tf import tf


def test_traced_convolutions_count_2_n_h_w_kh_kw_cin_cout():
    """A placeholder of unknown shape (as PGGAN's reals): the count comes from
    the shapes the trace saw, for the forward conv and both gradients."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, None, None, 3])
    w = tf.Variable(tf.ones([3, 3, 3, 5]))
    x_var = tf.Variable(tf.zeros([1, 1, 1, 3]))  # something to make the input gradient needed
    y = tf.nn.conv2d(x + x_var, w * 0.5, strides=[1, 1, 1, 1], padding="SAME")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(tf.square(y)))
    feed = {x: np.random.RandomState(0).uniform(size=(4, 6, 7, 3)).astype(np.float32)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        totals, conv, wall = pggan_bench.trace_ops(sess, [train], feed, 2)
    expected = 2.0 * 4 * 6 * 7 * 3 * 3 * 3 * 5
    by_kind = {pggan_bench._conv_kind(k): c for k, c in conv.items()}
    assert {"Conv2DBackpropFilter", "Conv2DBackpropInput"} <= set(by_kind), sorted(conv)
    assert set(by_kind) - {"Conv2DBackpropFilter", "Conv2DBackpropInput"} <= {"Conv2D", "FusedConv2D"}
    for kind, c in by_kind.items():
        assert c["nodes"] == 2 and c["unresolved_micros"] == 0, (kind, c)
        assert c["flops"] == 2 * expected, kind  # 2 steps
    assert wall > 0 and sum(totals.values()) > 0
    # TF 1.15's duplicate "/host:CPU" records (labels "id=...") are left out
    assert not [k for k in totals if k.startswith("id=")], sorted(totals)


def test_conv_kind_names_the_kernels_of_both_lanes():
    assert pggan_bench._conv_kind("_MklNativeConv2DBackpropFilter") == "Conv2DBackpropFilter"
    assert pggan_bench._conv_kind("Conv2DBackpropInput") == "Conv2DBackpropInput"
    assert pggan_bench._conv_kind("_MklNativeFusedConv2D") == "FusedConv2D"
    assert pggan_bench._conv_kind("Conv2D") == "Conv2D"
    assert pggan_bench._conv_kind("LeakyReluGrad") is None
