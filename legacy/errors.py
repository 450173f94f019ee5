"""Errors that a user can fix, reported as one line without a traceback.

``Diverged`` and ``Interrupted`` end a training run early. ``run_mnist``
writes the results JSON first (status "diverged" / "interrupted"), attaches
that record as ``err.record`` and re-raises, so a sweep can catch
``Diverged``, keep ``err.record`` and go on, while an interrupt still stops
it. ``legacy.cli.run`` turns them into one line and exit code 3 (diverged)
or 128 + signal number (130 for SIGINT, 143 for SIGTERM).
"""


class UsageError(Exception):
    """A bad flag, file or value. The message names it and says how to fix it."""


class DataError(UsageError):
    """A data file that is missing, corrupt or cannot be fetched."""


class Diverged(Exception):
    """The cost became NaN or Inf: training stops at that step."""

    def __init__(self, step, epoch, cost, optimizer=None, learning_rate=None):
        super(Diverged, self).__init__(step, epoch, cost)
        self.step, self.epoch, self.cost = step, epoch, cost
        self.optimizer, self.learning_rate = optimizer, learning_rate
        self.record = None  # the results record, once written

    def __str__(self):
        text = "cost is %s at step %d (epoch %d)" % (self.cost, self.step, self.epoch)
        if self.optimizer is not None:
            text += " with optimizer %s, learning rate %g" % (self.optimizer, self.learning_rate)
        return text


class SignalStop(KeyboardInterrupt):
    """SIGTERM (or a second SIGINT / SIGTERM) outside the loop's own handling:
    a KeyboardInterrupt that remembers which signal it was."""

    def __init__(self, signum):
        super(SignalStop, self).__init__(signum)
        self.signum = signum


def signal_of(interrupt):
    """The signal number behind a KeyboardInterrupt (SIGINT unless it says)."""
    import signal
    return getattr(interrupt, "signum", signal.SIGINT)


def interrupt_behind(err):
    """The KeyboardInterrupt (a signal) that ``err`` is or wraps, else None.

    A signal handler that raises (the second Ctrl-C / SIGTERM, hooks.StopOnSignal)
    while TensorFlow's C code is inside a call that runs Python's signal check
    (a checkpoint's ``CreateWritableFile``) surfaces as ``SystemError: <built-in
    function ...> returned a result with an error set``, caused by that
    KeyboardInterrupt (seen in the long tier, 2026-12-07)."""
    while err is not None:
        if isinstance(err, KeyboardInterrupt):
            return err
        if not isinstance(err, SystemError):
            return None
        err = err.__cause__ or err.__context__
    return None


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived; the loop finished its step and checkpointed."""

    def __init__(self, signum, step, epoch):
        super(Interrupted, self).__init__(signum, step, epoch)
        self.signum, self.step, self.epoch = signum, step, epoch
        self.record = None
        self.checkpoint = None  # the newest complete checkpoint of the run, if any
        self.during = None  # what the run was doing: "training", "the final evaluation"...

    @property
    def exit_code(self):
        return 128 + self.signum

    def __str__(self):
        import signal
        text = "%s at step %d" % (signal.Signals(self.signum).name, self.step)
        if self.epoch is not None:  # None: a full-batch run, where a step is all there is
            text += " (epoch %d)" % self.epoch
        return text + (" during %s" % self.during if self.during else "")
