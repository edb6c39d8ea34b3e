"""The support functions: a graded function is graded with the library's versions of the functions its lesson's
notebook gives the learner where it is written (its imports, its earlier exercises, what its solution calls, and
what those call in turn), answered from outside its jail, and never one that could give its outputs: itself, a
function that calls it, or an initialization that is the same one by another name."""
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
        given = grading.builds_on(name)
        assert name not in given, name
        for other in given:
            assert name not in verdict._closure([other]), (name, other)  # nothing that calls it
        for family in verdict.SAME_OUTPUTS:
            if name in family:
                assert not set(given) & family, name
    # the case: the two deep initializations give each other's outputs, rescaled
    assert grading.builds_on("initialize_parameters_deep") == []
    assert grading.builds_on("initialize_parameters_deep_scaled") == []


def test_the_answerer_answers_the_given_functions_only_with_the_librarys_outputs():
    """The process beside the jail: the library's outputs for a given function, the library's own argument
    check for a bad call, and a NameError for a function that is not given (whatever the jail asks)."""
    import numpy as np
    import dnn_utils
    from companion import plain
    from grading.support import answer
    functions = answer._functions(["relu", "update_parameters"])
    Z = np.array([[-1.0, 2.0], [3.0, -4.0]])
    assert np.array_equal(plain.unpack(answer.answer(functions, plain.pack(["relu", [Z], {}])))["value"][0],
                          dnn_utils.relu(Z)[0])
    bad = plain.unpack(answer.answer(functions, plain.pack(["relu", ["Z"], {}])))
    assert bad["error"][0] == "TypeError" and "relu" in bad["error"][1], bad
    other = plain.unpack(answer.answer(functions, plain.pack(["sigmoid", [Z], {}])))
    assert other == {"error": ["NameError", "name 'sigmoid' is not defined"]}
    forged = plain.unpack(answer.answer(functions, b"\x00\x00\x00\x05{\"a\":"))
    assert forged["error"][0] == "PlainDataError", forged


def test_the_functions_given_are_the_librarys_of_those_names():
    assert verdict.builds_on("L_model_forward") == [
        "initialize_parameters_deep", "initialize_parameters_deep_scaled", "linear_activation_forward",
        "linear_forward", "relu", "sigmoid"]


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
