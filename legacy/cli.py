"""Running a script: absl parsing, and one-line errors instead of tracebacks.

A user who passes ``--keep_prob=1.5`` or points ``--data_dir`` at nothing
should read one line saying which flag or file is wrong and how to fix it,
and get a non-zero exit (2, like argparse), not a TensorFlow traceback.
"""
import sys

from absl import app, flags

from legacy.errors import Diverged, Interrupted, UsageError

EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_SIGINT = 130


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
    their flags are defined in legacy/config.py (``run_config.define``) and in the
    experiment's own module, and the description is that module's docstring.
    So declare those flags key to the main module and lend it the docstring;
    ``--helpfull`` (every module's flags, absl's own included) is unchanged.
    """
    own = [] if main.__module__ == "__main__" else flags.FLAGS.get_flags_for_module(main.__module__)
    own += flags.FLAGS.get_flags_for_module("legacy.config")
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
            where = (" (checkpoint %s); continue with --resume --logdir=%s"
                     % (err.checkpoint, err.record["logdir"])) if err.checkpoint and err.record else ""
            sys.stderr.write("interrupted: %s%s\n" % (err, where))
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            sys.stderr.write("interrupted before training started; nothing saved\n")
            sys.exit(EXIT_SIGINT)

    _help_shows_the_experiment(main)
    app.run(_main, flags_parser=_parse_flags)
