"""The mistakes learners make most, by function, and how each is recognised (solution edition only).

MISTAKES[name] lists, most likely first, the mistakes recognised in an implementation of `name` that fails
its checks: Mistake(id, explanation, recognise). The explanations are in companion/feedback/hints.py (shared with the
student edition); the recognisers are rules (companion/feedback/rules.py). Most are "like" rules: the learner's
outputs, or the error raised, are those of a mistaken version of the function on every case. The mistaken
versions below are built from the library's right ones, so this module stays out of the student edition:
there, each "like" rule carries the runs of its versions on the fixed cases instead (see
testCases.stored_checks).
"""
import numpy as np

import dnn_utils as reference
from companion.feedback.rules import mistake, rule


def like(*versions):
    """The rule "like": recognised when the function does what one of these mistaken versions does."""
    return rule("like", versions=list(versions))


def raises(*fragments, kinds=()):
    """The rule "raises": an error of one of the kinds (exception names) whose message holds a fragment."""
    return rule("raises", fragments=list(fragments), kinds=list(kinds))


def _with_output(fn, index, change):
    """fn, with its output number `index` replaced by change(outputs, *args, **kwargs)."""
    def mistaken(*args, **kwargs):
        outputs = list(fn(*args, **kwargs))
        outputs[index] = change(outputs, *args, **kwargs)
        return tuple(outputs)
    return mistaken


def _forward(hidden="relu", output="sigmoid", layers=lambda L: range(1, L), count=lambda p: len(p) // 2,
             keep_last=True, keep_hidden=True, feed_X=False):
    """L_model_forward with the activations, the hidden layers looped over, the count of layers, the caches
    kept and what each hidden layer is fed (the previous layer's A, or X every time) given."""
    def forward(X, parameters):
        A, caches, L = X, [], count(parameters)
        for l in layers(L):
            A, cache = reference.linear_activation_forward(X if feed_X else A, parameters[f"W{l}"],
                                                           parameters[f"b{l}"], hidden)
            caches += [cache] * keep_hidden
        AL, cache = reference.linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], output)
        return AL, caches + [cache] * keep_last
    return forward


def _dAL(AL, Y):
    return -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))


def _backward(dAL=_dAL, hidden="relu", output="sigmoid", layers=lambda L: reversed(range(L - 1)),
              upper=lambda l: l + 1, shift=1):
    """L_model_backward with dAL, the activations, the layers looped over, the gradient fed to each and the
    number its hidden layers' dW and db are stored under (l + shift) given."""
    def backward(AL, Y, caches):
        L = len(caches)
        Y = Y.reshape(AL.shape)
        grads = dict(zip((f"dA{L - 1}", f"dW{L}", f"db{L}"),
                         reference.linear_activation_backward(dAL(AL, Y), caches[L - 1], output)))
        for l in layers(L):
            grads.update(zip((f"dA{l}", f"dW{l + shift}", f"db{l + shift}"),
                             reference.linear_activation_backward(grads[f"dA{upper(l)}"], caches[l], hidden)))
        return grads
    return backward


