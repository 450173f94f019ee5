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
- ``tp-feed``, ``tp-queue``: the same model as tensorpack's ``ModelDesc``
  (legacy/runners/tp_trainer.py) stepped by tensorpack's trainer with its
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
import functools
import json
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
    from legacy.config import RunConfig
    return REGISTRY[model].build(RunConfig(**REGISTRY[model].settings))


def _session_config(setting):
    from legacy.tf import tf
    proto = tf.ConfigProto(intra_op_parallelism_threads=setting.get("intra", 0),
                            inter_op_parallelism_threads=setting.get("inter", 0),
                            use_per_session_threads=setting.get("per_session", False))
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
INPUTS = ("feed", "graph", "const") + TENSORPACK_INPUTS


def _tensorpack_steps(spec, dataflow):
    """``train_steps(n)`` of tensorpack's trainer on this case's model."""
    from tensorpack import QueueInput
    from tensorpack.input_source import FeedInput
    from tensorpack.tfutils.sesscreate import NewSessionCreator
    from tensorpack.tfutils.sessinit import JustCurrentSession
    from legacy.config import RunConfig
    from legacy.runners.tp_trainer import ClassifierModel, make_trainer

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


def _worker(spec):
    """Build one case, then answer the parent's commands on stdin, one JSON line each."""
    reply = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything printed by libraries goes to stderr, not into the protocol
    from legacy.data.mnist import batch_dataflow, load_mnist
    from legacy.graph import build_classifier
    from legacy.inputs import make_input
    from legacy.tf import TF_VERSION, tf

    model = MODELS[spec["model"]]
    data = load_mnist(spec["data_dir"], download=False)
    tf.reset_default_graph()
    tf.set_random_seed(0)
    dataflow = batch_dataflow(data.train, BATCH, seed=0)
    if spec["input"] in TENSORPACK_INPUTS:
        train_steps = _tensorpack_steps(spec, dataflow)
        train_steps(model["warmup_steps"])
        reply.write(json.dumps({"ready": True, "tf": TF_VERSION, "flops": None}) + "\n")
        reply.flush()
        return _serve(reply, {"train": train_steps})
    if spec["input"] == "const":
        x, y = tf.constant(data.train.images[:BATCH]), tf.constant(data.train.labels[:BATCH])
        inputs = None
    else:
        inputs = make_input(spec["input"], dataflow, [784])
        x, y = inputs.tensors(num_classes=10)
    net = build_classifier(_model_fn(spec["model"]), x, y, model["optimizer"], model["learning_rate"])
    fetch_input = tf.group(x, y)
    flops = _flops(tf.get_default_graph(), net)
    sess = tf.Session(config=_session_config(spec["setting"]))
    sess.run(tf.global_variables_initializer())

    def feeds():
        while True:
            if inputs is None:
                yield {}
            else:
                for feed in inputs.epoch():
                    yield feed

    stream = feeds()
    train_feed = {net.keep_prob: model["keep_prob"], net.training: True}

    def train_steps(n):
        for _ in range(n):
            feed = next(stream)
            feed.update(train_feed)
            sess.run(net.train_op, feed)

    def input_steps(n):
        for _ in range(n):
            sess.run(fetch_input, next(stream))

    def dataflow_steps(n, state={}):
        for _ in range(n):
            try:
                next(state["it"])
            except (KeyError, StopIteration):
                state["it"] = iter(dataflow)
                next(state["it"])

    train_steps(model["warmup_steps"])
    input_steps(20)
    reply.write(json.dumps({"ready": True, "tf": TF_VERSION, "flops": flops}) + "\n")
    reply.flush()
    _serve(reply, {"train": train_steps, "input": input_steps, "dataflow": dataflow_steps})


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
            if (input_name, setting) not in names:
                names.append((input_name, setting))
    cases = [Case(model, i, s, data_dir, mkl_python) for i, s in names]
    try:
        for case in cases:
            case.wait_ready()
        log("%s: %s; %d cases ready, %d windows of %d steps each" % (
            model, spec["desc"], len(cases), windows, spec["window_steps"]))
        for w in range(windows):
            order = cases[w % len(cases):] + cases[:w % len(cases)]
            for case in order:
                case.window("train", spec["window_steps"])
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
           "flops": flops, "cases": collections.OrderedDict()}
    def paired_ratio(case, other):
        """Median over rounds of the ratio of two cases' windows in that
        round: windows of one round are seconds apart, so slow drifts in the
        machine's load cancel."""
        return float(np.median([a["wall"] / b["wall"] * b["steps"] / a["steps"]
                                for a, b in zip(other.windows["train"], case.windows["train"])]))

    ceilings = {c.setting: c for c in cases if c.input == "const"}
    for case in cases:
        s = case.summary("train")
        s.update(input=case.input, setting=case.setting, tensorflow=case.info["tf"],
                 vs_feed_default=paired_ratio(case, cases[0]), seconds_per_epoch=EPOCH_IMAGES / s["img_per_s"])
        if flops:
            s["gflop_per_s"] = s["img_per_s"] * flops["per_image"] / 1e9
        if case.setting in ceilings:
            s["vs_const_same_setting"] = paired_ratio(case, ceilings[case.setting])
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
    stream.write("   img/s: median of %d windows of %d steps; best: the fastest window; x feed, x const: median\n"
                 "   over rounds of the ratio to feed/default, to const of the same setting, in that round\n"
                 % (result["windows"], result["window_steps"]))
    stream.write("   %-20s %8s %8s %7s %7s %7s %7s %6s %11s\n" % (
        "input/setting", "img/s", "best", "s/epoch", "GFLOP/s", "x feed", "x const", "cpu ms", "input alone"))
    for case_name, s in result["cases"].items():
        stream.write("   %-20s %8.0f %8.0f %7.1f %7s %7.3f %7s %6.2f %11s\n" % (
            case_name, s["img_per_s"], s["img_per_s_best"], s["seconds_per_epoch"],
            "%.1f" % s["gflop_per_s"] if "gflop_per_s" in s else "-", s["vs_feed_default"],
            "%.3f" % s["vs_const_same_setting"] if "vs_const_same_setting" in s else "-",
            s["cpu_ms_per_step"], "%.0f" % s["input_alone_img_per_s"] if "input_alone_img_per_s" in s else "-"))
    stream.write("   tensorpack dataflow alone: %.0f img/s\n" % result["dataflow_alone_img_per_s"])
    stream.flush()


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--worker":
    _worker(json.loads(sys.argv[2]))
