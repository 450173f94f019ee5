"""Training throughput of each model under each input path and session setting.

Figures, never pass/fail. Every case (model x input x setting) runs in a
process of its own, so that its thread pools, XLA flags and even its
TensorFlow build (intel-tensorflow in another venv) are really its own:
TF 1.15 creates the intra-op pool once per process, with the first
session's settings. The parent then times the cases in interleaved
windows (case A, B, C, A, B, C, ...; the starting case rotates), so that
load from other processes falls on all of them alike, and reports the
median of the windows. Other work on the machine slows every case alike:
compare the cases of one run, not runs of different days or machines.

Inputs:
- ``feed``  : the original, numpy batches from the tensorpack dataflow into
  ``[None, 784]`` placeholders (FeedInput). Always measured, as the reference.
- ``graph`` : row numbers fed, rows gathered in the graph (GraphInput).
- ``const`` : one batch as a ``tf.constant``: no input work at all, the
  ceiling any input path can reach.
- ``loop``    : what ``scripts/mnist_*.py`` run: ``run_mnist`` itself (its
  graph input, its session config, the training loop with all its hooks:
  progress bar, TensorBoard's per-step cost, checkpointer, signal handler),
  timed from inside the loop by one more hook; the figure to compare a
  script's ``seconds_per_epoch`` with. ``feed``, ``graph`` and ``const``
  run the loop's step (the same fetches, feeds and dropout seed) without
  the loop around it.
- ``tp-feed``, ``tp-queue``: the same model as tensorpack's ``ModelDesc``
  (legacy/tensorpack_trainer/trainer.py) stepped by tensorpack's trainer with its
  ``FeedInput`` (``SimpleTrainer``) or ``QueueInput`` (a thread fills a TF
  queue; ``QueueInputTrainer``): ``trainer.run_step()`` and the step counter,
  without the scripts' evaluation and saving callbacks. ``StagingInput``
  stages batches onto a GPU and has nothing to do on this CPU-only machine.

FLOPs are counted analytically from the static shapes of the MatMul and
Conv2D* ops a training step runs (2 per multiply-add), and checked against
``tf.profiler``'s count of the op types it knows (``MatMul``, ``Conv2D``).
The step includes the gradient with respect to the input images, which
nothing uses: ``minimize``'s default ``gate_gradients=GATE_OP`` groups both
gradients of each op, so TF computes it anyway (20 % of the MLP's matmul
work; the original graph does the same). Element-wise ops (ReLU, dropout,
Adam) are not counted, so GFLOP/s is the matrix work achieved.
"""
import collections
import json
import logging
import os
import subprocess
import sys
import time

import numpy as np

from legacy import REPO
from legacy.models.registry import MODELS as REGISTRY

# The models timed, by their registry names, with the steps of one timed
# window (about 0.1-0.2 s) and of the warm-up; the hyper-parameters (optimizer,
# learning rate, keep_prob) are the registry's, as the scripts run them.
WINDOWS = collections.OrderedDict([
    ("dnn4", dict(window_steps=50, warmup_steps=60)),
    ("cnn", dict(window_steps=5, warmup_steps=8)),
    ("cnn-swu", dict(window_steps=5, warmup_steps=8)),
])
MODELS = collections.OrderedDict(
    (name, dict(REGISTRY[name].settings, desc=REGISTRY[name].source, **window)) for name, window in WINDOWS.items())
BATCH = 100
EPOCH_IMAGES = 55000  # the training split; 550 steps of 100

# Session and process settings. ``env`` is set before TensorFlow is imported;
# ``python`` names another interpreter (a venv with intel-tensorflow).
_MKL_ENV = {"OMP_NUM_THREADS": "2", "KMP_BLOCKTIME": "1", "KMP_AFFINITY": "granularity=fine,compact,1,0"}
SETTINGS = collections.OrderedDict([
    ("default", dict(desc="TF decides (one thread per core in each pool)")),
    ("inter1", dict(desc="inter_op_parallelism_threads=1", inter=1)),
    ("intra1", dict(desc="intra_op_parallelism_threads=1, inter 1", intra=1, inter=1)),
    ("per_session", dict(desc="use_per_session_threads=True", per_session=True)),
    ("xla", dict(desc="XLA JIT: global_jit_level=ON_1, TF_XLA_FLAGS=--tf_xla_cpu_global_jit", xla=True,
                 env={"TF_XLA_FLAGS": "--tf_xla_cpu_global_jit"})),
    ("mkl", dict(desc="intel-tensorflow 1.15.2, OMP_NUM_THREADS=2 KMP_BLOCKTIME=1 KMP_AFFINITY=compact",
                 mkl=True, env=_MKL_ENV)),
    ("mkl-avx2", dict(desc="intel-tensorflow 1.15.2 as mkl, plus MKL_DEBUG_CPU_TYPE=5 (AVX2 paths on AMD)",
                      mkl=True, env=dict(_MKL_ENV, MKL_DEBUG_CPU_TYPE="5"))),
])


