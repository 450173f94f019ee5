"""Errors that a user can fix, reported as one line without a traceback."""


class UsageError(Exception):
    """A bad flag, file or value. The message names it and says how to fix it."""


class DataError(UsageError):
    """A data file that is missing, corrupt or cannot be fetched."""


class Diverged(Exception):
    """The cost became NaN or Inf: training stops at that step."""

    def __init__(self, step, epoch, cost):
        super(Diverged, self).__init__("cost is %s at step %d (epoch %d)" % (cost, step, epoch))
        self.step, self.epoch, self.cost = step, epoch, cost
