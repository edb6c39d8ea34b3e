"""The checkers name the mistake: every diagnosis of testCases.MISTAKES is given to a learner-style mutant
that makes exactly that mistake, and correct code written another way gets none (tests/mutants.py)."""
import numpy as np
import pytest

import dnn_utils
import testCases as t
from companion.feedback.verdict import UPSTREAM_SHOWN
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


# ----------------------------------------------------------------------------------------------------------
# A check points to the function underneath when that one is at fault

def learners_functions(wrong, edits, names):
    """The learner's functions `names`, as a notebook defines them (one namespace), `wrong` written with `edits`."""
    namespace = {"np": np, "__name__": "__main__"}
    for name in names:
        exec(edited(name, edits) if name == wrong else library_source(name), namespace)
    return namespace


FORWARD = ("sigmoid", "relu", "linear_forward", "linear_activation_forward", "L_model_forward")
BACKWARD = ("relu_backward", "sigmoid_backward", "linear_backward", "linear_activation_backward", "L_model_backward")


@pytest.mark.parametrize("wrong, edits, checked, names, notebook", [
    ("sigmoid", [("np.exp(-Z)", "np.exp(Z)")], "L_model_forward", FORWARD, "02_forward_propagation.ipynb"),
    ("sigmoid", [("np.exp(-Z)", "np.exp(Z)")], "linear_activation_forward", FORWARD, "02_forward_propagation.ipynb"),
    ("sigmoid_backward", [("dZ = dA * s * (1 - s)", "dZ = dA * s")], "L_model_backward", BACKWARD,
     "03_backward_propagation.ipynb"),
    ("linear_backward", [("dW = 1. / m * ", "dW = ")], "L_model_backward", BACKWARD, "03_backward_propagation.ipynb"),
])
def test_a_check_names_the_failing_function_underneath_first(wrong, edits, checked, names, notebook, capsys):
    namespace = learners_functions(wrong, edits, names)
    assert not t.report(checked, namespace[checked])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (f"{checked}: it calls your {wrong}, which does not pass its own check: fix {wrong} first "
                        f"({notebook}), then run this check again. What {checked} gives meanwhile:")
    findings = lines[1:]
    assert 1 <= len(findings) <= UPSTREAM_SHOWN + 1
    assert not any("likely mistake" in line for line in lines)
    if len(t.problems(checked, namespace[checked])) > 3:
        assert findings[-1].startswith("  - ... and ") and findings[-1].endswith(" more problem(s)")


def test_a_function_not_written_underneath_is_named(capsys):
    namespace = learners_functions(None, [], FORWARD)
    exec("def sigmoid(Z):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n", namespace)
    t.check_linear_activation_forward(namespace["linear_activation_forward"])
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("linear_activation_forward: it calls your sigmoid, which is not written yet: fix sigmoid "
                            "first (02_forward_propagation.ipynb)")


def test_a_right_function_over_right_ones_passes_and_the_library_is_not_checked_again(capsys):
    namespace = learners_functions(None, [], BACKWARD)
    assert t.report("L_model_backward", namespace["L_model_backward"])
    wrong_alone = learners_functions("L_model_backward", [("dAL = - (", "dAL = (")], BACKWARD)
    t.report("L_model_backward", wrong_alone["L_model_backward"])
    out = capsys.readouterr().out
    assert "it calls your" not in out and "likely mistake: dAL has its sign flipped" in out
    assert t.upstream("L_model_backward", dnn_utils.L_model_backward) is None


def test_predict_is_checked_on_both_labels(capsys):
    def all_zeros(X, y, parameters):
        return np.zeros((1, X.shape[1]))

    assert t.problems("predict", all_zeros)
    outputs = [case.expected() for case in t.cases("predict")]
    assert any(0 < p.sum() < p.size for p in outputs)