# ---------------------------------------------------------------- worker side

def _model_fn(model):
    from legacy.run_config import RunConfig
    return REGISTRY[model].build(RunConfig(**REGISTRY[model].settings))


def _session_config(setting):
    """The scripts' session config (legacy.train.session_config) with the setting's changes."""
    from legacy.tf import tf
    from legacy.train import session_config
    proto = session_config(setting.get("intra", 0), setting.get("inter", 0))
    proto.use_per_session_threads = setting.get("per_session", False)
    if setting.get("xla"):
        proto.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.ON_1
    return proto


def matmul_conv_flops(ops):
    """2 x multiply-adds of every MatMul / Conv2D* op in ``ops``, by op type,
    from static shapes (None when a shape is unknown, as with [None, 784])."""
    out = collections.Counter()
    for op in ops:
        try:
            if op.type == "MatMul":
                a = op.inputs[0].shape.as_list()
                k = a[0] if op.get_attr("transpose_a") else a[1]
                m, n = op.outputs[0].shape.as_list()
                out[op.type] += 2 * m * n * k
            elif op.type in ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"):
                if op.type == "Conv2D":
                    outputs, kernel = op.outputs[0].shape.as_list(), op.inputs[1].shape.as_list()
                elif op.type == "Conv2DBackpropInput":
                    outputs, kernel = op.inputs[2].shape.as_list(), op.inputs[1].shape.as_list()
                else:
                    outputs, kernel = op.inputs[2].shape.as_list(), op.outputs[0].shape.as_list()
                n, h, w, c_out = outputs
                kh, kw, c_in, _ = kernel
                out[op.type] += 2 * n * h * w * c_out * kh * kw * c_in
        except (TypeError, ValueError):
            return None
    return out


def _step_ops(fetches):
    """The ops a run of ``fetches`` executes (inputs and control inputs)."""
    seen, stack = set(), [f.op if hasattr(f, "op") else f for f in fetches]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return seen


def _flops(graph, net):
    """Analytic per-step count, and tf.profiler's count of the same op types."""
    from legacy.tf import tf
    analytic = matmul_conv_flops(_step_ops([net.train_op, net.cost]))
    if analytic is None:
        return None
    opts = tf.profiler.ProfileOptionBuilder.float_operation()
    opts["output"] = "none"
    prof = tf.profiler.profile(graph, cmd="op", options=opts)
    profiler, stack = {}, list(prof.children)
    while stack:  # the "op" view nests each op type under the previous one
        node = stack.pop()
        profiler[node.name] = profiler.get(node.name, 0) + int(node.float_ops)
        stack.extend(node.children)
    return {"per_step_by_type": dict(analytic), "per_step": int(sum(analytic.values())),
            "per_image": sum(analytic.values()) / float(BATCH),
            "profiler_by_type": {k: profiler.get(k, 0) for k in analytic}}


TENSORPACK_INPUTS = ("tp-feed", "tp-queue")
INPUTS = ("feed", "graph", "const", "loop") + TENSORPACK_INPUTS


