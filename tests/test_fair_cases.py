"""Fair cases: the fresh cases a grader draws are ones the library itself computes well (no overflow, no 0/0, no
sigmoid rounding to 0 or 1), so that a right function, however it is written, never loses its point.

Each right implementation (the lesson's code and the rewrites of tests/mutants.py) is judged here, outside the
jail, on the fresh cases of 10 000 grading seeds per function, exactly as the grader judges what comes back
from the jail (testCases.judge on Outcome objects). The training loops' fresh cases train 2 or 3 iterations,
so they too are judged on 10 000 seeds."""
import multiprocessing
import os

import numpy as np
import pytest

import testCases
from companion.feedback.verdict import Outcome
from mutants import VARIANTS, build, edited, library_source

SEEDS = 10_000


def implementations(name):
    """[(label, function)]: the lesson's code and every rewrite of `name` in tests/mutants.py."""
    made = [("the lesson's code", build(name, library_source(name)))]
    return made + [(variant.label, build(name, edited(name, variant.edits))) for variant in VARIANTS
                   if variant.name == name]


def lost_points(name, seeds):
    """[(seed, implementation, first finding)] for every seed of `seeds` on which a right implementation of
    `name` is found wrong."""
    lost = []
    made = implementations(name)
    for seed in seeds:
        cases = testCases.fresh_cases(name, seed)
        for label, fn in made:
            found, _ = testCases.judge(name, [Outcome.of_call(name, index, case, fn)
                                              for index, case in enumerate(cases)])
            if found:
                lost.append((seed, label, found[0]))
    return lost


def _chunk(job):
    return lost_points(*job)


@pytest.mark.parametrize("name", testCases.FUNCTIONS)
def test_right_implementations_lose_no_point_on_any_grading_seed(name):
    workers = len(os.sched_getaffinity(0))
    chunks = [(name, range(start, SEEDS, workers)) for start in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        lost = [item for part in pool.map(_chunk, chunks) for item in part]
    assert not lost, lost[:5]
    for label, fn in implementations(name):  # and the fixed cases, the same for every seed
        assert testCases.examine(name, fn)[0] == [], label


def test_every_function_is_graded_with_at_least_two_ways_of_writing_it():
    assert all(len(implementations(name)) >= 2 for name in testCases.FUNCTIONS)


def unscreened_draws(name, seeds):
    """[(seed, args, kwargs)]: the draws of `name` from `seeds` that the screen refuses."""
    refused = []
    for seed in seeds:
        rng = np.random.RandomState(seed)
        for _ in range(2):
            args, kwargs = testCases._fresh_inputs(name, rng)
            if testCases.fair_expected(name, args, kwargs) is None:
                refused.append((seed, args, kwargs))
    return refused


def test_a_case_the_library_fails_on_would_cost_the_lessons_code_its_point_and_is_never_used():
    """The draws of L_model_backward that drive AL to 1.0 (the library raises, the lesson's code too, and the two
    errors differ) or near it: judged as drawn, the lesson's own code loses its point on some; the screen
    refuses each, and the grader's cases, drawn again from the same seed, are fair."""
    name = "L_model_backward"
    refused = unscreened_draws(name, range(1000))
    assert len(refused) >= 5
    lesson = build(name, library_source(name))
    unfair = [seed for seed, args, kwargs in refused
              if testCases.judge(name, [Outcome.of_call(name, 0, testCases._against_reference(
                  name, "as drawn", lambda args=args: args, ("grads",), fresh=True, **kwargs), lesson)])[0]]
    assert unfair, "no refused draw costs the lesson's code its point: the screen is not what makes grading fair"
    for seed, _, _ in refused:
        for case in testCases.fresh_cases(name, seed):
            AL, Y, caches = case.inputs()
            assert np.abs(caches[-1][1]).max() <= testCases.SIGMOID_BOUND
            assert testCases.judge(name, [Outcome.of_call(name, 0, case, lesson)]) == ([], None)


def test_the_screen_refuses_what_the_library_cannot_compute_well():
    AL = np.array([[0.5, 1.0]])
    Y = np.array([[1, 0]])
    assert testCases.fair_expected("compute_cost", (AL, Y), {}) is None          # log(0)
    assert testCases.fair_expected("compute_cost", (np.array([[0.3, 0.6]]), Y), {}) is not None
    assert testCases.fair_expected("sigmoid", (np.array([[1.0, 25.0]]),), {}) is None  # rounds near 1
    assert testCases.fair_expected("sigmoid", (np.array([[1.0, -19.0]]),), {}) is not None
    assert testCases.fair_expected("linear_forward", (np.ones((2, 1)) * 1e300, np.ones((1, 2)) * 1e300,
                                                      np.zeros((1, 1))), {}) is None  # overflow


def test_a_seed_gives_the_same_fair_cases_every_time():
    seed = unscreened_draws("L_model_backward", range(1000))[0][0]
    first, again = testCases.fresh_cases("L_model_backward", seed), testCases.fresh_cases("L_model_backward", seed)
    assert all(np.array_equal(a.inputs()[0], b.inputs()[0]) for a, b in zip(first, again))
