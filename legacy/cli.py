"""Running a script: absl parsing, and one-line errors instead of tracebacks.

A user who passes ``--keep_prob=1.5`` or points ``--data_dir`` at nothing
should read one line saying which flag or file is wrong and how to fix it,
and get a non-zero exit (2, like argparse), not a TensorFlow traceback.
"""
import importlib
import signal
import sys
import threading

from absl import app, flags

from legacy.errors import Diverged, Interrupted, SignalStop, UsageError, interrupt_behind, signal_of

EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_SIGINT = 130


def _raise_stop(signum, frame):
    raise SignalStop(signum)


def catch_signals():
    """SIGTERM raises SignalStop like Ctrl-C raises KeyboardInterrupt, so that
    both reach the code that records an interrupted run (instead of SIGTERM
    killing the process with nothing written). Replaces legacy/startup.py's
    handlers (set while absl and this module loaded). A SIGINT the parent
    ignores (a shell's ``&``, ``nohup``) stays ignored. Main thread only."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_stop)
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _ignore_signals():
    """The process is on its way out with its interrupt recorded: a further
    SIGINT or SIGTERM must not turn exit 130 / 143 into a traceback (or, on
    Python >= 3.8, into death by SIGINT)."""
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)


def _interrupt_behind(err):
    """The Interrupted that ``err`` (a KeyboardInterrupt) was raised on top of,
    if any: a signal that lands in a ``finally`` or ``with`` exit while an
    Interrupted propagates has it as its ``__context__``."""
    seen = err.__context__
    while seen is not None:
        if isinstance(seen, Interrupted):
            return seen
        seen = seen.__context__
    return None


def _leave_interrupted(err):
    """One line for a recorded interrupt (where its checkpoint is, how to
    continue), then exit 128 + signal."""
    _ignore_signals()
    record = err.record or {}
    if err.checkpoint and record.get("logdir"):
        where = " (checkpoint %s); continue with --resume --logdir=%s" % (err.checkpoint, record["logdir"])
    elif record.get("logdir"):
        where = " (no checkpoint yet); start again with --resume --logdir=%s" % record["logdir"]
    else:
        where = ""
    if getattr(err, "output", None):
        where += "; status in %s" % err.output
    sys.stderr.write("interrupted: %s%s\n" % (err, where))
    sys.stderr.flush()
    sys.exit(err.exit_code)


def _interrupted_early(err, when):
    _ignore_signals()
    sig = signal_of(err)
    sys.stderr.write("interrupted: %s %s; nothing was written\n" % (signal.Signals(sig).name, when))
    sys.stderr.flush()
    sys.exit(128 + sig)


def launch(module):
    """What legacy/startup.py's ``launch`` hands over to: import ``module``
    (TensorFlow's import takes seconds), with a signal during the import one
    line and exit 130 / 143 instead of a traceback, then ``run`` its
    ``main``. A module whose flags must not be defined on import (tests
    import it) defines them in ``define_flags()``, called here first;
    positional arguments are allowed where it says ``POSITIONAL = True``."""
    try:
        # Inside the try: a signal that lands the instant the handler is set
        # is still one line, not a traceback.
        catch_signals()
        script = importlib.import_module(module)
    except KeyboardInterrupt as err:
        _interrupted_early(err, "while loading TensorFlow and the script, before any flag was read")
    if hasattr(script, "define_flags"):
        script.define_flags()
    run(script.main, positional=getattr(script, "POSITIONAL", False))


def fail(message, code=EXIT_USAGE):
    sys.stderr.write("error: %s\n" % message)
    sys.stderr.flush()
    sys.exit(code)


def _results_note(err):
    record = getattr(err, "record", None) or {}
    return "; results in %s" % record["logdir"] if record.get("logdir") else ""


def _parse_flags(argv):
    try:
        return flags.FLAGS(argv)
    except flags.Error as err:
        fail(str(err).replace("\n", " "))


def _help_shows_the_experiment(main):
    """Make absl's ``--help`` describe this script.

    absl's ``--help`` prints ``__main__``'s docstring and the main module's key
    flags, i.e. the flags defined in it. The scripts are thin entry points:
    their flags are defined in legacy/run_config.py (``run_config.define``) and in the
    experiment's own module, and the description is that module's docstring.
    So declare those flags key to the main module and lend it the docstring;
    ``--helpfull`` (every module's flags, absl's own included) is unchanged.
    """
    own = [] if main.__module__ == "__main__" else flags.FLAGS.get_flags_for_module(main.__module__)
    own += flags.FLAGS.get_flags_for_module("legacy.run_config")
    for flag in own:
        flags.FLAGS.register_key_flag_for_module(sys.argv[0], flag)
    experiment = sys.modules.get(main.__module__)
    doc = (getattr(experiment, "__doc__", None) or "").strip()
    if doc and main.__module__ != "__main__":
        # absl substitutes %s in it with argv[0]; the docstrings mean their % literally.
        sys.modules["__main__"].__doc__ = ("%s\n\n(code: %s)\n" % (
            doc, main.__module__.replace(".", "/") + ".py")).replace("%", "%%")


def run(main, positional=False):
    """``app.run(main)`` with one line instead of a traceback for bad flags and
    UsageErrors (exit 2), a diverged run (exit 3) and an interrupted one
    (130 for SIGINT, 143 for SIGTERM).

    Scripts take only --flags unless ``positional`` (make_data.py's table kind).
    """
    # The study prints Korean lines; never let a C locale turn them into a crash.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")

    def _main(argv):
        if len(argv) > 1 and not positional:
            fail("unexpected arguments %s; all options are --flags (see --helpfull)" % " ".join(argv[1:]))
        try:
            return main(argv)
        except UsageError as err:
            fail(str(err))
        except Diverged as err:
            fail("training diverged: %s; try a lower --learning_rate%s" % (err, _results_note(err)),
                 EXIT_DIVERGED)
        except Interrupted as err:
            _leave_interrupted(err)
        except (KeyboardInterrupt, SystemError) as err:
            # A SystemError that TF's C code raised around a signal's
            # KeyboardInterrupt is that signal (errors.interrupt_behind).
            err = interrupt_behind(err)
            if err is None:
                raise
            stop = _interrupt_behind(err)
            if stop is not None:
                # A second signal while the Interrupted of the first one was on
                # its way here: the run is recorded; report that record.
                _leave_interrupted(stop)
            # The full-batch scripts keep no checkpoints; an MNIST run records
            # its own interrupts (Interrupted above) once its flags are checked.
            _interrupted_early(err, "before any result was saved")

    try:
        _help_shows_the_experiment(main)
        catch_signals()
        app.run(_main, flags_parser=_parse_flags)
    except KeyboardInterrupt as err:  # while absl parsed the flags, or on top of a recorded interrupt
        stop = _interrupt_behind(err)
        if stop is not None:
            _leave_interrupted(stop)
        _interrupted_early(err, "while reading the flags")