def _tensorpack_steps(spec, dataflow):
    """``train_steps(n)`` of tensorpack's trainer on this case's model."""
    from tensorpack import QueueInput
    from tensorpack.input_source import FeedInput
    from tensorpack.tfutils.sesscreate import NewSessionCreator
    from tensorpack.tfutils.sessinit import JustCurrentSession
    from tensorpack.utils import logger
    from legacy.run_config import RunConfig
    from legacy.tensorpack_trainer.trainer import ClassifierModel, make_trainer

    logger._logger.setLevel(logging.ERROR)  # its graph-building notes would bury make bench's tables
    config = RunConfig(**REGISTRY[spec["model"]].settings)
    desc = ClassifierModel(_model_fn(spec["model"]), config)
    kind = spec["input"][len("tp-"):]
    trainer = make_trainer(kind)
    source = QueueInput(dataflow) if kind == "queue" else FeedInput(dataflow, infinite=True)
    trainer.setup_graph(desc.get_input_signature(), source, desc.build_graph, desc.get_optimizer)
    trainer.setup_callbacks([], [])
    trainer.initialize(NewSessionCreator(config=_session_config(spec["setting"])), JustCurrentSession())
    with trainer.sess.as_default():
        trainer._callbacks.before_train()  # starts QueueInput's enqueue thread (it takes the default session)

    def train_steps(n):
        with trainer.sess.as_default():
            for _ in range(n):
                trainer.run_step()
                trainer._callbacks.trigger_step()
    return train_steps


class BareStep(object):
    """One case's training step as legacy/train.py runs it (the same feeds,
    a fresh dropout seed each step, the same fetches, the scripts' session
    config), without the loop's bookkeeping and hooks around it. Also used
    by tools/trace_step.py."""

    def __init__(self, model_name, input_name, data_dir, setting):
        from legacy.data.mnist import batch_dataflow, load_mnist
        from legacy.graph import build_classifier
        from legacy.inputs import make_input
        from legacy.models.layers import find_dropout_seed, mode_inputs
        from legacy.tf import tf

        self.model = model = MODELS[model_name]
        data = load_mnist(data_dir, download=False)
        tf.reset_default_graph()
        tf.set_random_seed(0)
        self.dataflow = batch_dataflow(data.train, BATCH, seed=0)
        if input_name == "const":
            x, y = tf.constant(data.train.images[:BATCH]), tf.constant(data.train.labels[:BATCH])
            self.inputs = None
        else:
            self.inputs = make_input(input_name, self.dataflow, [784])
            x, y = self.inputs.tensors(num_classes=10)
        self.net = net = build_classifier(_model_fn(model_name), x, y, model["optimizer"], model["learning_rate"])
        self.fetch_input = tf.group(x, y)
        self.sess = tf.Session(config=_session_config(setting))
        self.sess.run(tf.global_variables_initializer())
        if self.inputs is not None and hasattr(self.inputs, "start"):
            self.inputs.start(self.sess)
        self.stream = self._feeds()
        mode = mode_inputs(net.cost.graph)
        self.train_feed = {mode.keep_prob: model["keep_prob"], mode.training: True}
        self.seed_t, self.step = find_dropout_seed(net.cost.graph), 0

    def _feeds(self):
        while True:
            if self.inputs is None:
                yield {}
            else:
                for feed in self.inputs.epoch():
                    yield feed

    def train(self, n, **run_kwargs):
        """``n`` training steps; ``run_kwargs`` go to each ``sess.run`` (a trace's options)."""
        for _ in range(n):
            feed = next(self.stream)
            feed.update(self.train_feed)
            if self.seed_t is not None:
                feed[self.seed_t] = [self.step, 0]
            self.step += 1
            self.sess.run([self.net.train_op, self.net.cost], feed, **run_kwargs)

    def input_only(self, n):
        for _ in range(n):
            self.sess.run(self.fetch_input, next(self.stream))


def _worker(spec):
    """Build one case, then answer the parent's commands on stdin, one JSON line each."""
    reply = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything printed by libraries goes to stderr, not into the protocol
    from legacy.data.mnist import batch_dataflow, load_mnist
    from legacy.tf import TF_VERSION, tf

    model = MODELS[spec["model"]]
    if spec["input"] == "loop":
        return _loop_worker(spec, model, reply)
    if spec["input"] in TENSORPACK_INPUTS:
        data = load_mnist(spec["data_dir"], download=False)
        tf.reset_default_graph()
        tf.set_random_seed(0)
        train_steps = _tensorpack_steps(spec, batch_dataflow(data.train, BATCH, seed=0))
        train_steps(model["warmup_steps"])
        reply.write(json.dumps({"ready": True, "tf": TF_VERSION, "flops": None}) + "\n")
        reply.flush()
        return _serve(reply, {"train": train_steps})
    case = BareStep(spec["model"], spec["input"], spec["data_dir"], spec["setting"])
    flops = _flops(tf.get_default_graph(), case.net)

    def dataflow_steps(n, state={}):
        for _ in range(n):
            try:
                next(state["it"])
            except (KeyError, StopIteration):
                state["it"] = iter(case.dataflow)
                next(state["it"])

    case.train(model["warmup_steps"])
    case.input_only(20)
    reply.write(json.dumps({"ready": True, "tf": TF_VERSION, "flops": flops}) + "\n")
    reply.flush()
    _serve(reply, {"train": case.train, "input": case.input_only, "dataflow": dataflow_steps})


