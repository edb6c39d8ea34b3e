"""Recognising the mistake behind a failed check: rules, kept as data.

A rule is plain data, {"rule": name, **parameters} (see RULES): "like" (the outputs, or the error, are those
of a mistaken version on every case: the versions are functions here, in the solution edition, or their
runs on the fixed cases as stored for the student edition), or one of the rules that look at what went
wrong: an error's kind and message, the outputs' shapes or scale, which cases fail. `mistake(name, id,
spec)` makes the Mistake of verdict.py, explained in the words of hints.py.
"""
import builtins

import numpy as np

from companion.feedback.verdict import LESSON, Mistake, Outcome, differences


def _agree(outcome, other):
    """True when a run and a mistaken version's run of one case (an Outcome, or a stored run: a dict with
    "error": [type name, message] or "got") raised the same error, or returned the same outputs."""
    if isinstance(other, dict):
        other_error, other_got = other.get("error"), other.get("got")
        if outcome.error is not None or other_error is not None:
            return (outcome.error is not None and other_error is not None
                    and [type(outcome.error).__name__, str(outcome.error)] == list(other_error))
        return _same_values(outcome, other_got)
    if outcome.error is not None or other.error is not None:
        return (type(outcome.error) is type(other.error)) and str(outcome.error) == str(other.error)
    return _same_values(outcome, other.got)


def _same_values(outcome, other_got):
    """True when the outputs of a run are those of a mistaken version's, their dtypes aside (a mistake is
    the same whether its labels come out as booleans or as floats)."""
    return not [found for found in differences(outcome.case, outcome.got, other_got)
                if not found.startswith("wrong dtype")]


_MISTAKEN_RUNS = {}


def mistaken_run(version, outcome):
    """The run of the mistaken version `version` (a function) on the case of `outcome` (kept for the fixed
    cases, whose inputs never change; a fresh case keeps its own)."""
    runs = outcome.case.mistaken_runs if outcome.case.fresh else _MISTAKEN_RUNS
    key = (version, outcome.name, outcome.index)
    if key not in runs:
        runs[key] = Outcome.of_call(outcome.name, outcome.index, outcome.case, version)
    return runs[key]


def _like(spec, outcomes):
    """Recognised when, on every case, the function does what one of the mistaken versions does: the
    versions are functions (spec["versions"]) or their stored runs, one per fixed case (spec["runs"])."""
    if "versions" in spec:
        return any(all(_agree(outcome, mistaken_run(version, outcome)) for outcome in outcomes)
                   for version in spec["versions"])
    return any(len(runs) >= len(outcomes) and all(_agree(outcome, runs[outcome.index]) for outcome in outcomes)
               for runs in spec["runs"])


def _raises(spec, outcomes):
    """A case raised an error of one of the kinds (names of Python's exceptions; any when none) whose message
    holds one of the fragments (any message when none)."""
    kinds = tuple(getattr(builtins, kind) for kind in spec.get("kinds", ())) or Exception
    fragments = spec.get("fragments", ())
    return any(isinstance(outcome.error, kinds)
               and (not fragments or any(fragment in str(outcome.error) for fragment in fragments))
               for outcome in outcomes)


def _any(spec, outcomes):
    return any(recognised(rule, outcomes) for rule in spec["of"])


def _right_on_the_lesson_only(spec, outcomes):
    """Right on the lesson's inputs, wrong on other sizes: sizes or a number of layers written into the code."""
    lesson = [outcome for outcome in outcomes if outcome.case.label.startswith(LESSON)]
    others = [outcome for outcome in outcomes if not outcome.case.label.startswith(LESSON)]
    return bool(lesson) and not any(o.findings for o in lesson) and any(o.findings for o in others)


def _right_but_changes_its_inputs(spec, outcomes):
    return all(outcome.error is None and not differences(outcome.case, outcome.got, outcome.expected)
               for outcome in outcomes) and any(outcome.modified for outcome in outcomes)


def _only_wrong_in(spec, outcomes):
    """Every finding is about the output named spec["output"] (e.g. costs)."""
    found = [finding for outcome in outcomes for finding in outcome.findings]
    return all(finding.split(": ", 1)[-1].startswith(spec["output"]) for finding in found)


