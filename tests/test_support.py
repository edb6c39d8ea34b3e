"""The support functions: a graded function is graded with the library's versions of the functions its lesson's
own solution calls (and what those call in turn), answered from outside its jail, nothing its lesson merely
imports, and never one that could give its outputs: itself, a function that calls it, or an initialization that
is the same one by another name."""
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