class _Quit(Exception):
    """The parent said "quit": leave the training loop."""


def _loop_worker(spec, model, reply):
    """The ``loop`` case: ``run_mnist`` as the scripts call it (graph input,
    the registry's settings, a run folder in a temporary directory), with one
    extra hook, last in the list, that answers the parent's windows from
    inside the loop: a window of n steps is n whole loop iterations, every
    hook's per-step work included (an epoch's end too, when a window spans
    one; the median leaves such windows out)."""
    import shutil
    import tempfile
    from legacy.run_config import RunConfig
    from legacy.hooks import Hook
    from legacy.runners.mnist_classifier import run_mnist
    from legacy.tf import TF_VERSION

    class WindowServer(Hook):
        def __init__(self):
            self.left = None  # steps left in the window being timed; None while warming up

        def after_step(self, step, cost):
            if self.left is None:
                if step >= model["warmup_steps"]:
                    reply.write(json.dumps({"ready": True, "tf": TF_VERSION, "flops": None,
                                            "loop_step": self.loop.step}) + "\n")
                    reply.flush()
                    self._next()
                return
            self.left -= 1
            if self.left == 0:
                reply.write(json.dumps({"wall": time.perf_counter() - self.wall,
                                        "cpu": time.process_time() - self.cpu, "steps": self.steps}) + "\n")
                reply.flush()
                self._next()

        def _next(self):
            line = sys.stdin.readline()
            cmd = json.loads(line) if line else {"what": "quit"}
            if cmd["what"] != "train":
                raise _Quit()
            self.left = self.steps = cmd["steps"]
            self.wall, self.cpu = time.perf_counter(), time.process_time()

    folder = tempfile.mkdtemp(prefix="bench-loop-")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the study's "Epoch: ..." lines
    settings = dict(REGISTRY[spec["model"]].settings, data_dir=spec["data_dir"], download=False, epochs=10 ** 6,
                    input="graph", logdir=os.path.join(folder, "run"), output=os.path.join(folder, "r.json"),
                    intra_op_threads=spec["setting"].get("intra", 0), inter_op_threads=spec["setting"].get("inter", 0))
    config = RunConfig(**settings)
    try:
        run_mnist("bench_loop", REGISTRY[spec["model"]].build(config), config, extra_hooks=[WindowServer()])
    except _Quit:
        pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _serve(reply, commands):
    """Answer the parent's timing commands, one JSON line each, until "quit"."""
    def timed(fn, n):
        wall, cpu = time.perf_counter(), time.process_time()
        fn(n)
        return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "steps": n}

    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["what"] == "quit":
            break
        reply.write(json.dumps(timed(commands[cmd["what"]], cmd["steps"])) + "\n")
        reply.flush()


# ---------------------------------------------------------------- parent side

