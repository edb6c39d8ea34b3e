"""The checkers name the mistake: every diagnosis of testCases.MISTAKES is given to a learner-style mutant
that makes exactly that mistake, and correct code written another way gets none (tests/mutants.py)."""
import numpy as np
import pytest

import dnn_utils
import testCases as t
from mutants import MUTANTS, VARIANTS, build, edited, label, library_source, mutant_function


def test_every_graded_function_has_at_least_three_diagnoses():
    assert set(t.MISTAKES) == set(t.FUNCTIONS)
    for name, mistakes in t.MISTAKES.items():
        ids = [mistake.id for mistake in mistakes]
        assert len(ids) >= 3 and len(set(ids)) == len(ids), (name, ids)


def test_every_diagnosis_has_a_mutant_and_every_mutant_a_diagnosis():
    diagnoses = {(name, mistake.id) for name, mistakes in t.MISTAKES.items() for mistake in mistakes}
    assert {(mutant.name, mutant.id) for mutant in MUTANTS} == diagnoses


@pytest.mark.parametrize("mutant", MUTANTS, ids=label)
def test_a_mutant_gets_exactly_its_diagnosis(mutant):
    fn = mutant_function(mutant)
    found, mistake = t.examine(mutant.name, fn)
    assert found, "the mutant passes its checks: the mistake is not caught at all"
    assert mistake is not None and mistake.id == mutant.id, (mistake, found)
    assert t.diagnose(mutant.name, fn) == mutant.id


@pytest.mark.parametrize("variant", VARIANTS, ids=label)
def test_a_correct_rewrite_passes_with_no_diagnosis(variant):
    fn = build(variant.name, edited(variant.name, variant.edits))
    assert t.problems(variant.name, fn) == []
    assert t.diagnose(variant.name, fn) is None


@pytest.mark.parametrize("name", t.FUNCTIONS)
def test_the_lessons_code_passes_with_no_diagnosis(name):
    fn = build(name, library_source(name))
    assert t.examine(name, fn) == ([], None)
    assert t.diagnose(name, getattr(dnn_utils, name)) is None


def test_not_implemented_has_no_diagnosis():
    def unfinished(*args):
        raise NotImplementedError()

    found, mistake = t.examine("compute_cost", unfinished)
    assert mistake is None and len(found) == 1 and found[0].startswith("not implemented yet")


def test_the_verdict_names_the_mistake_last(capsys):
    no_minus = next(mutant for mutant in MUTANTS if mutant.id == "no_minus")
    t.check_compute_cost(mutant_function(no_minus))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "compute_cost: 2 problem(s) found:"
    assert lines[1].startswith("  - wrong values: cost should be 0.27977656, got -0.27977656")
    assert lines[-2] == ("  - likely mistake: the cost has no minus sign: "
                         "J = -(1/m) Σ [y log(a) + (1 - y) log(1 - a)]")
    assert lines[-1] == "  stuck? hint('compute_cost') gives a hint, one more each time (up to 3)"


def test_wrong_code_with_no_known_mistake_gets_findings_only(capsys):
    t.check_relu(lambda Z: (np.abs(Z), Z))
    out = capsys.readouterr().out
    assert "wrong values" in out and "likely mistake" not in out


def test_a_strict_check_raises_when_a_check_fails(capsys):
    t.check_relu(dnn_utils.relu, strict=True)
    with pytest.raises(t.CheckFailed):
        t.check_relu(lambda Z: (Z, Z), strict=True)
    assert "relu: 1 problem(s) found" in capsys.readouterr().out
