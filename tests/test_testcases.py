"""The checkers of testCases.py pass correct code, written any way, and say what is wrong with wrong code."""
import numpy as np
import pytest

import dnn_utils as d
import testCases as t


@pytest.mark.parametrize("name", t.FUNCTIONS)
def test_every_checker_passes_the_library(name, capsys):
    getattr(t, f"check_{name}")(getattr(d, name))
    out = capsys.readouterr().out
    assert out.startswith(f"{name}: ") and "passed" in out and "problem" not in out


def test_a_correct_implementation_written_differently_passes():
    def linear_forward(A, W, b):
        Z = np.dot(W, A) + b
        return Z, (A, W, b)

    def compute_cost(AL, Y):
        m = Y.shape[1]
        return -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m

    assert t.problems("linear_forward", linear_forward) == []
    assert t.problems("compute_cost", compute_cost) == []


def only(found, fragment):
    assert found and all(fragment in f for f in found), found


def test_wrong_values_name_the_entry_and_both_numbers():
    found = t.problems("linear_forward", lambda A, W, b: (W @ A, (A, W, b)))
    assert "wrong values: Z differs in 2 of 2 entries; at index (0, 0) expected 3.2629534, got 3.5123238" in found[0]


def test_wrong_shape_says_expected_and_got():
    found = t.problems("linear_backward",
                       lambda dZ, cache: (cache[1].T @ dZ, (dZ @ cache[0].T).T, dZ.sum(axis=1, keepdims=True)))
    assert any("wrong shape: dW should have shape (3, 5), got (5, 3) (it looks transposed)" in f for f in found)


def test_wrong_type_is_named():
    only(t.problems("compute_cost", lambda AL, Y: [0.28]), "wrong type: cost should be a number, got list")
    found = t.problems("initialize_parameters", lambda n_x, n_h, n_y: [np.zeros((n_h, n_x))])
    only(found, "wrong type: parameters should be a dict, got list")


def test_a_cost_left_as_a_1_by_1_array_is_caught():
    found = t.problems("compute_cost", lambda AL, Y: -(Y @ np.log(AL).T + (1 - Y) @ np.log(1 - AL).T) / 3)
    assert any("should be a number (a 0-d array, e.g. from np.squeeze), got an array of shape (1, 1)" in f
               for f in found)


def test_modified_inputs_are_reported():
    def update_in_place(parameters, grads, learning_rate):
        for key in parameters:
            parameters[key] -= learning_rate * grads["d" + key]
        return parameters

    found = t.problems("update_parameters", update_in_place)
    assert found and all(f.startswith("modified its inputs") for f in found)


def test_missing_keys_are_reported():
    def forgets_b(parameters, grads, learning_rate):
        return {k: v - learning_rate * grads["d" + k] for k, v in parameters.items() if k.startswith("W")}

    assert any("wrong keys: parameters is missing ['b1', 'b2']" in f for f in t.problems("update_parameters", forgets_b))


def test_wrong_number_of_outputs_is_reported():
    only(t.problems("linear_forward", lambda A, W, b: W @ A + b), "expected 2 outputs (Z, cache)")


def test_an_error_raised_is_reported_with_its_line():
    def broken(A, W, b):
        return A @ W + b, (A, W, b)

    found = t.problems("linear_forward", broken)
    assert found and found[0].startswith("raised ValueError") and "return A @ W + b" in found[0]


def test_not_implemented_yet_is_one_clear_line(capsys):
    def unfinished(*args):
        raise NotImplementedError()

    t.check_L_model_backward(unfinished)
    out = capsys.readouterr().out
    assert "not implemented yet" in out and out.count("\n") == 2


def test_hard_coded_sizes_fail_on_other_inputs():
    def hard_coded(n_x, n_h, n_y):
        np.random.seed(1)
        return {"W1": np.random.randn(2, 3) * 0.01, "b1": np.zeros((2, 1)),
                "W2": np.random.randn(1, 2) * 0.01, "b2": np.zeros((1, 1))}

    found = t.problems("initialize_parameters", hard_coded)
    assert found and all("inputs of other sizes" in f for f in found)


def test_the_checker_prints_its_verdict(capsys):
    t.check_linear_forward(lambda A, W, b: (W @ A, (A, W, b)))
    out = capsys.readouterr().out
    assert out.startswith("linear_forward: 2 problem(s) found:\n  - wrong values")


def test_cases_and_runs_are_stored_as_plain_data_and_come_back_the_same():
    import json

    import companion.feedback.verdict as v
    value = ({"W1": np.arange(6).reshape(2, 3), "b1": np.zeros((2, 1))}, [np.float64(0.5), 3, None, "relu"],
             np.array(2.5))
    back = v.decode(json.loads(json.dumps(v.encode(value))))
    assert type(back) is tuple and type(back[1]) is list and back[1][1:] == [3, None, "relu"]
    assert back[0]["W1"].dtype == value[0]["W1"].dtype and v.unchanged(value, back)
    assert type(back[1][0]) is np.float64 and back[2].shape == ()
    with pytest.raises(TypeError, match="value of type set cannot be stored"):
        v.encode({1, 2})
    with pytest.raises(ValueError, match=r"data with keys \['pickle'\] is not encoded data"):
        v.decode({"pickle": "..."})


def test_bad_names_are_refused_with_what_was_expected():
    import companion.feedback.rules as rules
    with pytest.raises(ValueError, match="name='softmax' is not a graded function"):
        t.cases("softmax")
    with pytest.raises(ValueError, match="name='looks_wrong' is not a rule; expected one of like, raises"):
        rules.rule("looks_wrong")


def test_the_stored_checks_carry_fingerprints_not_versions():
    import json

    import companion.feedback.verdict as v
    stored = t.stored_checks(["compute_cost"])["compute_cost"]
    assert [case["label"] for case in stored["cases"]] == [case.label for case in t.cases("compute_cost")]
    no_minus = next(m for m in stored["mistakes"] if m["id"] == "no_minus")
    assert no_minus["rule"] == "like" and len(no_minus["runs"]) == 1 and len(no_minus["runs"][0]) == 2
    got = v.decode(no_minus["runs"][0][0]["got"])  # the mistaken version's output, as data
    assert type(got) is np.float64 and got == -0.2797765635793422
    dot_shapes = next(m for m in stored["mistakes"] if m["id"] == "dot_shapes")
    assert dot_shapes["rule"] == "raises" and "not aligned" in dot_shapes["fragments"]
    json.dumps(stored)
