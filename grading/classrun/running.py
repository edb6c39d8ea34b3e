"""Running a class's grading: the hand-ins to grade (from the cache, or to grade now), given to a pool of
worker processes on this machine (pool.py) or to a Dask cluster, one learner's at a time, under their
deadlines and their learners' budgets (budget.py); what comes back is checked and cached.

    grade_all(handins, settings, cache, workers=N | scheduler="tcp://host:8786") -> ({HandIn: result}, graded now)
"""
import functools
import os
import re
from pathlib import Path

from .. import jail as jails
from .. import classbook
from ..classbook import (MAX_NOTEBOOK_MB, NOT_RUN, STOPPED, UNREADABLE, ClassError, _short,
                         grade_job, grader_version, lesson_by_name, lessons, open_plain, result, start_worker)
from . import budget as budgets, pool as pools


def run_local(jobs, settings, workers, owners=None, spent=None):
    """Yield (key, result) as each job of {key: job} is graded, by `workers` processes on this machine, each job
    under its deadline (job_seconds), two jobs of one owner (`owners`: {key: learner}) never at once, each
    sent what its learner's hand-ins took so far (`spent`, a budget.Spent, kept up to date here)."""
    owners, spent = owners or {}, spent if spent is not None else budgets.Spent()
    running = pools.run(jobs, functools.partial(grade_job, settings=settings), workers,
                        deadline=lambda key: job_seconds(settings), owner=lambda key: owners.get(key, key),
                        prepare=lambda key, job: (*job[:3], spent.of(owners.get(key, key))),
                        initializer=start_worker, initargs=(settings, os.getpid()),
                        after_stop=lambda: _sweep_cgroups(settings))
    try:
        for key, outcome, seconds in running:
            done = _answer(outcome, seconds, settings)
            spent.add(owners.get(key, key), done["lesson"] if done["status"] != STOPPED else budgets.EVERY_LESSON,
                      done.get("seconds"))
            yield key, done
    finally:
        running.close()  # the workers are stopped (SIGTERM: each kills its jail; bwrap dies with its parent)


def job_seconds(settings):
    """How long one job may take before its worker is stopped (budget.job_seconds, for this run's settings)."""
    most = max((len(names) for names in lessons().values()), default=1)
    full = settings.timeout + 30 if settings.full else 0
    return budgets.job_seconds(most, settings.limits, full)


def _answer(outcome, seconds, settings):
    """A pool's outcome as a result, with the seconds it took (the learner's budget counts them)."""
    if isinstance(outcome, pools.Stopped) and outcome.why == "deadline":  # kept: it would take as long again
        done = result(STOPPED, None, why=f"grading it took more than {job_seconds(settings):.0f} s, the most one "
                                         f"hand-in may take, so it was stopped")
    elif isinstance(outcome, pools.Stopped):  # the worker died: tried again next time, as a grader's failure
        done = result("error", None, why="not graded: the process grading it ended without an answer")
    elif outcome[0] == "error":
        done = result("error", None, why=f"not graded: the grader failed ({outcome[1]})")
    else:
        done = _checked(outcome[1])
    return dict(done, seconds=round(seconds, 3))


def _sweep_cgroups(settings):
    """After a worker was stopped: what its jail left in the cgroups is removed (a new Jail sweeps what the
    jails of processes that ended left, killing what is still in them)."""
    jails.Jail(settings.limits_object(), settings.isolated)


def check_scheduler(address):
    """The scheduler's address, or ClassError when it is not of the form tcp://host:port."""
    if not re.fullmatch(r"(tcp|tls)://[^\s:/]+:\d{1,5}", address or ""):
        raise ClassError(f"--scheduler: got {address!r}; expected a Dask scheduler's address, tcp://host:port "
                         f"(e.g. tcp://10.0.0.5:8786)")
    return address


def run_dask(jobs, settings, scheduler, owners=None, spent=None):
    """Yield (key, result) as each job is graded on the Dask cluster whose scheduler is at `scheduler`: one task
    per learner (`owners`: {key: learner}), which grades that learner's hand-ins one at a time, in order, each
    under its deadline (grade_learner), from what its hand-ins graded before took (`spent`)."""
    from distributed import Client, as_completed as completed
    owners, spent = owners or {}, spent if spent is not None else budgets.Spent()
    connect_seconds = classbook.CONNECT_SECONDS  # read when called: a test or a caller may set it
    try:
        client = Client(check_scheduler(scheduler), timeout=f"{connect_seconds}s")
    except (OSError, TimeoutError) as error:
        raise ClassError(f"--scheduler: no Dask scheduler answered at {scheduler} within {connect_seconds} s "
                         f"({_short(error)}); expected a running scheduler (`dask scheduler`) with workers "
                         f"(`dask worker {scheduler} --nthreads 1`)") from None
    try:
        client.wait_for_workers(1, timeout=60)
        mine = {}
        for key in jobs:
            mine.setdefault(owners.get(key, key), {})[key] = jobs[key]
        futures = {client.submit(grade_learner, learner_jobs, settings, spent.of(owner), pure=False): owner
                   for owner, learner_jobs in mine.items()}
        for future in completed(futures):
            try:
                done = future.result()
            except Exception as error:
                done = [(key, result("error", None, why=f"not graded: the grader failed ({_short(error)})"))
                        for key in mine[futures[future]]]
            for key, outcome in done:
                yield key, _checked(outcome)
    except TimeoutError:
        raise ClassError(f"--scheduler: the scheduler at {scheduler} has no worker after 60 s; expected workers "
                         f"started with `dask worker {scheduler} --nthreads 1`") from None
    finally:
        client.close()