class Case(object):
    def __init__(self, model, input_name, setting_name, data_dir, mkl_python):
        self.model, self.input, self.setting = model, input_name, setting_name
        self.name = "%s/%s" % (input_name, setting_name)
        setting = SETTINGS[setting_name]
        env = dict(os.environ)
        env.update(setting.get("env", {}))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
        python = mkl_python if setting.get("mkl") else sys.executable
        spec = {"model": model, "input": input_name, "setting": setting, "data_dir": data_dir}
        self.proc = subprocess.Popen([python, "-m", "legacy.study.throughput", "--worker", json.dumps(spec)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=REPO,
                                     universal_newlines=True)
        self.info = None
        self.windows = collections.defaultdict(list)

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("benchmark worker %s %s exited with %s (its stderr is above)"
                               % (self.model, self.name, self.proc.wait()))
        return json.loads(line)

    def wait_ready(self):
        self.info = self._read()

    def window(self, what, steps):
        self.proc.stdin.write(json.dumps({"what": what, "steps": steps}) + "\n")
        self.proc.stdin.flush()
        self.windows[what].append(self._read())

    def close(self):
        try:
            self.proc.stdin.write(json.dumps({"what": "quit"}) + "\n")
            self.proc.stdin.close()
        except (OSError, ValueError):
            pass
        self.proc.wait()

    def summary(self, what):
        ws = self.windows[what]
        if not ws:
            return None
        rates = [w["steps"] * BATCH / w["wall"] for w in ws]
        return {"img_per_s": float(np.median(rates)), "img_per_s_best": float(np.max(rates)),
                "img_per_s_windows": [round(r, 1) for r in rates],
                "cpu_ms_per_step": float(np.median([1e3 * w["cpu"] / w["steps"] for w in ws])),
                "ms_per_step": float(np.median([1e3 * w["wall"] / w["steps"] for w in ws]))}


def _loadavg():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def bench_model(model, inputs, settings, windows, data_dir, mkl_python, log):
    spec = MODELS[model]
    names = [("feed", "default")]  # the reference, always
    for setting in settings:
        for input_name in inputs:
            if input_name == "loop" and setting != "default":
                continue  # the scripts' loop runs with the scripts' settings only
            if (input_name, setting) not in names:
                names.append((input_name, setting))
    cases = [Case(model, i, s, data_dir, mkl_python) for i, s in names]
    try:
        for case in cases:
            case.wait_ready()
        log("%s: %s; %d cases ready, %d windows of %d steps each" % (
            model, spec["desc"], len(cases), windows, spec["window_steps"]))
        load_before = _loadavg()
        for w in range(windows):
            order = cases[w % len(cases):] + cases[:w % len(cases)]
            for case in order:
                case.window("train", spec["window_steps"])
        load_after = _loadavg()
        for w in range(3):  # the input alone, and the tensorpack dataflow alone
            for case in cases:
                if case.input in ("feed", "graph"):
                    case.window("input", 100)
            cases[0].window("dataflow", 100)
    finally:
        for case in cases:
            case.close()

    flops = next((c.info["flops"] for c in cases if c.info.get("flops")), None)
    out = {"description": spec["desc"], "window_steps": spec["window_steps"], "windows": windows,
           "flops": flops, "loadavg_during": [load_before, load_after], "cases": collections.OrderedDict()}
    def paired_ratio(case, other):
        """Median over rounds of the ratio of two cases' windows in that
        round: windows of one round are seconds apart, so slow drifts in the
        machine's load cancel."""
        return float(np.median([a["wall"] / b["wall"] * b["steps"] / a["steps"]
                                for a, b in zip(other.windows["train"], case.windows["train"])]))

    ceilings = {c.setting: c for c in cases if c.input == "const"}
    graphs = {c.setting: c for c in cases if c.input == "graph"}
    for case in cases:
        s = case.summary("train")
        if "loop_step" in case.info:
            s["loop_step_at_start"] = case.info["loop_step"]  # the training loop's own step counter
        s.update(input=case.input, setting=case.setting, tensorflow=case.info["tf"],
                 vs_feed_default=paired_ratio(case, cases[0]), seconds_per_epoch=EPOCH_IMAGES / s["img_per_s"])
        if flops:
            s["gflop_per_s"] = s["img_per_s"] * flops["per_image"] / 1e9
        if case.setting in ceilings:
            s["vs_const_same_setting"] = paired_ratio(case, ceilings[case.setting])
        if case.input == "loop" and case.setting in graphs:
            # The scripts' loop against its own step without the loop: the loop's cost.
            s["vs_graph_same_setting"] = paired_ratio(case, graphs[case.setting])
        alone = case.summary("input")
        if alone:
            s["input_alone_img_per_s"] = alone["img_per_s"]
        out["cases"][case.name] = s
    out["dataflow_alone_img_per_s"] = cases[0].summary("dataflow")["img_per_s"]
    return out


def print_model(name, result, stream):
    flops = result["flops"]
    stream.write("\n== %s: %s\n" % (name, result["description"]))
    if flops:
        stream.write("   %.2f MFLOP per image per training step (MatMul+Conv, fwd+bwd); tf.profiler: %s\n"
                     % (flops["per_image"] / 1e6, ", ".join(
                         "%s %s" % (k, "%+.1f%%" % (100.0 * flops["profiler_by_type"][k] / v - 100)
                                    if flops["profiler_by_type"][k] else "not counted")
                         for k, v in sorted(flops["per_step_by_type"].items()))))
    stream.write("   img/s: median of %d windows of %d steps; best: the fastest window; %%peak: GFLOP/s over the\n"
                 "   lane's fastest 2048^3 matmul; x feed, x const, x graph: median over rounds of the ratio to feed/default,\n"
                 "   to const and to graph of the same setting, in that round (loop x graph: the scripts' loop cost)\n"
                 % (result["windows"], result["window_steps"]))
    stream.write("   %-20s %8s %8s %7s %7s %6s %7s %7s %7s %6s %11s\n" % (
        "input/setting", "img/s", "best", "s/epoch", "GFLOP/s", "%peak", "x feed", "x const", "x graph", "cpu ms",
        "input alone"))
    optional = lambda s, key, form: form % s[key] if key in s else "-"  # noqa: E731
    for case_name, s in result["cases"].items():
        stream.write("   %-20s %8.0f %8.0f %7.1f %7s %6s %7.3f %7s %7s %6.2f %11s\n" % (
            case_name, s["img_per_s"], s["img_per_s_best"], s["seconds_per_epoch"],
            optional(s, "gflop_per_s", "%.1f"), optional(s, "percent_of_peak", "%.0f%%"), s["vs_feed_default"],
            optional(s, "vs_const_same_setting", "%.3f"), optional(s, "vs_graph_same_setting", "%.3f"),
            s["cpu_ms_per_step"], optional(s, "input_alone_img_per_s", "%.0f")))
    stream.write("   tensorpack dataflow alone: %.0f img/s\n" % result["dataflow_alone_img_per_s"])
    stream.flush()


# ---------------------------------------------------------------- the machine

PEAK_N = 2048


def _peak_worker(repeats=15):
    """FP32 GFLOP/s of this lane's own ``PEAK_N``-cubed matmul (SGEMM, both
    cores): the practical ceiling a model's matrix work can reach here."""
    from legacy.tf import TF_VERSION, tf
    from legacy.train import session_config
    rng = np.random.RandomState(0)
    a = tf.Variable(rng.standard_normal((PEAK_N, PEAK_N)).astype(np.float32))
    b = tf.Variable(rng.standard_normal((PEAK_N, PEAK_N)).astype(np.float32))
    product = tf.reduce_sum(tf.matmul(a, b))  # a scalar fetch: no 16 MB copy out per run
    with tf.Session(config=session_config()) as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(product)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            sess.run(product)
            times.append(time.perf_counter() - start)
    flop = 2.0 * PEAK_N ** 3
    print(json.dumps({"tf": TF_VERSION, "n": PEAK_N, "gflop_per_s": flop / np.median(times) / 1e9,
                      "gflop_per_s_best": flop / min(times) / 1e9, "repeats": repeats}))


def measure_peak():
    """``_peak_worker`` in a process of its own (its own thread pools)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.check_output([sys.executable, "-m", "legacy.study.throughput", "--peak"], env=env, cwd=REPO,
                                  universal_newlines=True)
    return json.loads(out.strip().splitlines()[-1])


def add_percent_of_peak(result, peak_gflop_per_s):
    """Each case's matrix GFLOP/s as a percentage of the machine's matmul peak."""
    result["peak_gflop_per_s"] = peak_gflop_per_s
    for case in result["cases"].values():
        if "gflop_per_s" in case:
            case["percent_of_peak"] = 100.0 * case["gflop_per_s"] / peak_gflop_per_s


def describe_machine(cpu, peak, loadavg):
    return ("machine: %s, %d logical CPUs, %s%s; TensorFlow %s %d^3 matmul: %.1f GFLOP/s (best %.1f); "
            "load average %s" % (cpu["model"], cpu["logical_cpus"], cpu["vector"], " + FMA" if cpu["fma"] else "",
                                 peak["tf"], peak["n"], peak["gflop_per_s"], peak["gflop_per_s_best"], loadavg))


def cpu_info():
    """The CPU model, its logical CPUs and its widest vector unit, from /proc/cpuinfo."""
    model, flags, count = "unknown", set(), 0
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name":
                    model, count = value.strip(), count + 1
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    vector = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "AVX" if "avx" in flags else "SSE"
    return {"model": model, "logical_cpus": count or os.cpu_count(), "vector": vector,
            "fma": "fma" in flags}


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--worker":
    _worker(json.loads(sys.argv[2]))
elif __name__ == "__main__" and sys.argv[1:] == ["--peak"]:
    _peak_worker()
