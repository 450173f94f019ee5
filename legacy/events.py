"""Reading TensorBoard event files back, and a PNG of a run's TensorBoard scalars
(cost, accuracies), e.g. for README (scripts/plot_scalars.py)::

    python scripts/plot_scalars.py --logdir=runs/mnist_dnn/<run> --output=docs/records/usage/tensorboard_scalars.png

``read_scalars`` applies TensorBoard's own rule for resumed runs: a
SessionLog START at step s drops the earlier events at steps >= s (logged by
a killed run after its last checkpoint, and logged again after the resume),
and a truncated last record of a killed run's file is skipped.
"""
import glob
import io
import os

from legacy import fileio
from legacy.tf import tf


def event_files(logdir):
    return sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*")))


def read_scalars(logdir):
    """{tag: [(step, value), ...]} of every scalar summary in ``logdir``."""
    scalars = {}
    for path in event_files(logdir):
        for event in _events(path):
            if event.HasField("session_log") and event.session_log.status == tf.SessionLog.START:
                for tag in scalars:
                    scalars[tag] = [(s, v) for s, v in scalars[tag] if s < event.step]
            for value in event.summary.value:
                if value.HasField("simple_value"):
                    scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    return scalars


def _events(path):
    """The complete records of an event file. A killed run's file may end in a
    truncated record; TensorBoard stops there too."""
    try:
        for event in tf.train.summary_iterator(path):
            yield event
    except tf.errors.DataLossError:
        return


def plot_scalars(logdir, path, title=None):
    """Cost per step and per epoch, and the accuracies per epoch, as a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    scalars = read_scalars(logdir)
    if "cost" not in scalars:
        raise ValueError("%s has no 'cost' scalars; is it a run folder?" % logdir)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for tag, style, label in (("cost", "-", "cost per step"), ("epoch/avg_cost", "o-", "epoch average")):
        if tag in scalars:
            steps, values = zip(*scalars[tag])
            left.plot(steps, values, style, lw=0.8 if tag == "cost" else 1.5, label=label)
    left.set_xlabel("step")
    left.set_ylabel("cost")
    left.legend()
    for tag, label in (("epoch/validation_accuracy", "validation"), ("epoch/test_accuracy", "test")):
        if tag in scalars:
            steps, values = zip(*scalars[tag])
            right.plot(steps, values, "o-", label=label)
    right.set_xlabel("step")
    right.set_ylabel("accuracy")
    right.legend()
    fig.suptitle(title or logdir)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    fileio.write_bytes(path, buf.getvalue())


def define_flags():
    """scripts/plot_scalars.py's flags (defined when it runs, not on import)."""
    from absl import flags
    flags.DEFINE_string("logdir", None, "Run folder holding the event files.")
    flags.DEFINE_string("output", "scalars.png", "Path of the PNG; its folder must exist.")
    flags.DEFINE_string("title", None, "Figure title (default: the run folder).")


def main(_):
    """scripts/plot_scalars.py: a PNG of a run's TensorBoard scalars (cost, accuracies)."""
    from absl import flags
    from legacy.errors import UsageError
    given = flags.FLAGS
    if not given.logdir or not event_files(given.logdir):
        raise UsageError("--logdir=%s holds no TensorBoard event files" % given.logdir)
    fileio.check_writable_path(given.output)
    plot_scalars(given.logdir, given.output, given.title)
    print("wrote %s" % given.output)
