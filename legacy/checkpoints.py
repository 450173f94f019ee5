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

A run folder may come from anyone (a colleague's tarball, a shared disk), so
nothing read from it is trusted as a path: every entry of the ``checkpoint``
index must be a bare ``model.ckpt-<step>`` name, which therefore resolves
inside the folder, or the folder is refused (UsageError). Pruning deletes
only files whose names this module writes (``model.ckpt-<step>.index``,
``.meta``, ``.data-NNNNN-of-NNNNN``, ``.state.json``), found by listing the
folder, never by globbing a name read from a file.
"""
import json
import os
import re

from legacy import fileio
from legacy.errors import UsageError
from legacy.tf import tf

INDEX = "checkpoint"
PREFIX = "model.ckpt"
SLOT_SUFFIXES = ("/Adam", "/Adam_1", "/RMSProp", "/RMSProp_1", "/Momentum", "/Adagrad")


NAME = re.compile(r"^model\.ckpt-(\d+)$")
# The files of checkpoint <step>: the Saver's three, our sidecar.
FILE = re.compile(r"^model\.ckpt-(\d+)\.(index|meta|data-\d{5}-of-\d{5}|state\.json)$")


def state_path(prefix):
    return prefix + ".state.json"


def step_of(prefix):
    """The step of a ``.../model.ckpt-<step>`` prefix."""
    return int(NAME.match(os.path.basename(prefix)).group(1))


def checked_name(run_dir, name, source):
    """``run_dir/name`` if ``name`` is a bare ``model.ckpt-<step>`` (so that it
    cannot leave ``run_dir``); else UsageError naming ``source``."""
    if not NAME.match(name) or os.path.basename(name) != name:
        raise UsageError("%s names %r, not a checkpoint of this folder (model.ckpt-<step>); refusing "
                         "to use %s: restore the run folder from a trusted copy, or pass a new --logdir"
                         % (source, name, run_dir))
    path = os.path.join(run_dir, name)
    if os.path.dirname(os.path.realpath(path)) != os.path.realpath(run_dir):
        raise UsageError("%s: %s resolves outside the folder; refusing to use it" % (source, path))
    return path


def listed(run_dir):
    """Checkpoint prefixes named by the index, oldest first ([] if none).
    UsageError if an entry is anything but a ``model.ckpt-<step>`` of ``run_dir``."""
    path = os.path.join(run_dir, INDEX)
    try:
        with open(path, "rb") as handle:
            text = handle.read(1 << 20).decode("utf-8", "replace")
    except FileNotFoundError:
        return []
    except OSError as err:
        raise UsageError("%s: cannot read it (%s)" % (path, err.strerror))
    names = re.findall(r'^\s*(?:all_)?model_checkpoint_paths?:\s*"(.*)"\s*$', text, re.M)
    prefixes = []
    for name in names:
        prefix = checked_name(run_dir, name, path)
        if prefix not in prefixes:
            prefixes.append(prefix)
    return sorted(prefixes, key=step_of)


def on_disk(run_dir):
    """{step: [file names]} of every checkpoint file this module writes, by
    listing ``run_dir`` (an empty or lost index does not hide them)."""
    found = {}
    try:
        names = os.listdir(run_dir)
    except FileNotFoundError:
        return found
    except OSError as err:
        raise UsageError("%s: cannot list the run folder (%s)" % (run_dir, err.strerror))
    for name in names:
        match = FILE.match(name)
        if match and not os.path.islink(os.path.join(run_dir, name)):
            found.setdefault(int(match.group(1)), []).append(name)
    return found


# What a kill during a save leaves: TF's own temporaries (BundleWriter's
# ".tempstate<n>", the meta graph's ".tmp<hex>", a sharded save's "_temp"
# folder) and our atomic writes' ".<name>.<8>.tmp".
_CKPT = r"model\.ckpt-\d+"
LEFTOVER_FILES = (
    _CKPT + r"\.(index|data-\d{5}-of-\d{5})\.tempstate\d+",
    _CKPT + r"\.meta\.tmp[0-9a-f]+",
    r"\." + _CKPT + r"\.state\.json\.[a-z0-9_]{8}\.tmp",
    fileio.temporary_name(INDEX),
)
LEFTOVER_FOLDERS = (_CKPT + r"_temp(_[0-9a-f]+)?",)


def remove_leftovers(run_dir, extra_files=()):
    """Temporaries of killed saves in ``run_dir`` (only under its lock)."""
    return fileio.remove_leftovers(run_dir, LEFTOVER_FILES + tuple(extra_files), LEFTOVER_FOLDERS)


def delete_step(run_dir, step):
    """Delete the files of checkpoint ``step`` (only names matching FILE)."""
    for name in on_disk(run_dir).get(step, []):
        try:
            os.unlink(os.path.join(run_dir, name))
        except FileNotFoundError:
            pass


STATE_KEYS = ("epoch", "step", "step_in_epoch", "epoch_cost", "epoch_seconds", "rng_state", "history")


def problem(run_dir, step):
    """Why checkpoint ``step`` of ``run_dir`` cannot be resumed, or None when
    its files are all there and readable: index, meta graph, every data
    shard (each tensor read, so TF's per-tensor checksums see a truncated or
    damaged one), and a sidecar that parses and names the same step."""
    prefix = os.path.join(run_dir, "%s-%d" % (PREFIX, step))
    names = set(on_disk(run_dir).get(step, []))
    shards = [n for n in names if ".data-" in n]
    total = int(shards[0].rsplit("-of-", 1)[1]) if shards else 1
    need = ["%s-%d.%s" % (PREFIX, step, s) for s in ("index", "meta", "state.json")]
    need += ["%s-%d.data-%05d-of-%05d" % (PREFIX, step, i, total) for i in range(total)]
    missing = [n.split(".", 2)[2] for n in need if n not in names]
    if missing:
        return "no %s file" % ", ".join(missing)
    try:
        with open(state_path(prefix), encoding="utf-8") as handle:
            state = json.load(handle)
    except (OSError, ValueError) as err:
        return "its .state.json is not readable JSON (%s)" % str(err).splitlines()[0]
    if not isinstance(state, dict) or any(k not in state for k in STATE_KEYS):
        return "its .state.json lacks the loop's state"
    if state["step"] != step:
        return "its .state.json is of step %r" % (state["step"],)
    try:
        with open(prefix + ".meta", "rb") as handle:
            tf.MetaGraphDef().ParseFromString(handle.read())
        reader = tf.train.load_checkpoint(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except Exception as err:  # noqa: BLE001 - TF raises OpError, DecodeError, RuntimeError... per version
        return "its files are not readable (%s)" % (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
    return None


def newest_complete(run_dir, log=print, flag="--resume", repair=True):
    """The newest checkpoint of ``run_dir`` that ``problem`` finds nothing
    wrong with, from the index and from a listing of the folder (so that an
    emptied or lost index does not hide complete checkpoints). Each newer one
    passed over is logged with the reason. None when the folder holds no
    checkpoint files at all; UsageError when it holds some and none is complete.
    With ``repair`` (only under the run folder's lock) the index is
    rewritten to end at the one chosen."""
    named = listed(run_dir)
    steps = sorted({step_of(p) for p in named} | set(on_disk(run_dir)), reverse=True)
    skipped = []
    for step in steps:
        why = problem(run_dir, step)
        if why is None:
            prefix = os.path.join(run_dir, "%s-%d" % (PREFIX, step))
            for old, reason in skipped:
                log("%s: skipped %s-%d: %s" % (flag, PREFIX, old, reason))
            if repair and (not named or named[-1] != prefix):
                write_index(run_dir, [p for p in named if step_of(p) < step] + [prefix])
            return prefix
        skipped.append((step, why))
    if skipped:
        raise UsageError("%s: no complete checkpoint in %s (%s); restore its files or start a new --logdir"
                         % (flag, run_dir, "; ".join("%s-%d: %s" % (PREFIX, s, w) for s, w in skipped)))
    return None


def latest(run_dir):
    """The newest complete checkpoint prefix of ``run_dir``, or None."""
    found = listed(run_dir)
    return found[-1] if found else None


# How many checkpoints a run folder keeps (the newest ones): the one policy
# of every runner, tensorpack's ModelSaver included.
KEEP = 3


class RunCheckpoints(object):
    """Saves checkpoints of one run folder, keeping the newest ``keep``."""

    def __init__(self, run_dir, keep=KEEP, var_list=None):
        self.run_dir, self.keep = run_dir, keep
        # max_to_keep=None: with write_state=False the Saver would not delete
        # old files anyway; we do, after the index moved on.
        self.saver = tf.train.Saver(var_list, max_to_keep=None, save_relative_paths=True)

    def save(self, sess, step, state):
        prefix = os.path.join(self.run_dir, "%s-%d" % (PREFIX, step))
        self.saver.save(sess, prefix, write_meta_graph=True, write_state=False)
        fileio.write_json(state_path(prefix), state)
        # Checkpoints after this step belong to a future that a resume from an
        # older (complete) checkpoint abandoned: they are dropped like old ones.
        kept = [p for p in listed(self.run_dir) if step_of(p) < step] + [prefix]
        kept = kept[-self.keep:]
        write_index(self.run_dir, kept)
        # Delete by listing the folder, so that the files of a checkpoint that
        # a kill left out of the index (after step 3, before this) go too.
        keep_steps = {step_of(p) for p in kept}
        for old in sorted(set(on_disk(self.run_dir)) - keep_steps):
            delete_step(self.run_dir, old)
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
        # Not tf.train.latest_checkpoint: it follows any path the index names.
        found = newest_complete(path, flag=flag, repair=False)
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
