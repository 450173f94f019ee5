"""The one MNIST run every MNIST script shares: data, graph, loop, report.

It prints what the study printed (``Epoch: ...`` lines, ``최적화 완료!``,
``정확도: ...``) and writes the results JSON.
"""
import os
import time

from legacy import fileio, results
from legacy.data.mnist import load_mnist, batch_dataflow
from legacy.errors import UsageError
from legacy.graph import build_classifier
from legacy.inputs import make_input
from legacy.tf import tf
from legacy.train import EpochPrinter, ProgressBar, evaluate, session_config, train


def output_path(flag_values, experiment):
    """The results path; checked before training so a bad one fails in a second."""
    path = flag_values["output"]
    if not path:
        path = os.path.join("results", experiment + ".json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
    fileio.check_writable_path(path)
    return path


def run_mnist(experiment, model_fn, flag_values, feature_shape=(784,)):
    """Train ``model_fn`` on MNIST as configured by ``flag_values``; return the results record."""
    fv = flag_values
    out = output_path(fv, experiment)
    data = load_mnist(fv["data_dir"], download=fv["download"], train_limit=fv["train_limit"])
    if len(data.train.images) < fv["batch_size"]:
        raise UsageError("--batch_size=%d is larger than the %d training images (--train_limit)"
                         % (fv["batch_size"], len(data.train.images)))
    inputs = make_input(fv["input"], batch_dataflow(data.train, fv["batch_size"], seed=fv["seed"]),
                        feature_shape)

    tf.reset_default_graph()
    tf.set_random_seed(fv["seed"])
    x, y = inputs.tensors(num_classes=10)
    graph = build_classifier(model_fn, x, y, fv["optimizer"], fv["learning_rate"])

    start = time.time()
    config = session_config(fv["intra_op_threads"], fv["inter_op_threads"])
    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        history = train(sess, graph, inputs, fv["epochs"], fv["keep_prob"], validation=data.validation,
                        eval_keep_prob=fv["eval_keep_prob"], hooks=[ProgressBar(), EpochPrinter()])
        test_accuracy = evaluate(sess, graph, data.test, fv["eval_keep_prob"])
    wall = time.time() - start

    print("최적화 완료!")
    print("정확도:", test_accuracy)
    per_epoch = [r.seconds for r in history]
    print("test accuracy %.4f (eval keep_prob %g), %d epochs in %.1f s (%.2f s per epoch), results in %s"
          % (test_accuracy, fv["eval_keep_prob"], len(history), wall,
             sum(per_epoch) / max(len(per_epoch), 1), out))
    return results.write_results(out, experiment, fv, {
        "steps_per_epoch": inputs.steps_per_epoch,
        "epoch_avg_cost": [r.avg_cost for r in history],
        "validation_accuracy": [r.validation_accuracy for r in history],
        "test_accuracy": test_accuracy,
        "seconds_per_epoch": per_epoch,
        "wall_seconds": wall,
    })
