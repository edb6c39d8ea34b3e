"""The support code: a graded function is graded with the library's versions of the functions its lesson's
notebook gives the learner where it is written (its imports, its earlier exercises, what its solution calls, and
what those call in turn), and never one that could give its outputs: itself, a function that calls it, or an
initialization that is the same one by another name."""
import grading
from grading import verdict

SOLUTION = "its lesson's solution calls it"


def test_every_graded_function_receives_what_its_notebook_gives_the_learner_and_nothing_that_stands_in_for_it():
    """What a graded function may call: what its lesson's solution calls, what its notebook imports or defines
    in an earlier exercise, and what the library's versions of these call in turn; never itself, a function that
    calls it, nor one that gives its outputs by another name."""
    assert set(verdict._available()) == set(grading.graded_functions())
    for name in grading.graded_functions():
        given = verdict.support(name)
        assert grading.builds_on(name) == sorted(given)
        for other in set(verdict._solution_calls().get(name, ())) | set(verdict._available()[name]):
            excluded = other == name or name in verdict._closure([other]) or any(
                {name, other} <= family for family in verdict.SAME_OUTPUTS)
            assert (other in given) != excluded, (name, other)
    # notebook 03 imports sigmoid in its first cell: sigmoid_backward may be written on it
    assert verdict.support("sigmoid_backward")["sigmoid"] == "its notebook imports it from dnn_utils"
    assert verdict.support("relu")["sigmoid"] == "its notebook defines it in an earlier exercise"
    assert verdict.support("linear_activation_forward")["relu"] == SOLUTION
    assert "linear_activation_backward" not in verdict.support("linear_backward")  # it calls linear_backward
    assert "update_parameters" not in verdict.support("sigmoid_backward")  # written later in the notebook
    assert verdict.support("initialize_parameters_deep") == {} == verdict.support("initialize_parameters_deep_scaled")


def test_no_function_receives_one_that_gives_its_outputs():
    for name in grading.graded_functions():
        given = verdict.support_source(name)
        assert f"def {name}(" not in given, name
        for other in grading.builds_on(name):
            assert name not in verdict._closure([other]), (name, other)  # nothing that calls it
        for family in verdict.SAME_OUTPUTS:
            if name in family:
                assert not any(f"def {other}(" in given for other in family), name
    # the case: the two deep initializations give each other's outputs, rescaled
    assert verdict.support_source("initialize_parameters_deep") == ""
    assert verdict.support_source("initialize_parameters_deep_scaled") == ""


def test_the_support_code_is_the_library_code_of_those_functions():
    source = verdict.support_source("L_model_forward")
    assert [line for line in source.splitlines() if line.startswith("def ")] == [
        "def initialize_parameters_deep(layer_dims, seed=3):",
        "def initialize_parameters_deep_scaled(layer_dims, seed=1):",
        "def linear_activation_forward(A_prev, W, b, activation):", "def linear_forward(A, W, b):",
        "def relu(Z):", "def sigmoid(Z):"]


RESCALED = '''def initialize_parameters_deep(layer_dims, seed=3):
    scaled = initialize_parameters_deep_scaled(layer_dims, seed)
    return {key: value * np.sqrt(layer_dims[int(key[1:]) - 1]) * 0.01 if key[0] == "W" else value
            for key, value in scaled.items()}
'''


def test_a_hand_in_that_rescales_the_other_initialization_gets_nothing_from_it():
    """The rescaling is right: with the library's initialize_parameters_deep_scaled at hand it scores; in the
    jail it is not there to call."""
    import numpy as np
    import dnn_utils
    import testCases
    namespace = {"np": np, "initialize_parameters_deep_scaled": dnn_utils.initialize_parameters_deep_scaled}
    exec(RESCALED, namespace)
    assert testCases.examine("initialize_parameters_deep", namespace["initialize_parameters_deep"], fresh=5)[0] == []
    with grading.make_jail() as jail:
        graded = grading.check_function(jail, "initialize_parameters_deep", RESCALED, seed=5)
    assert graded.points == 0 and graded.comment == (
        "wrong: it calls initialize_parameters_deep_scaled, which gives the outputs of initialize_parameters_deep by "
        "another name, so the grader does not give it: initialize_parameters_deep must compute them itself"), graded