def _update(sign=-1, rate=lambda learning_rate: learning_rate, update_b=True, count=lambda p: len(p) // 2):
    """update_parameters with the direction, the step, the parameters updated and the count of layers given."""
    def update(parameters, grads, learning_rate):
        parameters = dict(parameters)
        for l in range(1, count(parameters) + 1):
            for kind in "Wb" if update_b else "W":
                key = f"{kind}{l}"
                parameters[key] = parameters[key] + sign * rate(learning_rate) * grads["d" + key]
        return parameters
    return update


def _model(initialize, assign=True, rate=None, cost_after_update=False):
    """The lessons' training loop from initialize(layers_dims), its updates kept or not, at a rate or another,
    its cost taken before the update (the cost of the parameters the iteration starts from) or after it."""
    def model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        np.random.seed(1)
        parameters, costs = initialize(layers_dims), []
        for i in range(num_iterations):
            AL, caches = reference.L_model_forward(X, parameters)
            cost = reference.compute_cost(AL, Y)
            updated = reference.update_parameters(parameters, reference.L_model_backward(AL, Y, caches),
                                                  rate or learning_rate)
            parameters = updated if assign else parameters
            if cost_after_update:
                cost = reference.compute_cost(reference.L_model_forward(X, parameters)[0], Y)
            if i % 100 == 0:
                costs.append(cost)
        return parameters, costs
    return model


def _two_layer_swapped_backward(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """two_layer_model with the activations of its backward step swapped: relu for layer 2, sigmoid for layer 1."""
    np.random.seed(1)
    parameters, costs = reference.initialize_parameters(*layers_dims), []
    for i in range(num_iterations):
        A1, cache1 = reference.linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = reference.linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = reference.compute_cost(A2, Y)
        dA1, dW2, db2 = reference.linear_activation_backward(_dAL(A2, Y), cache2, "relu")
        _, dW1, db1 = reference.linear_activation_backward(dA1, cache1, "sigmoid")
        parameters = reference.update_parameters(parameters, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2},
                                                 learning_rate)
        if i % 100 == 0:
            costs.append(cost)
    return parameters, costs


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _two_layer_init(dims):
    return reference.initialize_parameters(*dims)


_OTHER = {"sigmoid": "relu", "relu": "sigmoid"}
_BACKWARD = {"sigmoid": reference.sigmoid_backward, "relu": reference.relu_backward}
_SHAPES_MISMATCH = ("not aligned", "mismatch in its core dimension")
_HARD_CODED = rule("right_on_the_lesson_only")
_CHANGES_ITS_INPUTS = rule("right_but_changes_its_inputs")
_COSTS_ONLY = rule("only_wrong_in", output="costs")

_RULES = {
    "sigmoid": {
        "sign_flipped": like(lambda Z: (1 / (1 + np.exp(Z)), Z)),
        "precedence": like(lambda Z: (1 + np.exp(-Z), Z)),
        "cache_is_A": like(lambda Z: (_sigmoid(Z), _sigmoid(Z))),
    },
    "relu": {
        "np_max": raises("only integer scalar arrays", "truth value of an array", "inhomogeneous"),
        "minimum": like(lambda Z: (np.minimum(0, Z), Z)),
        "returns_mask": like(lambda Z: ((Z > 0) * 1.0, Z)),
        "cache_is_A": like(lambda Z: (np.maximum(0, Z), np.maximum(0, Z))),
    },
    "relu_backward": {
        "mask_inverted": like(lambda dA, Z: np.where(Z > 0, 0, dA)),
        "unmasked": like(lambda dA, Z: dA),
        "mask_of_dA": like(lambda dA, Z: np.where(dA <= 0, 0, dA)),
        "returns_mask": like(lambda dA, Z: (Z > 0) * 1.0),
        "aliasing": _CHANGES_ITS_INPUTS,
    },
    "sigmoid_backward": {
        "dA_left_out": like(lambda dA, Z: _sigmoid(Z) * (1 - _sigmoid(Z))),
        "one_minus_s_left_out": like(lambda dA, Z: dA * _sigmoid(Z)),
        "slope_of_Z": like(lambda dA, Z: dA * Z * (1 - Z)),
    },
    "initialize_parameters": {
        "no_scale": rule("scaled_by", factor="100"),
        "W_transposed": rule("W_transposed"),
        "W_zeros": rule("W_zeros"),
        "b_not_zeros": rule("b_not_zeros"),
        "b_wrong_shape": rule("b_wrong_shape"),
    },
    "initialize_parameters_deep": {
        "no_scale": rule("scaled_by", factor="100"),
        "W_transposed": rule("W_transposed"),
        "b_not_zeros": rule("b_not_zeros"),
        "b_wrong_shape": rule("b_wrong_shape"),
        "loop_off_by_one": rule("layers_off_by_one"),
    },
    "initialize_parameters_deep_scaled": {
        "scale_0_01": rule("scaled_by", factor="sqrt(p) * 0.01"),
        "sqrt_of_n_l": rule("scaled_by", factor="sqrt(p / n)"),
        "no_sqrt": rule("scaled_by", factor="1 / sqrt(p)"),
        "W_transposed": rule("W_transposed"),
        "b_not_zeros": rule("b_not_zeros"),
    },
    "linear_forward": {
        "product_order": rule("any", of=[raises(*_SHAPES_MISMATCH), rule("Z_looks_transposed")]),
        "elementwise": like(lambda A, W, b: (W * A + b, (A, W, b)), lambda A, W, b: (A * W + b, (A, W, b))),
        "b_left_out": like(_with_output(reference.linear_forward, 0, lambda outputs, A, W, b: outputs[0] - b)),
        "b_broadcast": like(*(lambda A, W, b, shaped=shaped: (np.dot(W, A) + shaped(b), (A, W, b)) for shaped in (
            lambda b: b.T, lambda b: b[0], lambda b: b.reshape(-1), lambda b: b[0, 0]))),
        "cache_order": like(_with_output(reference.linear_forward, 1, lambda outputs, A, W, b: (W, A, b)),
                            _with_output(reference.linear_forward, 1, lambda outputs, A, W, b: (A, W))),
    },
    "linear_activation_forward": {
        "activations_swapped": like(lambda A_prev, W, b, activation: reference.linear_activation_forward(
            A_prev, W, b, _OTHER[activation])),
        "activation_ignored": like(*(lambda A_prev, W, b, activation, g=g: reference.linear_activation_forward(
            A_prev, W, b, g) for g in ("sigmoid", "relu"))),
        "returns_Z": like(_with_output(reference.linear_activation_forward, 0,
                                       lambda outputs, *args, **kw: outputs[1][1])),
        "cache_order": like(_with_output(reference.linear_activation_forward, 1,
                                         lambda outputs, *args, **kw: outputs[1][::-1])),
    },
    "L_model_forward": {
        "output_relu": like(_forward(output="relu")),
        "hidden_sigmoid": like(_forward(hidden="sigmoid")),
        "L_not_halved": like(_forward(count=len)),
        "last_cache_missing": like(_forward(keep_last=False)),
        "hidden_caches_missing": like(_forward(keep_hidden=False)),
        "hard_coded_layers": _HARD_CODED,
        "X_to_every_layer": like(_forward(feed_X=True)),
        "loop_off_by_one": like(*(_forward(layers=layers) for layers in (
            lambda L: range(1, L - 1), lambda L: range(L), lambda L: range(1, L + 1), lambda L: range(2, L)))),
    },
    "compute_cost": {
        "no_minus": like(lambda AL, Y: -reference.compute_cost(AL, Y)),
        "no_1_over_m": like(lambda AL, Y: reference.compute_cost(AL, Y) * Y.shape[1]),
        "only_y_log_a": like(lambda AL, Y: -np.sum(Y * np.log(AL)) / Y.shape[1]),
        "not_squeezed": like(lambda AL, Y: np.reshape(reference.compute_cost(AL, Y), (1, 1))),
        "dot_shapes": raises(*_SHAPES_MISMATCH),
    },
    "linear_backward": {
        "dW_no_1_over_m": like(_with_output(reference.linear_backward, 1,
                                            lambda out, dZ, cache: out[1] * dZ.shape[1])),
        "db_sum": like(*(_with_output(reference.linear_backward, 2, change) for change in (
            lambda out, dZ, cache: np.sum(dZ) / dZ.shape[1],
            lambda out, dZ, cache: np.sum(dZ, axis=1) / dZ.shape[1],
            lambda out, dZ, cache: np.sum(dZ, axis=0, keepdims=True) / dZ.shape[1]))),
        "db_no_1_over_m": like(_with_output(reference.linear_backward, 2,
                                            lambda out, dZ, cache: out[2] * dZ.shape[1])),
        "dW_transposed": like(_with_output(reference.linear_backward, 1, lambda out, dZ, cache: out[1].T)),
        "dA_prev_transposed": like(_with_output(reference.linear_backward, 0, lambda out, dZ, cache: out[0].T)),
        "dA_prev_1_over_m": like(_with_output(reference.linear_backward, 0,
                                              lambda out, dZ, cache: out[0] / dZ.shape[1])),
    },
    "linear_activation_backward": {
        "activations_swapped": like(lambda dA, cache, activation: reference.linear_activation_backward(
            dA, cache, _OTHER[activation])),
        "activation_ignored": like(*(lambda dA, cache, activation, g=g: reference.linear_activation_backward(
            dA, cache, g) for g in ("sigmoid", "relu"))),
        "dZ_skipped": like(lambda dA, cache, activation: reference.linear_backward(dA, cache[0])),
        "whole_cache": like(*(lambda dA, cache, activation, wrong=wrong: reference.linear_backward(
            _BACKWARD[activation](dA, cache if activation in wrong else cache[1]), cache[0])
            for wrong in (("sigmoid", "relu"), ("sigmoid",), ("relu",)))),
        "caches_swapped": like(
            lambda dA, cache, activation: reference.linear_backward(_BACKWARD[activation](dA, cache[0]), cache[1]),
            lambda dA, cache, activation: reference.linear_backward(_BACKWARD[activation](dA, cache[1]), cache[1])),
    },
    "L_model_backward": {
        "dAL_sign": like(_backward(dAL=lambda AL, Y: -_dAL(AL, Y))),
        "dAL_is_dZ": like(_backward(dAL=lambda AL, Y: AL - Y)),
        "hidden_sigmoid": like(_backward(hidden="sigmoid")),
        "output_relu": like(_backward(output="relu")),
        "hard_coded_layers": _HARD_CODED,
        "layer_index_off_by_one": rule("any", of=[raises("'dW0'", "'db0'", "'W0'", "'b0'", kinds=("KeyError",)),
                                                  like(_backward(shift=0))]),
        "loop_index": rule("any", of=[raises(kinds=("KeyError", "IndexError")),
                                      like(_backward(layers=lambda L: reversed(range(1, L - 1))))]),
    },
    "update_parameters": {
        "in_place": _CHANGES_ITS_INPUTS,
        "plus": like(_update(sign=+1)),
        "no_learning_rate": like(_update(rate=lambda learning_rate: 1)),
        "b_not_updated": like(_update(update_b=False)),
        "L_not_halved": like(_update(count=len)),
        "hard_coded_layers": _HARD_CODED,
        "layer_index_off_by_one": raises("'W0'", "'b0'", "'dW0'", "'db0'", kinds=("KeyError",)),
    },
    "two_layer_model": {
        "not_updated": like(_model(_two_layer_init, assign=False)),
        "learning_rate_ignored": like(_model(_two_layer_init, rate=0.0075)),
        "wrong_init": like(_model(reference.initialize_parameters_deep),
                           _model(reference.initialize_parameters_deep_scaled)),
        "backward_activations_swapped": like(_two_layer_swapped_backward),
        "cost_after_update": like(_model(_two_layer_init, cost_after_update=True)),
        "costs_wrong_iterations": _COSTS_ONLY,
    },
    "L_layer_model": {
        "not_updated": like(_model(reference.initialize_parameters_deep_scaled, assign=False)),
        "init_0_01": like(_model(reference.initialize_parameters_deep)),
        "learning_rate_ignored": like(_model(reference.initialize_parameters_deep_scaled, rate=0.0075)),
        "cost_after_update": like(_model(reference.initialize_parameters_deep_scaled, cost_after_update=True)),
        "costs_wrong_iterations": _COSTS_ONLY,
    },
    "predict": {
        "probabilities": like(lambda X, y, parameters: reference.L_model_forward(X, parameters)[0]),
        "threshold_inverted": like(lambda X, y, parameters: (reference.L_model_forward(X, parameters)[0] < 0.5)
                                   * 1.0),
        "flat_shape": like(lambda X, y, parameters: (reference.L_model_forward(X, parameters)[0][0] > 0.5) * 1.0),
    },
}

MISTAKES = {name: [mistake(name, id, spec) for id, spec in rules.items()] for name, rules in _RULES.items()}