def grade_learner(jobs, settings, spent):
    """(On a Dask worker) [(key, result)] of one learner's jobs ({key: job}), graded one at a time, in order, by a
    process of its own started afresh (a job past its deadline is stopped with it), each job sent what the
    learner's hand-ins took so far."""
    owners = {key: "learner" for key in jobs}
    tally = budgets.Spent()
    for lesson, seconds in spent.items():
        tally.add("learner", lesson, seconds)
    running = pools.run(jobs, functools.partial(grade_job, settings=settings), 1,
                        deadline=lambda key: job_seconds(settings), owner=owners.get,
                        prepare=lambda key, job: (*job[:3], tally.of("learner")),
                        initializer=start_worker, initargs=(settings, os.getpid()),
                        context="command", after_stop=lambda: _sweep_cgroups(settings))
    done = []
    for key, outcome, seconds in running:
        answer = _answer(outcome, seconds, settings)
        tally.add("learner", answer["lesson"] if answer["status"] != STOPPED else budgets.EVERY_LESSON,
                  answer.get("seconds"))
        done.append((key, answer))
    return done


def _checked(done):
    """A worker's result, or an uncached "error" result when it is not one of this grader's version."""
    if not isinstance(done, dict) or done.get("version") != grader_version():
        seen = done.get("version") if isinstance(done, dict) else type(done).__name__
        return result("error", None, why=f"not graded: a worker runs another version of the grader ({seen}); "
                                         f"expected {grader_version()} (update the project on every worker)")
    return done


def _outcome(future):
    """A finished job's result; a grader's failure (not the learner's) becomes an uncached "error" result."""
    try:
        done = future.result()
    except Exception as error:
        return result("error", None, why=f"not graded: the grader failed ({_short(error)})")
    return _checked(done)


def grade_all(handins, settings, cache, workers=None, scheduler=None, progress=None):
    """{key: result} for every hand-in: from the cache, or graded now (and cached at once). Hand-ins of the same
    content that the same lesson's name (or none) points to are graded once; a learner's hand-ins are graded
    one at a time, newest first, under the learner's budget per lesson (classrun/budget.py). `progress`:
    called with the number of jobs to grade, then returns a callable ticked once per job done."""
    keys = {handin: cache.key(handin, settings) for handin in handins}
    results, jobs, owners, first, twins, spent = {}, {}, {}, {}, {}, budgets.Spent()
    for handin in sorted(handins, key=_newest_first):
        key = keys[handin]
        cached = cache.get(key)
        if handin.size > MAX_NOTEBOOK_MB << 20:
            results[key] = result(UNREADABLE, lesson_by_name(handin.relative), why=f"{handin.size / 2 ** 20:.0f} MB "
                                  f"(its size or the space it takes on disk), larger than {MAX_NOTEBOOK_MB} MB, too "
                                  f"large for a notebook: not read")
        elif cached is not None:
            results[key] = cached
            spent.add(handin.student, cached.get("lesson"), cached.get("seconds"))
        elif key not in jobs and key not in twins:
            twin = first.setdefault((handin.digest, lesson_by_name(Path(handin.relative).name)), key)
            if twin != key:  # the same content, matched to the same lesson: its result is the twin's
                twins[key] = twin
                continue
            try:
                jobs[key], owners[key] = _job(handin, cache), handin.student
            except OSError as error:  # changed since it was found: a link or a special file now
                results[key] = result(UNREADABLE, lesson_by_name(handin.relative), why=f"not read ({error})")
    tick = progress(len(jobs), len(results)) if progress else (lambda: None)
    running = (run_dask(jobs, settings, scheduler, owners, spent) if scheduler else
               run_local(jobs, settings, workers or 1, owners, spent))
    try:
        for key, done in running if jobs else ():
            if done["status"] in ("error", STOPPED) and not done["lesson"]:  # its lesson by its file's name
                named = lesson_by_name(jobs[key][1])
                done = dict(done, lesson=named, total=len(lessons().get(named, ())))
            results[key] = done
            if done["status"] not in ("error", NOT_RUN):  # those are tried again next time (the budget allowing)
                for each in [key] + [other for other, twin in twins.items() if twin == key]:
                    cache.put(each, done)
            tick()
    finally:
        running.close()  # cut short (Ctrl-C): the workers are stopped, what they graded is in the cache
    for other, twin in twins.items():
        results[other] = results[twin]
    return {handin: results[key] for handin, key in keys.items()}, len(jobs)


def _newest_first(handin):
    """The order of a class's hand-ins: by learner, each learner's newest first (the one most likely to count
    when the learner's budget for a lesson runs out), then by name."""
    try:
        when = handin.submitted if handin.submitted is not None else os.lstat(handin.path).st_mtime
    except OSError:
        when = 0
    return handin.student, -when, handin.relative


def _job(handin, cache):
    """(content, file name, seed) of a hand-in."""
    with open_plain(handin.path) as file:
        content = file.read((MAX_NOTEBOOK_MB << 20) + 1)  # it may have grown since it was hashed
    return content, Path(handin.relative).name, cache.handin_seed(handin)
