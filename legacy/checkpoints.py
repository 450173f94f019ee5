"""Checkpoints of a run folder that a kill at any moment cannot corrupt.

A checkpoint ``model.ckpt-<step>`` is TF's own (``tf.train.Saver``: all
global variables, so Adam's and RMSProp's slots too) plus a sidecar
``model.ckpt-<step>.state.json`` with the loop's LoopState: epoch and step
counters, the data order's RNG state at the start of the epoch, the index
within the epoch and the running cost sum. With both, a resumed run trains on
exactly the batches, with exactly the dropout masks, that the uninterrupted
run would have.

Order of writes, each one atomic (temporary file, then rename):
  1. the Saver's data and index files (``write_state=False``: TF's own
     ``checkpoint`` file is not touched);
  2. the sidecar;
  3. our ``checkpoint`` index (TF's text format, relative paths, so
     ``tf.train.latest_checkpoint`` still works), naming the new checkpoint;
  4. old checkpoints beyond ``keep`` are deleted.
A kill before step 3 leaves the index naming the previous, complete
checkpoint; files of a half-written one are never read and are overwritten
when that step is saved again.
"""
import glob
import json
import os
import re

from legacy import fileio
from legacy.errors import UsageError
from legacy.tf import tf

INDEX = "checkpoint"
PREFIX = "model.ckpt"
SLOT_SUFFIXES = ("/Adam", "/Adam_1", "/RMSProp", "/RMSProp_1", "/Momentum", "/Adagrad")


def state_path(prefix):
    return prefix + ".state.json"


def listed(run_dir):
    """Checkpoint prefixes named by the index, oldest first ([] if none)."""
    path = os.path.join(run_dir, INDEX)
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        names = re.findall(r'^all_model_checkpoint_paths: "(.*)"$', handle.read(), re.M)
    return [os.path.join(run_dir, n) for n in names]


def latest(run_dir):
    """The newest complete checkpoint prefix of ``run_dir``, or None."""
    found = listed(run_dir)
    return found[-1] if found else None


class RunCheckpoints(object):
    """Saves checkpoints of one run folder, keeping the newest ``keep``."""

    def __init__(self, run_dir, keep=3, var_list=None):
        self.run_dir, self.keep = run_dir, keep
        # max_to_keep=None: with write_state=False the Saver would not delete
        # old files anyway; we do, after the index moved on.
        self.saver = tf.train.Saver(var_list, max_to_keep=None, save_relative_paths=True)

    def save(self, sess, step, state):
        prefix = os.path.join(self.run_dir, "%s-%d" % (PREFIX, step))
        self.saver.save(sess, prefix, write_meta_graph=True, write_state=False)
        fileio.write_json(state_path(prefix), state)
        kept = [p for p in listed(self.run_dir) if p != prefix] + [prefix]
        old, kept = kept[:-self.keep], kept[-self.keep:]
        write_index(self.run_dir, kept)
        for gone in old:
            for path in glob.glob(glob.escape(gone) + ".*"):
                os.unlink(path)
        return prefix


def write_index(run_dir, prefixes):
    """TF's ``checkpoint`` text file (CheckpointState), written atomically."""
    names = [os.path.basename(p) for p in prefixes]
    text = 'model_checkpoint_path: "%s"\n' % names[-1]
    text += "".join('all_model_checkpoint_paths: "%s"\n' % n for n in names)
    fileio.write_text(os.path.join(run_dir, INDEX), text)


def resolve(path, flag):
    """A checkpoint prefix from a prefix or a run folder; UsageError if none."""
    if os.path.isdir(path):
        found = latest(path) or tf.train.latest_checkpoint(path)
        if not found:
            raise UsageError("%s=%s: no checkpoint in this folder" % (flag, path))
        return found
    if not os.path.exists(path + ".index"):
        raise UsageError("%s=%s: no such checkpoint (expected %s.index, or a run folder)" % (flag, path, path))
    return path


def check_matches(prefix, var_list, flag):
    """Raise UsageError naming every variable that the checkpoint lacks or
    holds with another shape, and the model variables only it has."""
    try:
        have = dict(tf.train.list_variables(prefix))
    except (tf.errors.OpError, ValueError) as err:
        raise UsageError("%s=%s: not a readable checkpoint (%s)" % (flag, prefix, str(err).splitlines()[0]))
    want = {v.op.name: v.shape.as_list() for v in var_list}
    missing = sorted(n for n in want if n not in have)
    shapes = sorted("%s is %s there, %s here" % (n, have[n], want[n])
                    for n in want if n in have and list(have[n]) != want[n])
    graph_names = {v.op.name for v in tf.global_variables()}
    extra = sorted(n for n in have if n not in graph_names and not n.startswith("optimizer/")
                   and not n.endswith(SLOT_SUFFIXES))
    if not (missing or shapes or extra):
        return
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if shapes:
        parts.append("; ".join(shapes))
    if extra:
        parts.append("only in the checkpoint: " + ", ".join(extra))
    raise UsageError("%s=%s is a checkpoint of a different model: %s; use the flags (--hidden, "
                     "--batch_norm...) it was trained with" % (flag, prefix, "; ".join(parts)))


def restore(sess, prefix, var_list, flag):
    check_matches(prefix, var_list, flag)
    tf.train.Saver(var_list).restore(sess, prefix)


def start(sess, saver, resume_from, init_from, model_variables):
    """Restore what a run starts from, after the variables were initialised:
    ``resume_from`` (every variable, and the loop's state: its sidecar's JSON
    is returned) or ``init_from`` (the model's weights only; None returned).
    None for both: a fresh start."""
    state = None
    if resume_from:
        check_matches(resume_from, tf.global_variables(), "--resume")
        saver.restore(sess, resume_from)
        with open(state_path(resume_from)) as handle:
            state = json.load(handle)
        print("resuming %s at step %d (epoch %d)" % (resume_from, state["step"], state["epoch"]))
    if init_from:
        restore(sess, init_from, model_variables, "--init_from")
        print("weights from %s" % init_from)
    return state
