"""The support code: a graded function is graded with the library's versions of the functions its lesson's own
solution calls (and what those call in turn), nothing its lesson merely imports, and never one that could give
its outputs: itself, a function that calls it, or an initialization that is the same one by another name."""
import grading
from grading import verdict

SOLUTION = "its lesson's solution calls it"
FORWARD = {"linear_forward": "the library's linear_activation_forward calls it",
           "relu": "the library's linear_activation_forward calls it",
           "sigmoid": "the library's linear_activation_forward calls it"}
BACKWARD = {"linear_backward": "the library's linear_activation_backward calls it",
            "relu_backward": "the library's linear_activation_backward calls it",
            "sigmoid_backward": "the library's linear_activation_backward calls it"}

# For every graded function: what it receives, and why
RECEIVES = {
    "sigmoid": {}, "relu": {}, "sigmoid_backward": {}, "relu_backward": {},
    "initialize_parameters": {}, "initialize_parameters_deep": {}, "initialize_parameters_deep_scaled": {},
    "linear_forward": {}, "compute_cost": {}, "linear_backward": {}, "update_parameters": {},
    "linear_activation_forward": {"linear_forward": SOLUTION, "relu": SOLUTION, "sigmoid": SOLUTION},
    "L_model_forward": {"linear_activation_forward": SOLUTION, **FORWARD},
    "linear_activation_backward": {"linear_backward": SOLUTION, "relu_backward": SOLUTION,
                                   "sigmoid_backward": SOLUTION},
    "L_model_backward": {"linear_activation_backward": SOLUTION, **BACKWARD},
    "two_layer_model": {"initialize_parameters": SOLUTION, "linear_activation_forward": SOLUTION,
                        "compute_cost": SOLUTION, "linear_activation_backward": SOLUTION,
                        "update_parameters": SOLUTION, **FORWARD, **BACKWARD},
    "L_layer_model": {"initialize_parameters_deep_scaled": SOLUTION, "L_model_forward": SOLUTION,
                      "compute_cost": SOLUTION, "L_model_backward": SOLUTION, "update_parameters": SOLUTION,
                      "linear_activation_forward": "the library's L_model_forward calls it",
                      "linear_activation_backward": "the library's L_model_backward calls it", **FORWARD, **BACKWARD},
    "predict": {"L_model_forward": SOLUTION, "linear_activation_forward": "the library's L_model_forward calls it",
                **FORWARD},
}


def test_every_graded_function_receives_what_its_lessons_solution_calls_and_nothing_else():
    assert set(RECEIVES) == set(grading.graded_functions())
    for name in grading.graded_functions():
        assert verdict.support(name) == RECEIVES[name], name
        assert grading.builds_on(name) == sorted(RECEIVES[name])


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
        "wrong: it calls initialize_parameters_deep_scaled, which initialize_parameters_deep does not use in its "
        "lesson's solution; here, as in a notebook of that lesson alone, initialize_parameters_deep_scaled is not "
        "defined"), graded
