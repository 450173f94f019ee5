"""make reproduce stopped and started again: the stop request reaches the
training process exactly once (it checkpoints and records "interrupted"),
the driver exits 143 / 130, and the next start resumes the run in progress
from its checkpoint, in its one run folder, ending with the numbers of an
uninterrupted run. Also: a results folder that cannot be written is one
`error:` line before any run."""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from legacy.study import plan as reproduce
from scripts_util import REPO, default_signals, read_json

# dnn4_keep1 on the first 5,000 images (50 steps per epoch), 10 epochs: a few
# seconds of training, long enough to stop it after its first checkpoint.
RUN = "dnn4_keep1"
RUN_FLAGS = "--run_flags=--train_limit=5000,--epochs=10"


def _args(results_dir, mnist_dir):
    return ["--results_dir=" + str(results_dir), "--seeds=1", "--only=" + RUN, RUN_FLAGS, "--data_dir=" + mnist_dir]


def _driver(args, **kwargs):
    return subprocess.Popen([sys.executable, os.path.join(REPO, "scripts", "reproduce.py")] + args, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                            preexec_fn=default_signals, **kwargs)


def _paths(results_dir):
    runs = reproduce.LANES[reproduce.current_lane()].runs
    return results_dir / runs / (RUN + "-seed0.json"), results_dir / runs / (RUN + "-seed0")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, mnist_dir):
    results_dir = tmp_path_factory.mktemp("uninterrupted")
    proc = _driver(_args(results_dir, mnist_dir))
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return read_json(_paths(results_dir)[0])


@pytest.mark.parametrize("how", ["SIGTERM to the driver", "SIGINT to its process group (Ctrl-C)"])
@pytest.mark.long
def test_stopped_reproduction_resumes_its_run(tmp_path, mnist_dir, uninterrupted, how):
    record_path, folder = _paths(tmp_path)
    args = _args(tmp_path, mnist_dir)
    # In a session of its own, so that a signal to its process group reaches
    # the driver (and, if it were in that group, the training process) as a
    # terminal's Ctrl-C would, and nothing else.
    proc = _driver(args, start_new_session=True)
    deadline = time.time() + 300
    while not (folder / "checkpoint").exists():  # the first epoch's checkpoint
        assert proc.poll() is None and time.time() < deadline, proc.communicate()
        time.sleep(0.02)
    if how.startswith("SIGTERM"):
        proc.send_signal(signal.SIGTERM)
        signum = signal.SIGTERM
    else:
        os.killpg(proc.pid, signal.SIGINT)
        signum = signal.SIGINT
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, err
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("interrupted: %s during %s seed 0, at step"
                                                  % (signal.Signals(signum).name, RUN)), err
    stopped = read_json(record_path)
    # Got the signal once: stopped cleanly after a step, with a checkpoint of that step.
    assert stopped["status"] == "interrupted" and stopped["interrupted"]["signal"] == signum
    step = stopped["interrupted"]["step"]
    assert 0 < step < uninterrupted["global_step"]
    assert stopped["interrupted"]["checkpoint"] == os.path.join(str(folder), "model.ckpt-%d" % step)
    assert "REPORT.md" not in os.listdir(str(tmp_path))  # it stopped, it did not go on

    again = _driver(args)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert "reproduce: resuming %s seed 0" % RUN in out and "--resume" in out
    done = read_json(record_path)
    assert done["status"] == "ok" and done["resumed_from"] == stopped["interrupted"]["checkpoint"]
    assert done["logdir"] == str(folder)
    log = (tmp_path / record_path.parent.name / (record_path.name + ".log")).read_text()
    assert log.count("Epoch: 0001 ") == 1 and "resuming %s at step %d" % (stopped["interrupted"]["checkpoint"], step) in log
    assert [p for p in os.listdir(str(record_path.parent)) if ".old-" in p] == []  # nothing restarted
    # The same numbers as the run that was never stopped (README: --resume).
    for key in ("epoch_avg_cost", "validation_accuracy", "test_accuracy", "global_step", "initial_weights_sha1"):
        assert done[key] == uninterrupted[key], key


def test_a_folder_of_another_run_is_moved_aside_not_resumed(tmp_path):
    run = next(r for r in reproduce.PLAN if r.name == RUN)
    folder = str(tmp_path / "runs" / (RUN + "-seed0"))
    stamp = reproduce._stamp(run, 0, "tf1", "rev1")
    logs = []
    assert reproduce.prepare_folder(folder, stamp, False, logs.append) == ["--logdir=" + folder]
    assert read_json(os.path.join(folder, reproduce.STAMP)) == stamp
    # No checkpoint yet (stopped during start-up): the folder is used again, from step 0.
    assert reproduce.prepare_folder(folder, stamp, False, logs.append) == ["--logdir=" + folder]
    with open(os.path.join(folder, "checkpoint"), "w") as handle:
        handle.write('model_checkpoint_path: "model.ckpt-50"\n')
    assert reproduce.prepare_folder(folder, stamp, False, logs.append) == ["--logdir=" + folder, "--resume"]
    assert logs == []
    # Another code revision resumes only with --reuse_any_revision; otherwise the old folder is kept aside.
    other = dict(stamp, git_revision="rev2")
    assert reproduce.prepare_folder(folder, other, True, logs.append)[-1] == "--resume"
    assert reproduce.prepare_folder(folder, other, False, logs.append) == ["--logdir=" + folder]
    aside = [p for p in os.listdir(str(tmp_path / "runs")) if p.startswith(RUN + "-seed0.old-")]
    assert len(aside) == 1 and os.path.exists(str(tmp_path / "runs" / aside[0] / "checkpoint"))
    assert read_json(os.path.join(folder, reproduce.STAMP)) == other and not os.path.exists(
        os.path.join(folder, "checkpoint"))
    assert "moved to" in logs[-1]
    # Other flags (--run_flags) are another run.
    bigger = reproduce._stamp(reproduce.with_run_flags(run, ["--epochs=3"]), 0, "tf1", "rev2")
    assert bigger != other and bigger["args"][-1] == "--epochs=3"


