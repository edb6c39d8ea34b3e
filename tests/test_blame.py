"""Checks that blame the right place, as learners write their notebooks: every graded function the learner's
own (tests/mutants.py notebook), so a function called by the checked one is the learner's right code. A
mistake is named by its diagnosis; a line quoted as the failing one is a line of the function that holds the
mistake, or the call that gave a right function a wrong argument, never a line of right code."""
import re

import numpy as np
import pytest

import testCases as t
from companion.feedback.hints import HINTS
from mutants import MUTANTS, edited, label, notebook


def verdict(name, fn, capsys):
    t.report(name, fn)
    return capsys.readouterr().out


def quoted_lines(text):
    """The functions whose lines a verdict quotes as failing: [(function, line)]."""
    return re.findall(r"\(line \d+ of (\w+): ([^)]*)\)", text)


@pytest.mark.parametrize("mutant", MUTANTS, ids=label)
def test_every_mistake_in_a_learners_notebook_is_named_and_blames_no_right_code(mutant, capsys):
    fn = notebook(**{mutant.name: edited(mutant.name, mutant.edits)})[mutant.name]
    found, mistake = t.examine(mutant.name, fn)
    assert mistake is not None and mistake.id == mutant.id, (mistake, found)
    text = verdict(mutant.name, fn, capsys)
    assert all(function == mutant.name for function, _ in quoted_lines(text)), text


X_TO_EVERY_LAYER = ("linear_activation_forward(A_prev,", "linear_activation_forward(X,")


def test_a_right_function_called_wrongly_is_not_blamed_the_call_is(capsys):
    fn = notebook(L_model_forward=edited("L_model_forward", [X_TO_EVERY_LAYER]))["L_model_forward"]
    text = verdict("L_model_forward", fn, capsys)
    assert "(the call at line 13 of L_model_forward: A, cache = linear_activation_forward(X, " in text, text
    assert "linear_activation_forward itself is not at fault" in text
    assert "linear_activation_forward: W has shape (3, 4) and A_prev has shape (5, 4); expected A_prev" in text
    assert "likely mistake: every hidden layer is fed X" in text
    assert "of linear_forward" not in text and "np.dot" not in text and "W.dot" not in text, text


def test_the_whole_cache_given_to_sigmoid_backward_is_named_at_the_call(capsys):
    fn = notebook(linear_activation_backward=edited("linear_activation_backward", [
        ("sigmoid_backward(dA, activation_cache)", "sigmoid_backward(dA, cache)")]))["linear_activation_backward"]
    text = verdict("linear_activation_backward", fn, capsys)
    assert "sigmoid_backward: cache must be Z, the activation's cache" in text, text
    assert "(the call at line 14 of linear_activation_backward: dZ = sigmoid_backward(dA, cache); " \
           "sigmoid_backward itself is not at fault)" in text
    assert "likely mistake: the activation's backward step gets the whole cache" in text
    assert "of sigmoid_backward:" not in text


@pytest.mark.parametrize("name, line", [("two_layer_model", "A1, cache1 = linear_activation_forward(train_x, W1"),
                                        ("L_layer_model", "AL, caches = L_model_forward(train_x, parameters)")])
def test_a_variable_of_the_notebook_read_inside_a_function_is_named_as_such(name, line, capsys):
    old = line.replace("train_x", "X")
    space = notebook(**{name: edited(name, [(old, line)])})
    space["train_x"] = np.random.RandomState(0).rand(12288, 209)
    text = verdict(name, space[name], capsys)
    first = text.splitlines()[1]
    assert first.startswith(f"  - `train_x` is a variable of the notebook, not an argument: {name} reads it at "
                            f"line "), text
    assert "use its arguments (X, Y, layers_dims, learning_rate, num_iterations, print_cost) instead" in first
    assert "your_functions.py" not in text and "line 129" not in text


def test_a_constant_of_the_notebook_read_inside_a_right_function_is_not_blamed(capsys):
    space = notebook(compute_cost="ONE = 1.\n\n\n" + edited("compute_cost", [("(1. / m)", "(ONE / m)")]))
    assert verdict("compute_cost", space["compute_cost"], capsys).startswith("compute_cost: all ")


@pytest.mark.parametrize("cast", ["(W.dot(A) + b).astype(np.float32)", "np.float32(W.dot(A) + b)",
                                  "(W.dot(A) + b).astype('float16')"])
def test_float32_and_other_dtype_slips_are_named(cast, capsys):
    fn = notebook(linear_forward=edited("linear_forward", [("W.dot(A) + b", cast)]))["linear_forward"]
    text = verdict("linear_forward", fn, capsys)
    kind = "float16" if "16" in cast else "float32"
    assert f"wrong dtype: Z is {kind}, expected float64" in text and "kept in" not in text, text


def test_predicts_accepted_output_and_its_hint_agree(capsys):
    assert "as floats 0.0 and 1.0" in HINTS["predict"][2]
    booleans = notebook(predict=edited("predict", [("(probas > 0.5).astype(float)", "probas > 0.5")]))["predict"]
    text = verdict("predict", booleans, capsys)
    assert "wrong dtype: p holds booleans (True/False), expected float64 numbers" in text, text
    floats = notebook(predict=edited("predict", [("(probas > 0.5).astype(float)",
                                                  "np.where(probas > 0.5, 1.0, 0.0)")]))["predict"]
    assert t.problems("predict", floats) == []


@pytest.mark.parametrize("name", ["two_layer_model", "L_layer_model"])
def test_the_cost_taken_after_the_update_is_named(name, capsys):
    mutant = next(mutant for mutant in MUTANTS if mutant.name == name and mutant.id == "cost_after_update")
    fn = notebook(**{name: edited(name, mutant.edits)})[name]
    text = verdict(name, fn, capsys)
    assert "likely mistake: the cost is taken after the update" in text and "print_cost" not in text, text


def test_the_learner_style_list_is_long_enough():
    assert len(MUTANTS) >= 40 and len({(mutant.name, mutant.id) for mutant in MUTANTS}) >= 40
