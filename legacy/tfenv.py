"""What has to happen before TensorFlow is imported, by anyone.

``legacy/tf.py`` is the one module that imports TensorFlow, but it is not
always the first: ``import tensorpack`` (which ``legacy.data.mnist`` does)
imports TensorFlow too, and TensorFlow reads its environment variables only
once, while it loads. So ``legacy/__init__.py`` calls ``prepare()`` before any
of its modules runs; this module itself never imports TensorFlow.

Three things happen, each only where the user has not decided otherwise:

- ``TF_CPP_MIN_LOG_LEVEL=2``: TF's C++ start-up notices would drown the
  study's printed lines; warnings below errors are hidden, errors still show.
- ``TF_ENABLE_ONEDNN_OPTS=1`` on x86-64: TF 2 switches its oneDNN kernels on
  by itself only on CPUs with AVX512-VNNI, AVX512-BF16 or AMX; on the many
  AVX2-only CPUs they stay off, and there they make the study's networks
  faster (docs/tf2.md has the figures). TF 1.15's pip wheels
  have no oneDNN build and ignore the variable. A user who exports
  ``TF_ENABLE_ONEDNN_OPTS=0`` (for bit-comparable Eigen kernels) keeps it.
- TF 2.16+ logs a few INFO lines ("oneDNN custom operations are on", twice)
  through absl before its log level is read, so ``TF_CPP_MIN_LOG_LEVEL``
  cannot hide them. They would turn a bad flag's one-line error into five
  lines. The first ``import tensorflow`` therefore runs with the C-level
  stderr captured; INFO lines are dropped and everything else is written back
  (warnings, errors, Python tracebacks). Setting ``TF_CPP_MIN_LOG_LEVEL=0``
  turns the filter off and shows TF's log unchanged.

And while that first ``import tensorflow`` runs, SIGINT and SIGTERM are held
and delivered the moment it ends (a second or two): raised in the middle of
it, the KeyboardInterrupt can land inside the initialisation of TF's C
extension, which swallows it (seen on TF 1.15: Ctrl-C while
``_pywrap_tensorflow_internal`` loaded, and the run went on to the end), and
a message written while stderr is captured would be lost.
"""
import importlib.abc
import importlib.util
import os
import platform
import re
import signal
import sys
import tempfile
import threading

ONEDNN_MACHINES = ("x86_64", "amd64")

# absl's INFO prefix ("I0000 00:00:1795813217.937977  18646 port.cc:153] ": I, MMDD,
# a time that is in epoch seconds before logging is set up, thread id, file:line)
# and its notice that logging is not set up yet.
_NOISE = re.compile(rb"^(I\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.]+:\d+\] "
                    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called)")


def onednn_wanted(machine=None):
    return (machine or platform.machine()).lower() in ONEDNN_MACHINES


def set_defaults(environ=os.environ, machine=None):
    """The environment variables TensorFlow reads at import; the user's own values win."""
    environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if onednn_wanted(machine):
        environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")


def filter_native_log(data):
    """``data`` without absl's INFO lines (bytes in, bytes out)."""
    return b"".join(line for line in data.splitlines(True) if not _NOISE.match(line))


class _QuietStderr(object):
    """Points file descriptor 2 at a temporary file, then writes back what
    ``filter_native_log`` keeps. Works at the descriptor level because the
    lines come from C++, not from ``sys.stderr``."""

    def __enter__(self):
        sys.stderr.flush()
        self.saved = os.dup(2)
        self.capture = tempfile.TemporaryFile()
        os.dup2(self.capture.fileno(), 2)
        return self

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.capture.seek(0)
        kept = filter_native_log(self.capture.read())
        self.capture.close()
        if kept:
            os.write(2, kept)
        return False


class _SignalsHeld(object):
    """SIGINT and SIGTERM wait until the block ends, then reach the handlers
    that were set before it (legacy/startup.py's, legacy/cli.py's, Python's
    default) as if they had just arrived. Main thread only; an ignored
    signal stays ignored."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __enter__(self):
        self.held, self.previous = [], {}
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                if signal.getsignal(signum) not in (signal.SIG_IGN, None):
                    self.previous[signum] = signal.signal(signum, self._hold)
        return self

    def _hold(self, signum, frame):
        self.held.append(signum)

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        if self.held:
            os.kill(os.getpid(), self.held[0])
        return False


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader, quiet):
        self.loader, self.quiet = loader, quiet

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        with _SignalsHeld():  # outside: a held signal arrives once stderr is back
            if self.quiet:
                with _QuietStderr():
                    self.loader.exec_module(module)
            else:
                self.loader.exec_module(module)


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """Wraps the loading of the top-level ``tensorflow`` package once: signals
    held, and stderr filtered unless ``TF_CPP_MIN_LOG_LEVEL=0``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow":
            return None
        uninstall()
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader, os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0") != "0")
        return spec


_FINDER = _QuietTensorFlowImport()


def uninstall():
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)


_ENVIRON_BEFORE_TF = None


def child_environ():
    """The environment for a child process that may run the other lane.

    Importing TF 2 writes into ``os.environ`` (TF2_BEHAVIOR=1, TPU_* and
    telemetry keys). A TF 1.15 child that inherits TF2_BEHAVIOR=1 turns eager
    execution on and fails at its first placeholder, so children get the
    environment as it was before TensorFlow loaded (our defaults included),
    and never TF2_BEHAVIOR, which may come from a parent that had loaded TF 2
    (pytest on the TF 2 lane): the study's graph code cannot run with it on
    either lane.
    """
    environ = _ENVIRON_BEFORE_TF if _ENVIRON_BEFORE_TF is not None else os.environ
    return {k: v for k, v in environ.items() if k != "TF2_BEHAVIOR"}


def prepare():
    """Called once by ``legacy/__init__.py``; a no-op once TensorFlow is loaded."""
    global _ENVIRON_BEFORE_TF
    if "tensorflow" in sys.modules:
        return  # too late to change anything; legacy.tf records what TF runs with
    set_defaults()
    _ENVIRON_BEFORE_TF = dict(os.environ)
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
