"""PGGAN training through the one loop: schedule, a tiny 4x4 -> 8x8 run,
kill -9 and resume, the CelebA-HQ preset's pipeline on a synthetic folder,
and one-line errors for bad flags and bad image folders."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from legacy.pggan import images
from legacy.errors import UsageError
from legacy.pggan.training import Schedule
from scripts_util import REPO, default_signals, read_json, run_script, first_in_make_test


def _blob_folder(folder, count, width, height, seed=0, grey=False):
    """Synthetic PNGs: a bright disc on a dark background, random place and size."""
    from PIL import Image
    os.makedirs(str(folder), exist_ok=True)
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    for i in range(count):
        cy, cx = rng.uniform(0.3, 0.7, 2) * (height, width)
        r = rng.uniform(0.15, 0.3) * min(width, height)
        disc = ((yy - cy) ** 2 + (xx - cx) ** 2 < r * r).astype(np.float32)
        colour = np.array([255, 255, 255]) if grey else rng.randint(64, 256, 3)
        img = (disc[..., None] * colour + rng.uniform(0, 20, (height, width, 1))).clip(0, 255).astype(np.uint8)
        Image.fromarray(img).save(os.path.join(str(folder), "img%03d.png" % i))
    return str(folder)


def test_schedule_follows_the_official_lod_formula_and_sums_minibatches():
    s = Schedule(32, lod_training_kimg=0.2, lod_transition_kimg=0.2, minibatch_base=16, minibatch_dict={8: 32})
    nimg = 0
    for step in range(120):  # the walk the official trainer does, one minibatch at a time
        assert s.nimg(step) == nimg
        nimg += s.minibatch_at_lod(s.lod_at(nimg))
    assert s.lod_at(0) == 3.0 and s.lod_at(200) == 3.0 and s.lod_at(300) == 2.5 and s.lod_at(400) == 2.0
    assert s.lod_at(10 ** 6) == 0.0 and s.resolution_at_lod(2.5) == 8 and s.minibatch_at_lod(2.0) == 32
    # Adam is reset where a fade starts and where it ends. By hand: 4x4 at 16
    # per step until 200 images (step 13 passes it: 208), the 4->8 fade at 32
    # per step ends at 400 (step 19), the 8->16 fade starts past 600 (step 26:
    # 624), at 16 per step ends at 800 (step 37), the 16->32 fade past 1000 (step 50).
    keys = [s.key(step) for step in range(60)]
    assert [i for i in range(1, 60) if keys[i] != keys[i - 1]] == [13, 19, 26, 37, 50]
    assert s.nimg(s.steps_for(1.0)) >= 1000 > s.nimg(s.steps_for(1.0) - 1)
    flat = Schedule(32, progressive=False, minibatch_base=16)
    assert flat.lod_at(0) == 0.0 and flat.nimg(10) == 160 and flat.key(0) == flat.key(10 ** 6)


TINY = ["--fmap_base=32", "--fmap_max=16", "--batch_size=8", "--mbstd_group_size=4", "--tick_steps=10",
        "--swd_images=32", "--lod_training_kimg=0.08", "--lod_transition_kimg=0.08"]


@pytest.mark.long
def test_tiny_run_grows_4_to_8_with_a_fade_lowers_d_loss_and_writes_samples(tmp_path):
    folder = _blob_folder(tmp_path / "imgs", 64, 12, 10, grey=True)
    out, logdir = tmp_path / "r.json", tmp_path / "run"
    run_script("pggan.py", "--dataset=%s" % folder, "--resolution=8", "--total_kimg=0.48",
               "--cache_dir=%s" % (tmp_path / "cache"), "--logdir=%s" % logdir, "--output=%s" % out, *TINY,
               "--tick_steps=5")
    record = read_json(out)
    assert record["status"] == "ok" and record["global_step"] == 60
    # 80 images (10 steps of 8) at 4x4, 80 fading 8x8 in, then 8x8
    lods = [t["lod"] for t in record["ticks"]]
    assert lods[:4] == pytest.approx([1.0, 1.0, 0.5, 0.0]) and lods[-1] == 0.0
    # D's loss jumps when the 8x8 layers come in and then falls as D learns
    # them: TF 1.15 ran 2.19, 2.42, 3.13 (fade), 6.07, 7.04, 6.75, 6.35, 6.19,
    # 5.97, 5.53, 5.13, 4.91 (tick averages; scripts/pggan.py with these flags).
    d_losses = [t["d_loss"] for t in record["ticks"]]
    assert max(d_losses[3:5]) > d_losses[1] + 1.0, d_losses
    assert d_losses[-1] < d_losses[4] - 1.0 and d_losses[-1] < np.mean(d_losses[4:8]), d_losses
    assert record["optimizer_resets_at_steps"] == [11, 20]
    pngs = sorted(f for f in os.listdir(str(logdir)) if f.startswith("fakes-step"))
    assert np.load(str(logdir / "fakes-latest.npy")).shape[1:3] == (8, 8)  # the study's mode-coverage samples
    assert len(pngs) == 13 and "lod0.00" in pngs[-1] and any("lod0.50" in p for p in pngs)
    from PIL import Image
    assert Image.open(str(logdir / pngs[-1])).size == (73, 37)  # 32 SWD samples, 8 per row, 8x8 each, 1 px frames
    assert [int(v) for v in np.unique(np.asarray(Image.open(str(logdir / "reals.png"))))][-1] > 200
    # A grid at each lod change, at its own resolution: the fade starts at step
    # 11 (4x4 done: lod 1) and ends at step 20 (8x8 in: lod 0); 32 samples, 8 a row.
    changes = sorted(f for f in os.listdir(str(logdir)) if f.startswith("lodchange"))
    assert changes == ["lodchange-step0000011-lod1.00-4px.png", "lodchange-step0000020-lod0.00-8px.png"]
    four, eight = [np.asarray(Image.open(str(logdir / f))) for f in changes]
    assert four.shape == (21, 41) and eight.shape == (37, 73)
    assert four.std() > 0 and eight.std() > 0


@pytest.mark.long
def test_cpu_budget_raw_g_beside_gs_and_a_bigger_final_swd(tmp_path):
    """--budget_cpu_seconds ends the run at the first tick whose summed
    training CPU seconds reach it; every measurement has raw G's SWD beside
    Gs's (equal, bit for bit, with smoothing off: Gs is G); the last one is
    repeated with --swd_final_images; ticks and measurements carry CPU
    seconds and the load average."""
    folder = _blob_folder(tmp_path / "imgs", 96, 20, 20, grey=True)
    out, logdir = tmp_path / "r.json", tmp_path / "run"
    run_script("pggan.py", "--dataset=%s" % folder, "--resolution=16", "--progressive=false", "--total_kimg=100",
               "--budget_cpu_seconds=3", "--g_smoothing_kimg=0", "--swd_final_images=48",
               "--swd_every_cpu_seconds=1", "--cache_dir=%s" % (tmp_path / "cache"), "--logdir=%s" % logdir,
               "--output=%s" % out, *TINY)
    record = read_json(out)
    assert record["status"] == "ok"
    cpu = [t["cpu_seconds"] for t in record["ticks"]]
    assert sum(cpu) >= 3.0 > sum(cpu[:-1]) and record["train_cpu_seconds"] == pytest.approx(sum(cpu))
    assert all(len(t["loadavg"]) == 3 for t in record["ticks"])
    evals = record["evaluations"]
    assert [e["swd_images"] for e in evals[-2:]] == [32, 48] and evals[-1]["final"] and record["final"] == evals[-1]
    assert len(evals) >= 3  # step 0, at least one mid-run (every CPU second), the last at 32 and at 48
    for e in evals:
        for k in ("SWDx1e3_16", "SWDx1e3_avg"):
            assert e["G_" + k] == e[k]
        assert e["train_cpu_seconds"] is not None and len(e["loadavg"]) == 3
    assert evals[-1]["SWDx1e3_avg"] != evals[-2]["SWDx1e3_avg"]  # other image count, other value
    assert os.path.exists(str(logdir / ("fakes-G-step%07d-lod0.00.png" % record["global_step"])))


def test_image_grid_frames_each_cell_and_keeps_its_pixels():
    from legacy.pggan.training import GRID_BORDER, image_grid
    images = np.random.RandomState(0).randint(0, 256, (10, 3, 4, 1)).astype(np.uint8)
    grid = image_grid(images, columns=4)
    assert grid.shape == (3 * 4 + 1, 4 * 5 + 1, 1)
    for i in range(10):
        r, k = divmod(i, 4)
        np.testing.assert_array_equal(grid[1 + 4 * r:4 + 4 * r, 1 + 5 * k:5 + 5 * k], images[i])
    assert (grid[0] == GRID_BORDER).all() and (grid[:, 5] == GRID_BORDER).all() and (grid[4] == GRID_BORDER).all()
    assert (grid[9:12, 11:15] == GRID_BORDER).all()  # the empty cells of the last row


def test_tick_progress_prints_within_a_tick_when_enabled():
    import io
    from legacy.pggan.training import TickProgress

    class Loop(object):
        step_in_epoch = 0

    out = io.StringIO()
    hook = TickProgress(every=0.0, stream=out, enabled=True)
    hook.loop = Loop()
    hook.before_epoch(3, 25)
    for i in range(2):
        hook.loop.step_in_epoch = i + 1
        hook.after_step(i + 1, 0.0)
    lines = out.getvalue().splitlines()
    assert [l.split(",")[0] for l in lines] == ["  tick 3: 1/25 steps", "  tick 3: 2/25 steps"]
    quiet = TickProgress(every=0.0, stream=io.StringIO(), enabled=False)
    quiet.loop = Loop()
    quiet.before_epoch(1, 5)
    quiet.after_step(1, 0.0)
    assert quiet.stream.getvalue() == ""


def _checkpoint_values(prefix):
    from legacy.tf import tf
    reader = tf.train.load_checkpoint(prefix)
    return {name: reader.get_tensor(name) for name, _ in tf.train.list_variables(prefix)}


@pytest.mark.long
def test_kill_9_and_resume_reach_the_same_weights(tmp_path):
    folder = _blob_folder(tmp_path / "imgs", 64, 8, 8)
    common = ["--dataset=%s" % folder, "--resolution=8", "--total_kimg=0.32", "--cache_dir=%s" % (tmp_path / "cache"),
              "--intra_op_threads=1", "--inter_op_threads=1"] + TINY
    whole = tmp_path / "whole"
    run_script("pggan.py", "--logdir=%s" % whole, "--output=%s" % (tmp_path / "whole.json"), *common)
    cut = tmp_path / "cut"
    args = [sys.executable, os.path.join(REPO, "scripts", "pggan.py"), "--logdir=%s" % cut, "--save_every_steps=5",
            "--output=%s" % (tmp_path / "cut.json")] + common
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=default_signals)
    deadline = time.time() + 600
    from legacy import checkpoints
    while time.time() < deadline and proc.poll() is None:
        latest = checkpoints.latest(str(cut))
        if latest and int(latest.rsplit("-", 1)[1]) >= 15:
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Where the resume must start: the newest complete checkpoint. A kill after
    # a save's sidecar but before its index line leaves one the index does not
    # name yet, and --resume takes it (checkpoints.newest_complete): CI saw the
    # index at -20 and the resume at -25.
    killed_at = checkpoints.step_of(checkpoints.newest_complete(str(cut), repair=False))
    assert killed_at < 40
    run_script("pggan.py", "--logdir=%s" % cut, "--resume", "--output=%s" % (tmp_path / "cut.json"), *common)
    a = _checkpoint_values(checkpoints.latest(str(whole)))
    b = _checkpoint_values(checkpoints.latest(str(cut)))
    assert checkpoints.latest(str(whole)).endswith("-40") and checkpoints.latest(str(cut)).endswith("-40")
    assert sorted(a) == sorted(b)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    ra, rb = read_json(tmp_path / "whole.json"), read_json(tmp_path / "cut.json")
    assert [e["SWDx1e3_avg"] for e in ra["evaluations"] if "SWDx1e3_avg" in e] == \
        [e["SWDx1e3_avg"] for e in rb["evaluations"] if "SWDx1e3_avg" in e]
    assert rb["resumed_from"].endswith("-%d" % killed_at)


@pytest.mark.long
def test_celebahq_preset_pipeline_runs_on_a_synthetic_64px_folder(tmp_path):
    folder = _blob_folder(tmp_path / "celeb", 48, 80, 72)
    out = tmp_path / "c.json"
    run_script("pggan.py", "--preset=celebahq-1024", "--dataset=%s" % folder, "--resolution=64", "--fmap_base=64",
               "--fmap_max=16", "--tick_steps=2", "--total_kimg=0.064", "--swd_images=32",
               "--cache_dir=%s" % (tmp_path / "cache"), "--logdir=%s" % (tmp_path / "run"), "--output=%s" % out)
    record = read_json(out)
    flags = record["flags"]
    assert record["status"] == "ok" and record["global_step"] == 4
    assert flags["mirror_augment"] is True and flags["mbstd_group_size"] == 16 and flags["lod_training_kimg"] == 800
    assert flags["minibatch_sizes"] == ["256:14", "512:6", "1024:3"] and flags["resolution"] == 64
    assert set(record["final"]) >= {"SWDx1e3_64", "SWDx1e3_32", "SWDx1e3_16"}
    assert len(os.listdir(str(tmp_path / "cache"))) == 1  # the pyramid, cached once


@pytest.mark.parametrize("args, needle", first_in_make_test([
    (["--preset=celebahq-1024"], "--preset=celebahq-1024 needs --dataset=DIR"),
    (["--batch_size=6"], "--mbstd_group_size=4 must divide every minibatch"),
    (["--resolution=48"], "--resolution must be a power of two"),
    (["--dataset=/nonexistent/folder"], "neither mnist32, fashion32 nor a folder"),
    (["--minibatch_sizes=8:x"], "--minibatch_sizes must be RES:SIZE pairs"),
    (["--dataset=EMPTY"], "holds no .png/.jpg/.jpeg images"),
], fast=1))
def test_bad_flags_give_one_line(tmp_path, args, needle):
    empty = tmp_path / "empty"
    empty.mkdir()
    args = [a.replace("EMPTY", str(empty)) for a in args]
    proc = run_script("pggan.py", "--cache_dir=%s" % (tmp_path / "cache"), "--logdir=%s" % (tmp_path / "r"),
                      *args, check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], proc.stderr[-2000:]
    assert not os.path.exists(str(tmp_path / "r" / "model.ckpt-0.index"))


def test_bad_image_folders_give_one_line_naming_the_file(tmp_path, monkeypatch):
    good = _blob_folder(tmp_path / "bad", 3, 16, 16)
    cache = str(tmp_path / "cache")
    with open(os.path.join(good, "notes.png"), "w") as handle:
        handle.write("not an image")
    with pytest.raises(UsageError, match=r"notes.png is not a readable image"):
        images.load_folder(good, 8, cache)
    os.unlink(os.path.join(good, "notes.png"))
    _blob_folder(tmp_path / "small", 1, 6, 40)
    os.replace(str(tmp_path / "small" / "img000.png"), os.path.join(good, "tiny.png"))
    with pytest.raises(UsageError, match=r"tiny.png is 6x40, smaller than --resolution=8"):
        images.load_folder(good, 8, cache)
    os.unlink(os.path.join(good, "tiny.png"))
    real_open = open

    def denied(path, *a, **k):
        if str(path).endswith("img001.png"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **k)
    monkeypatch.setattr("builtins.open", denied)
    with pytest.raises(UsageError, match=r"img001.png cannot be read \(Permission denied\)"):
        images.load_folder(good, 8, cache)
    monkeypatch.undo()
    data = images.load_folder(good, 8, cache)
    assert data.count == 3 and sorted(data.levels) == [4, 8] and data.channels == 3
    os.symlink("/etc/hostname", os.path.join(good, "escape.png"))
    with pytest.raises(UsageError, match="links outside the folder"):
        images.load_folder(good, 8, cache)


def test_pyramid_averages_unrounded_levels_as_dataset_tool():
    x = np.random.RandomState(0).randint(0, 256, (2, 8, 8, 1)).astype(np.uint8)
    levels = images.pyramid(x)
    f = x.astype(np.float64)
    l4 = (f[:, 0::2, 0::2] + f[:, 0::2, 1::2] + f[:, 1::2, 0::2] + f[:, 1::2, 1::2]) / 4
    np.testing.assert_array_equal(levels[4], np.rint(l4).astype(np.uint8))
    assert sorted(levels) == [4, 8]
    mnist_like = images.pad_mnist(b"\0" * 16 + bytes(range(256)) * 3 + bytes(784 * 2 - 768 + 784 - 784))
    assert mnist_like.shape[1:] == (32, 32, 1) and mnist_like[0, :2].sum() == 0


def test_fashion_mnist_files_are_verified(tmp_path):
    import gzip
    from legacy.errors import DataError
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist"):
        images.read_fashion("train-labels-idx1-ubyte", str(tmp_path))
    with gzip.open(str(tmp_path / "train-labels-idx1-ubyte.gz"), "wb") as handle:
        handle.write(b"\0\0\x08\x01\0\0\xea\x60" + b"\0" * 60000)  # right header, wrong content
    with pytest.raises(DataError, match="content MD5 .* expected 9018921c3c673c538a1fc5bad174d6f9"):
        images.read_fashion("train-labels-idx1-ubyte", str(tmp_path))
    if os.path.isdir(images.FASHION_DIR):  # installed (docker/Dockerfile and this machine): the real files pass
        labels = images.labels_of(images.read_fashion("train-labels-idx1-ubyte"))
        assert len(labels) == 60000 and sorted(set(labels.tolist())) == list(range(10))
