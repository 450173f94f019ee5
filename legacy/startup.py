"""The first thing an entry point does: a signal while Python modules load is one line.

scripts/*.py and the swu-* commands (legacy/console.py) call ``install()``
(``launch()`` does it, then hands over to legacy/cli.py) before they import
absl, legacy.cli, TensorFlow or the experiment. From then until legacy.cli
takes over (``cli.catch_signals``, the first thing ``cli.launch`` and
``cli.run`` do), SIGINT or SIGTERM writes one line and ends the process
with 128 + the signal's number: no flag has been read and nothing written,
so there is nothing to record, and no ``finally`` of a half-imported module
needs to run. Before ``install()`` (Python's own start and ``legacy``'s
``__init__``, about 20 ms here) the signal still meets Python's default.

Nothing but ``os`` and ``signal`` is imported here, which Python has loaded
before any script runs.
"""
import os
import signal

MESSAGE = "interrupted: %s while loading Python modules, before any flag was read; nothing was written\n"


def _leave(signum, frame):
    try:
        os.write(2, (MESSAGE % signal.Signals(signum).name).encode())
    finally:
        os._exit(128 + signum)


def install():
    """SIGINT and SIGTERM end the process with one line until legacy.cli
    sets its own handlers. A SIGINT the parent ignores (a shell's ``&``)
    stays ignored, as Python leaves it. Main thread only, as any handler."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _leave)
    signal.signal(signal.SIGTERM, _leave)


def launch(module):
    """What scripts/*.py and the swu-* commands call: ``install()``, then
    legacy.cli's ``launch(module)``, which imports TensorFlow and ``module``
    with its own handlers and runs the module's ``main``. The import of
    legacy.cli is here, not at the top: this module loads nothing but ``os``
    and ``signal`` until the handlers are set (legacy.cli never imports it
    back)."""
    install()
    from legacy import cli
    cli.launch(module)
