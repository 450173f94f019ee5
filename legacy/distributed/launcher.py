"""Start a TF1 cluster on this machine (scripts/launch_cluster.py)::

    python scripts/launch_cluster.py --ps=1 --workers=2 -- scripts/mnist_cnn.py --variant=swu --epochs=1

starts ``--ps`` parameter servers and ``--workers`` workers of the script
after ``--``, each as its own process on 127.0.0.1 with a free port, adding
``--job_name --task_index --ps_hosts --worker_hosts`` to the script's own
flags. It streams every task's output with a ``[ps0]`` / ``[worker1]``
prefix, and stops every task by its PID (SIGTERM, then SIGKILL after a
grace period) when the chief (worker 0) has finished, when any task fails,
after ``--timeout`` seconds, or on Ctrl-C / SIGTERM; it leaves no process
behind. Its exit code is the chief's (or 1 when another task failed first).

Only loopback: for several machines start the same roles by hand (the
command lines it prints are those to run, with each machine's own address).
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from legacy.distributed import cluster
from legacy.errors import UsageError

CLUSTER_FLAGS = ("job_name", "task_index", "ps_hosts", "worker_hosts")
LOOPBACK = "127.0.0.1"
GRACE_SECONDS = 5.0


def free_ports(count):
    """``count`` distinct free TCP ports on 127.0.0.1 (held open together so
    they differ, released just before the tasks bind them)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOOPBACK, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def plan(ps, workers, script_args, ps_hosts="", worker_hosts=""):
    """The command line of every task, as [(name, argv)]; UsageError before
    anything starts when the spec is bad."""
    if not script_args:
        raise UsageError("nothing to launch: give the training script and its flags after --, "
                         "e.g. -- scripts/mnist_cnn.py --variant=swu --epochs=1")
    script = script_args[0]
    if not os.path.isfile(script):
        raise UsageError("%s: no such training script" % script)
    for arg in script_args[1:]:
        name = arg.lstrip("-").split("=")[0]
        if name in CLUSTER_FLAGS:
            raise UsageError("%s: the launcher sets the cluster flags itself; remove it" % arg)
    if ps_hosts or worker_hosts:
        ps_list = [h for h in ps_hosts.split(",") if h]
        worker_list = [h for h in worker_hosts.split(",") if h]
    else:
        if ps < 1 or workers < 1:
            raise UsageError("--ps=%d --workers=%d: a cluster needs at least one of each" % (ps, workers))
        ports = free_ports(ps + workers)
        ps_list = ["%s:%d" % (LOOPBACK, p) for p in ports[:ps]]
        worker_list = ["%s:%d" % (LOOPBACK, p) for p in ports[ps:]]
    for host in ps_list + worker_list:
        if host.rpartition(":")[0] not in (LOOPBACK, "localhost"):
            raise UsageError("%s: the launcher starts local processes only; use 127.0.0.1 (on several machines "
                             "start each task by hand)" % host)
    ps_text, worker_text = ",".join(ps_list), ",".join(worker_list)
    tasks = []
    for job, hosts in (("ps", ps_list), ("worker", worker_list)):
        for index in range(len(hosts)):
            cluster.parse(job, index, ps_text, worker_text)  # the same check every task makes
            tasks.append(("%s%d" % (job, index),
                          [sys.executable, "-u"] + list(script_args) + [
                              "--job_name=%s" % job, "--task_index=%d" % index,
                              "--ps_hosts=%s" % ps_text, "--worker_hosts=%s" % worker_text]))
    return tasks


