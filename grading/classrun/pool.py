"""Worker processes that run a class's jobs, each job under a deadline, two jobs of one owner never at once.

A job is (key, owner, what to run). Each worker process runs one job at a time. A job is given to a free
worker only when no other job of its owner is running, so two hand-ins of one learner are never graded (and
their jails never run) side by side. A worker whose job is still running at its deadline is stopped (SIGTERM,
then SIGKILL): the job's outcome says so, a new worker takes its place and the run goes on. What a stopped
worker had started dies with it (its jail is killed with its parent), and what it left in the cgroups is
swept at once (`after_stop`).
"""
import collections
import multiprocessing
import multiprocessing.connection
import os
import subprocess
import sys
import time

STOP_SECONDS = 2  # how long a stopped worker has to unwind (and kill its jail) before it is killed


class Stopped:
    """A job's outcome when it did not finish: `why` is "deadline" (stopped at its deadline) or "died" (its
    worker ended without an answer)."""

    def __init__(self, why):
        self.why = why


def _serve(connection, function, initializer, initargs, sender=None):
    """A worker: run each job it is sent, send back ("ok", value) or ("error", the exception), until told to
    stop (None) or its parent goes away. `sender`: where answers go, when not `connection`."""
    sender = sender or connection
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        try:
            answer = ("ok", function(message))
        except Exception as error:  # the job's own failure: its outcome, not the worker's end
            answer = ("error", f"{type(error).__name__}: {str(error)[:300]}")
        sender.send(answer)


class Worker:
    """A worker process: forked by a multiprocessing context, or (context "command") a new Python started as a
    command, for a process that may have no child of multiprocessing's (a Dask worker is a daemon process)."""

    def __init__(self, context, function, initializer, initargs):
        if context == "command":
            self.process, self.connection, self.sender = _command_worker((function, initializer, initargs))
        else:
            self.connection, theirs = context.Pipe()
            self.process = context.Process(target=_serve, args=(theirs, function, initializer, initargs),
                                           daemon=True)
            self.process.start()
            theirs.close()
            self.sender = self.connection
        self.job = None  # (key, owner, started, deadline) while busy

    def give(self, key, owner, job, seconds):
        self.sender.send(job)
        started = time.monotonic()
        self.job = (key, owner, started, started + seconds)

    def stop(self, seconds=STOP_SECONDS):
        """Stop the process: SIGTERM, then SIGKILL when it is still there after `seconds`."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(seconds)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        for end in {self.connection, self.sender}:
            end.close()


class _Command:
    """A worker started as a command, seen as a multiprocessing.Process is (what Worker.stop uses)."""
    sentinel = None  # its end is seen on its connection

    def __init__(self, popen):
        self.popen = popen

    def is_alive(self):
        return self.popen.poll() is None

    def terminate(self):
        self.popen.terminate()

    def kill(self):
        self.popen.kill()

    def join(self, seconds=None):
        try:
            self.popen.wait(seconds)
        except subprocess.TimeoutExpired:
            pass


def _command_worker(setup):
    """(the process, its answers, its jobs) of a worker started as `python -m grading.classrun.pool`, sent
    `setup` (function, initializer, initargs; pickled: functions of a module) first."""
    answers, their_sender = os.pipe()
    their_receiver, jobs = os.pipe()
    try:
        popen = subprocess.Popen([sys.executable, "-m", "grading.classrun.pool", str(their_receiver),
                                  str(their_sender)], pass_fds=(their_receiver, their_sender),
                                 stdin=subprocess.DEVNULL)
    finally:
        os.close(their_receiver)
        os.close(their_sender)
    receiver = multiprocessing.connection.Connection(answers, writable=False)
    sender = multiprocessing.connection.Connection(jobs, readable=False)
    sender.send(setup)
    return _Command(popen), receiver, sender


class _Gone:
    """The place of a stopped worker when no job is left for a new one."""
    job = None


def run(jobs, function, workers, deadline, owner=None, prepare=None, initializer=None, initargs=(),
        context=None, after_stop=None):
    """Yield (key, outcome, seconds it ran) as each job of {key: job} ends, run by `workers` processes: the
    outcome is ("ok", function(job)), ("error", text) when the function raised, or a Stopped. `deadline(key)`:
    the seconds a job may run; `owner(key)`: whose job it is (jobs of one owner run one at a time, in the
    order given); `prepare(key, job)`: the job as sent, made when it starts (from what the jobs ended so far
    told); `context`: multiprocessing's (fork by default) or "command"; `after_stop()`: called after a worker
    was stopped. Cut short (an exception, Ctrl-C, the generator closed), every worker is stopped."""
    context = context or multiprocessing.get_context("fork")
    owner = owner or (lambda key: key)
    waiting = collections.deque(jobs)
    pool = [Worker(context, function, initializer, initargs) for _ in range(max(1, min(workers, len(jobs))))]
    try:
        while waiting or any(worker.job for worker in pool):
            _dispatch(pool, waiting, jobs, owner, prepare, deadline)
            busy = [worker for worker in pool if worker.job]
            if not busy:
                break
            left = min(worker.job[3] for worker in busy) - time.monotonic()
            ready = multiprocessing.connection.wait([w.connection for w in busy] + [
                w.process.sentinel for w in busy if w.process.sentinel is not None], timeout=max(left, 0))
            for index, worker in enumerate(pool):
                if not worker.job:
                    continue
                outcome = _outcome(worker, ready)
                if outcome is None:
                    continue
                key, started = worker.job[0], worker.job[2]
                worker.job = None
                if isinstance(outcome, Stopped):
                    worker.stop()
                    if after_stop:
                        after_stop()
                    pool[index] = Worker(context, function, initializer, initargs) if waiting else _Gone()
                yield key, outcome, time.monotonic() - started
    finally:
        _close(pool)


def _outcome(worker, ready):
    """A busy worker's answer, a Stopped when it died or is past its deadline, else None (still running)."""
    if worker.connection in ready:
        try:
            return worker.connection.recv()
        except (EOFError, OSError):
            return Stopped("died")
    if worker.process.sentinel is not None and worker.process.sentinel in ready:
        return Stopped("died")
    return Stopped("deadline") if time.monotonic() >= worker.job[3] else None