def test_forwarding_reaches_the_child_exactly_once(tmp_path):
    """tini -g (docker stop) and a terminal's Ctrl-C signal the driver's whole
    process group; the child, in its own session, hears it once, through the
    driver, and the driver waits for it to finish."""
    counts = tmp_path / "signals"
    child_code = ("import signal, sys, time\n"
                  "def note(s, f): open(%r, 'a').write('%%d\\n' %% s)\n"
                  "signal.signal(signal.SIGTERM, note)\n"
                  "open(%r, 'w').write('ready')\n"
                  "time.sleep(1.5); sys.exit(143)\n") % (str(counts), str(tmp_path / "ready"))
    driver_code = ("import subprocess, sys\nfrom legacy import child\n"
                   "rc, signum = child.run([sys.executable, '-c', %r])\nprint(rc, signum)\n") % child_code
    proc = subprocess.Popen([sys.executable, "-c", driver_code], cwd=REPO, stdout=subprocess.PIPE,
                            universal_newlines=True, start_new_session=True, preexec_fn=default_signals)
    deadline = time.time() + 60
    while not (tmp_path / "ready").exists():
        assert proc.poll() is None and time.time() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGTERM)  # what tini -g does
    out, _ = proc.communicate(timeout=60)
    assert out.split() == ["143", str(int(signal.SIGTERM))]  # the driver waited for the child's own exit
    assert counts.read_text().split() == [str(int(signal.SIGTERM))]


@pytest.mark.parametrize("make_bad, named", [
    (lambda tmp: str(tmp / "a_file" / "results"), "cannot create {tmp}/a_file/results"),
    (lambda tmp: (os.makedirs(str(tmp / "res")), open(str(tmp / "res" / "plots"), "w").close(), str(tmp / "res"))[-1],
     "cannot create {tmp}/res/plots"),
])
@pytest.mark.long
def test_unwritable_results_folder_is_one_line_before_any_run(tmp_path, mnist_dir, make_bad, named):
    (tmp_path / "a_file").write_text("a file, not a folder")
    results_dir = make_bad(tmp_path)
    proc = _driver(["--results_dir=" + results_dir, "--seeds=1", "--only=animals_code", "--data_dir=" + mnist_dir])
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "Traceback" not in err
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --results_dir=" + results_dir), err
    assert named.replace("{tmp}", str(tmp_path)) in lines[0]
    assert "running" not in out


def _without_root_override():
    """The command prefix that makes this process's children obey file modes:
    none for a normal user; for root (as CI runs), setpriv dropping the two
    capabilities that let root write and search any folder."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without util-linux's setpriv: file modes cannot be made to apply")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


@pytest.mark.parametrize("layout", ["empty", "with_subfolders"])
@pytest.mark.long
def test_read_only_results_folder_is_one_line_before_any_run(tmp_path, mnist_dir, layout):
    # The case: a results folder that exists but is read-only (mode 555), with real file modes.
    results_dir = tmp_path / "ro"
    results_dir.mkdir()
    if layout == "with_subfolders":
        for sub in (reproduce.LANES[reproduce.current_lane()].runs, "plots"):
            (results_dir / sub).mkdir()
    results_dir.chmod(0o555)
    try:
        args = ["--results_dir=" + str(results_dir), "--seeds=1", "--only=animals_code", "--data_dir=" + mnist_dir]
        proc = subprocess.Popen(_without_root_override() + [sys.executable, os.path.join(REPO, "scripts", "reproduce.py")]
                                + args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True)
        out, err = proc.communicate(timeout=120)
    finally:
        results_dir.chmod(0o755)
    assert proc.returncode == 2 and "Traceback" not in err, err
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --results_dir=" + str(results_dir)), err
    assert "%s is not writable" % results_dir in lines[0], lines[0]  # REPORT.md goes there too
    assert "running" not in out
    assert sorted(p.name for p in results_dir.iterdir()) == ([] if layout == "empty" else sorted(
        [reproduce.LANES[reproduce.current_lane()].runs, "plots"]))  # nothing written


@pytest.mark.long
def test_report_header_records_the_whole_command(tmp_path, mnist_dir):
    args = ["--results_dir=" + str(tmp_path), "--seeds=1", "--only=animals_code", "--data_dir=" + mnist_dir]
    proc = _driver(args)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    header = (tmp_path / "REPORT.md").read_text().splitlines()[2]
    assert header.startswith("Made by `python scripts/reproduce.py %s`" % " ".join(args)), header
