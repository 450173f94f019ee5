"""Running a script: absl parsing, and one-line errors instead of tracebacks.

A user who passes ``--keep_prob=1.5`` or points ``--data_dir`` at nothing
should read one line saying which flag or file is wrong and how to fix it,
and get a non-zero exit (2, like argparse), not a TensorFlow traceback.
"""
import sys

from absl import app, flags

from legacy.errors import UsageError

EXIT_USAGE = 2


def fail(message):
    sys.stderr.write("error: %s\n" % message)
    sys.stderr.flush()
    sys.exit(EXIT_USAGE)


def _parse_flags(argv):
    try:
        return flags.FLAGS(argv)
    except flags.Error as err:
        fail(str(err).replace("\n", " "))


def run(main, positional=False):
    """``app.run(main)`` with one-line errors for bad flags and UsageErrors.

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

    app.run(_main, flags_parser=_parse_flags)