def _close(pool):
    """Every worker told to end (an idle one ends as a process does, its finalizers run), then stopped."""
    workers = [worker for worker in pool if not isinstance(worker, _Gone)]
    for worker in workers:
        if worker.job is None and worker.process.is_alive():
            try:
                worker.sender.send(None)
            except OSError:
                pass
    for worker in workers:
        if worker.job is None:
            worker.process.join(STOP_SECONDS)
        worker.stop()


def _dispatch(pool, waiting, jobs, owner, prepare, deadline):
    """Give each free worker the next job of the owner with the most jobs waiting, of those with none running
    (so that the last jobs of a run are not one owner's, run one at a time while the other workers wait)."""
    running = {worker.job[1] for worker in pool if worker.job}
    for worker in pool:
        if worker.job or isinstance(worker, _Gone):
            continue
        left = collections.Counter(owner(key) for key in waiting)
        free = [key for key in waiting if owner(key) not in running]
        chosen = max(free, key=lambda key: left[owner(key)], default=None)  # the first of the longest queue
        if chosen is None:
            return
        waiting.remove(chosen)
        job = prepare(chosen, jobs[chosen]) if prepare else jobs[chosen]
        worker.give(chosen, owner(chosen), job, deadline(chosen))
        running.add(owner(chosen))


if __name__ == "__main__":  # a worker started as a command: python -m grading.classrun.pool RECEIVE SEND
    _receiver = multiprocessing.connection.Connection(int(sys.argv[1]), writable=False)
    _sender = multiprocessing.connection.Connection(int(sys.argv[2]), readable=False)
    _serve(_receiver, *_receiver.recv(), sender=_sender)
