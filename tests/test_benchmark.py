"""The benchmark's FLOP count (its GFLOP/s figures rest on it); no timing here."""
import pytest

from legacy.study.throughput import _flops, _model_fn
from legacy.graph import build_classifier
from legacy.tf import tf


def _count(model, optimizer):
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [100, 784])
    y = tf.placeholder(tf.float32, [100, 10])
    net = build_classifier(_model_fn(model), x, y, optimizer, 0.001)
    return _flops(tf.get_default_graph(), net)


def test_cnn_flops_by_hand_and_by_profiler():
    flops = _count("cnn", "adam")
    # Per image: conv1 28*28*32*9, conv2 14*14*64*9*32, dense 3136*256 + 256*10
    # multiply-adds; x2 FLOPs; forward, filter/weight gradient and input
    # gradient (GATE_OP computes it for the first layer too) of each.
    macs = {"Conv2D": 28 * 28 * 32 * 9 + 14 * 14 * 64 * 9 * 32, "MatMul": 3 * (3136 * 256 + 256 * 10)}
    assert flops["per_step_by_type"]["Conv2D"] == 2 * 100 * macs["Conv2D"]
    assert flops["per_step_by_type"]["Conv2DBackpropInput"] == 2 * 100 * macs["Conv2D"]
    assert flops["per_step_by_type"]["MatMul"] == 2 * 100 * macs["MatMul"]
    assert flops["per_image"] == pytest.approx(27.86e6, rel=1e-3)
    assert flops["profiler_by_type"] == flops["per_step_by_type"]


def test_unknown_batch_gives_no_count():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    net = build_classifier(_model_fn("dnn4"), x, y, "gd", 0.1)
    assert _flops(tf.get_default_graph(), net) is None


@pytest.mark.long  # make test's 5-minute budget (issue 27): timed in make test-all
def test_tensorpack_inputs_are_timed_in_the_same_interleaved_run(mnist_dir):
    """make bench's tensorpack rows (issue 17): tensorpack's trainer with
    FeedInput and QueueInput beside the project's feed reference, each
    window of every case in every round."""
    from legacy.study.throughput import bench_model
    result = bench_model("dnn4", ["tp-feed", "tp-queue"], ["default"], 3, mnist_dir, None, lambda msg: None)
    assert list(result["cases"]) == ["feed/default", "tp-feed/default", "tp-queue/default"]
    for case in result["cases"].values():
        assert len(case["img_per_s_windows"]) == 3 and min(case["img_per_s_windows"]) > 0
        assert case["cpu_ms_per_step"] > 0


@pytest.mark.long  # make test's 5-minute budget (issue 27): timed in make test-all
def test_the_scripts_loop_is_timed_beside_its_bare_step(mnist_dir):
    """make bench's loop row (issue 18): run_mnist itself, hooks on, timed
    from inside its training loop, with the loop-over-step ratio against the
    graph input's bare step of the same round."""
    from legacy.study.throughput import add_percent_of_peak, bench_model, print_model
    result = bench_model("dnn4", ["graph", "loop"], ["default"], 3, mnist_dir, None, lambda msg: None)
    assert list(result["cases"]) == ["feed/default", "graph/default", "loop/default"]
    loop = result["cases"]["loop/default"]
    assert loop["loop_step_at_start"] >= 60  # the registry's warm-up steps, counted by train()'s own LoopState
    assert len(loop["img_per_s_windows"]) == 3 and min(loop["img_per_s_windows"]) > 0
    assert 0 < loop["vs_graph_same_setting"] < 10
    add_percent_of_peak(result, 100.0)
    assert loop["percent_of_peak"] == pytest.approx(loop["gflop_per_s"])

    class Lines(list):
        write = list.append
        flush = lambda self: None  # noqa: E731
    out = Lines()
    print_model("dnn4", result, out)
    row = next(line for line in out if "loop/default" in line)
    assert "%.3f" % loop["vs_graph_same_setting"] in row