class Cluster(object):
    """The running tasks: processes, their output pumps, and their end."""

    def __init__(self, tasks, out=None):
        self.tasks = tasks
        self.out = out or sys.stdout
        self.procs = []  # (name, Popen)
        self.pumps = []
        self.lock = threading.Lock()

    def say(self, name, line):
        with self.lock:
            self.out.write("[%s] %s\n" % (name, line.rstrip("\n")))
            self.out.flush()

    def start(self):
        env = dict(os.environ)
        env.pop("TF_CONFIG", None)  # the flags say who is who
        env["PYTHONUNBUFFERED"] = "1"
        for name, argv in self.tasks:
            # Own session: a Ctrl-C on the terminal reaches the launcher only,
            # which stops each task itself, in order.
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True, universal_newlines=True, errors="backslashreplace")
            self.procs.append((name, proc))
            self.say("launcher", "%s: pid %d: %s" % (name, proc.pid, " ".join(argv[1:])))
            pump = threading.Thread(target=self._pump, args=(name, proc), daemon=True)
            pump.start()
            self.pumps.append(pump)

    def _pump(self, name, proc):
        for line in proc.stdout:
            self.say(name, line)

    def wait(self, timeout):
        """Until the chief ends, a task fails, or ``timeout``; returns the exit code."""
        deadline = time.time() + timeout if timeout else None
        chief = dict(self.procs)["worker0"]
        while True:
            code = chief.poll()
            if code is not None:
                self.say("launcher", "chief finished with exit code %d" % code)
                return code, True
            for name, proc in self.procs:
                ended = proc.poll()
                # A ps ends by itself (0) only after every worker said it is done.
                if ended is not None and ended != 0:
                    self.say("launcher", "%s (pid %d) ended with %s before the chief; stopping the cluster"
                             % (name, proc.pid, _describe(ended)))
                    return 1, False
            if deadline and time.time() > deadline:
                self.say("launcher", "--timeout=%d s reached; stopping the cluster" % timeout)
                return 124, False
            time.sleep(0.2)

    def stop(self, graceful):
        """Every task ends: those still running get SIGTERM (after a grace
        period when the chief finished normally), then SIGKILL."""
        if graceful:
            end = time.time() + GRACE_SECONDS * 2
            while time.time() < end and any(p.poll() is None for _, p in self.procs):
                time.sleep(0.2)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            alive = [(n, p) for n, p in self.procs if p.poll() is None]
            for name, proc in alive:
                self.say("launcher", "stopping %s (pid %d) with %s" % (name, proc.pid, sig.name))
                try:
                    os.killpg(proc.pid, sig)  # its own process group (start_new_session): pid == pgid
                except ProcessLookupError:
                    pass
            end = time.time() + GRACE_SECONDS
            while time.time() < end and any(p.poll() is None for _, p in alive):
                time.sleep(0.1)
        for _, proc in self.procs:
            proc.wait()
        for pump in self.pumps:
            pump.join(timeout=2)


def _describe(code):
    return "signal %d" % -code if code < 0 else "exit code %d" % code


def launch(ps, workers, script_args, timeout=0, ps_hosts="", worker_hosts="", out=None):
    tasks = plan(ps, workers, script_args, ps_hosts, worker_hosts)
    running = Cluster(tasks, out)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(signum)

    previous = signal.signal(signal.SIGTERM, on_signal)
    code, graceful = 130, False
    try:
        running.start()
        code, graceful = running.wait(timeout)
    except KeyboardInterrupt:
        running.say("launcher", "interrupted; stopping the cluster")
        code, graceful = 130, False
    finally:
        running.stop(graceful)
        signal.signal(signal.SIGTERM, previous)
    return code


# scripts/launch_cluster.py: ``--`` separates the launcher's flags from the script's.
POSITIONAL = True


def define_flags():
    """scripts/launch_cluster.py's flags (defined when it runs, not on import)."""
    from absl import flags
    flags.DEFINE_integer("ps", 1, "Parameter servers to start.")
    flags.DEFINE_integer("workers", 2, "Workers to start (worker 0 is the chief).")
    flags.DEFINE_integer("timeout", 3600, "Stop every task after this many seconds (0: no limit).")
    flags.DEFINE_string("ps_hosts", "", "Instead of --ps: these 127.0.0.1:port addresses.")
    flags.DEFINE_string("worker_hosts", "", "Instead of --workers: these 127.0.0.1:port addresses.")


def main(argv):
    """scripts/launch_cluster.py: start the cluster, wait for it, exit with the chief's code."""
    from absl import flags
    given = flags.FLAGS
    sys.exit(launch(given.ps, given.workers, argv[1:], timeout=given.timeout, ps_hosts=given.ps_hosts,
                    worker_hosts=given.worker_hosts))