def _Z_looks_transposed(spec, outcomes):
    return any(finding.startswith("wrong shape: Z ") and "(it looks transposed)" in finding
               for outcome in outcomes for finding in outcome.findings)


def _every(prefix, test, outcomes):
    """Every returned parameter named prefix... passes test(got, expected), in every case."""
    for outcome in outcomes:
        got, expected = outcome.got, outcome.expected
        if outcome.error is not None or not isinstance(got, dict):
            return False
        for key in (key for key in expected if key.startswith(prefix)):
            if not (isinstance(got.get(key), np.ndarray) and test(got[key], expected[key])):
                return False
    return True


# W[l] of shape (n, p) = (n[l], n[l-1]) scaled by a factor, by name
FACTORS = {"100": lambda n, p: 100, "sqrt(p) * 0.01": lambda n, p: np.sqrt(p) * 0.01,
           "sqrt(p / n)": lambda n, p: np.sqrt(p / n), "1 / sqrt(p)": lambda n, p: 1 / np.sqrt(p)}


def _scaled_by(spec, outcomes):
    """Every W[l] is the expected one times FACTORS[spec["factor"]](n[l], n[l-1])."""
    factor = FACTORS[spec["factor"]]
    return _every("W", lambda got, W: got.shape == W.shape and np.allclose(got, W * factor(*W.shape), rtol=1e-4,
                                                                            atol=1e-9), outcomes)


def _W_transposed(spec, outcomes):
    return _every("W", lambda got, W: got.shape == W.shape[::-1], outcomes)


def _b_not_zeros(spec, outcomes):
    return _every("b", lambda got, b: got.shape == b.shape and bool(np.any(got)), outcomes)


def _W_zeros(spec, outcomes):
    return _every("W", lambda got, W: got.shape == W.shape and not np.any(got), outcomes)


def _b_wrong_shape(spec, outcomes):
    return (_every("b", lambda got, b: got.size == b.size and not np.any(got), outcomes)
            and any(finding.startswith("wrong shape: parameters['b")
                    for outcome in outcomes for finding in outcome.findings))


def _layers_off_by_one(spec, outcomes):
    """The parameters of the first or last layer are missing, or one layer too many, or an index error."""
    for outcome in outcomes:
        if isinstance(outcome.error, IndexError):
            return True
        if isinstance(outcome.got, dict):
            L = len(outcome.expected) // 2
            edges = {f"{kind}{l}" for kind in "Wb" for l in (0, 1, L, L + 1)}
            wrong = set(outcome.got) ^ set(outcome.expected)
            if wrong and wrong <= edges:
                return True
    return False


RULES = {"like": _like, "raises": _raises, "any": _any, "right_on_the_lesson_only": _right_on_the_lesson_only,
         "right_but_changes_its_inputs": _right_but_changes_its_inputs, "only_wrong_in": _only_wrong_in,
         "Z_looks_transposed": _Z_looks_transposed, "scaled_by": _scaled_by, "W_transposed": _W_transposed,
         "b_not_zeros": _b_not_zeros, "W_zeros": _W_zeros, "b_wrong_shape": _b_wrong_shape,
         "layers_off_by_one": _layers_off_by_one}


def rule(name, **parameters):
    """A rule as data: {"rule": name, **parameters}; name is one of RULES."""
    if name not in RULES:
        raise ValueError(f"rule: name={name!r} is not a rule; expected one of {', '.join(RULES)}")
    return {"rule": name, **parameters}


def recognised(spec, outcomes):
    """True when the rule `spec` recognises its mistake in `outcomes` (Outcome objects, one per case)."""
    return RULES[spec["rule"]](spec, outcomes)


class Recogniser:
    """recognise(outcomes) of a Mistake: the rule `spec`, kept as data (`.spec`) for the stored checks."""

    def __init__(self, spec):
        self.spec = spec

    def __call__(self, outcomes):
        return recognised(self.spec, outcomes)


def mistake(name, id, spec):
    """The Mistake `id` of function `name` recognised by the rule `spec`, explained as hints.py says."""
    from companion.feedback.hints import EXPLANATIONS
    return Mistake(id, EXPLANATIONS[name][id], Recogniser(spec))
