"""Running a training process as a child that hears every stop request once.

``make reproduce`` runs each training run as a child of the driver
(legacy/reproduce.py). A stop request can reach the driver, the child or
both: Ctrl-C goes to the terminal's whole foreground process group,
``docker stop`` through ``tini -g`` to the container's first process group,
``kill PID`` to the driver alone. The training loop stops cleanly on its
first SIGINT/SIGTERM (current step, checkpoint, "interrupted" record) and at
once on a second one, so it must get each request exactly once:

- the child runs in a session of its own, where neither the terminal's nor
  a process group's signals reach it directly;
- the driver forwards each SIGINT and SIGTERM it gets to the child and waits
  for the child to finish (no zombie, no orphan still writing);
- if the driver dies without forwarding (``kill -9``), Linux sends the child
  SIGTERM (``PR_SET_PDEATHSIG``), so it still stops cleanly.
"""
import ctypes
import signal
import subprocess

FORWARDED = (signal.SIGINT, signal.SIGTERM)
_PR_SET_PDEATHSIG = 1


def _term_when_parent_dies():
    # Runs in the child between fork and exec. Without libc's prctl (not
    # Linux) the child just lives on after a killed driver, as before.
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
    except (OSError, AttributeError):
        pass


def run(cmd, **popen_kwargs):
    """Run ``cmd`` to its end, forwarding SIGINT and SIGTERM to it.

    Returns ``(returncode, signum)``: the child's exit code (negative when a
    signal ended it) and the first signal this process received meanwhile,
    or None. The previous handlers are restored before returning.
    """
    state = {"proc": None, "received": [], "pending": []}

    def forward(signum, frame):
        state["received"].append(signum)
        if state["proc"] is None:
            state["pending"].append(signum)  # still starting: sent once it exists
        else:
            state["proc"].send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in FORWARDED}
    try:
        state["proc"] = proc = subprocess.Popen(cmd, start_new_session=True, preexec_fn=_term_when_parent_dies,
                                                **popen_kwargs)
        while state["pending"]:
            proc.send_signal(state["pending"].pop(0))
        returncode = proc.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return returncode, (state["received"][0] if state["received"] else None)
