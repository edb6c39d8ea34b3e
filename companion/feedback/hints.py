"""Hints for the exercises, and what each mistake a check can recognise means, in the lesson's notation.

`hint("linear_forward")` prints the next of up to three hints for a function, each more detailed than the
last: the idea, the formula, then the shapes. The explanations of the mistakes (EXPLANATIONS[name][id]) name
the mistake and the formula it breaks, in the lesson's math notation, never a line of code to paste.
Notation: A^[l], Z^[l], W^[l], b^[l] for layer l; n^[l] its number of units; m the number of examples;
σ the sigmoid, g a layer's activation, * the product entry by entry, α the learning rate.
"""
HINTS = {
    "sigmoid": (
        "The sigmoid squashes every entry of Z into (0, 1), entry by entry; the cache keeps Z for the backward "
        "pass.",
        "A = σ(Z) = 1 / (1 + e^(-Z)), applied to each entry; numpy's exponential works on whole arrays.",
        "A has the shape of Z; return (A, Z).",
    ),
    "relu": (
        "ReLU keeps the positive entries of Z and sets the others to 0, entry by entry.",
        "A = max(0, Z) entry by entry: numpy has a maximum that compares two arrays (or an array and a number) "
        "entry by entry, unlike the maximum of a whole array.",
        "A has the shape of Z; return (A, Z).",
    ),
    "relu_backward": (
        "The gradient passes through ReLU where its input was positive, and stops where it was not.",
        "dZ = dA * g'(Z), with g'(Z) = 1 where Z > 0 and 0 where Z <= 0.",
        "dZ has the shape of dA and Z; start from a copy of dA, so that dA itself is not changed.",
    ),
    "sigmoid_backward": (
        "Multiply the incoming gradient by the sigmoid's slope at Z (the cache holds Z, not σ(Z)).",
        "s = σ(Z), then dZ = dA * s(1 - s).",
        "dZ, dA, Z and s all have the same shape.",
    ),
    "initialize_parameters": (
        "Small random weights break the symmetry between units; the biases can start at zero.",
        "W^[1], W^[2]: standard normal entries times 0.01 (seed first); b^[1], b^[2]: zeros.",
        "W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1): one row per unit of the layer.",
    ),
    "initialize_parameters_deep": (
        "Do for every layer l = 1, ..., L what initialize_parameters does for two.",
        "W^[l]: standard normal entries times 0.01, b^[l] = 0, for l = 1 to L, where layer_dims holds "
        "L + 1 sizes.",
        "W^[l] is (n^[l], n^[l-1]) = (layer_dims[l], layer_dims[l-1]) and b^[l] is (n^[l], 1); the keys are "
        "'W1', 'b1', ..., 'WL', 'bL'.",
    ),
    "initialize_parameters_deep_scaled": (
        "As initialize_parameters_deep, but scale each layer's weights so that Z^[l] keeps about the same "
        "spread from layer to layer.",
        "W^[l]: standard normal entries divided by √(n^[l-1]), b^[l] = 0.",
        "W^[l] is (n^[l], n^[l-1]) and b^[l] is (n^[l], 1); n^[l-1] is the previous layer's size.",
    ),
    "linear_forward": (
        "A layer's linear part is a matrix product plus the biases, broadcast over the m examples.",
        "Z^[l] = W^[l] A^[l-1] + b^[l] (a matrix product, not a product entry by entry: numpy's dot method or "
        "function, or the @ operator).",
        "W (n^[l], n^[l-1]) times A (n^[l-1], m) gives Z (n^[l], m); b (n^[l], 1) is added to every column. "
        "The cache is (A, W, b).",
    ),
    "linear_activation_forward": (
        "A layer is its linear part followed by its activation: reuse linear_forward, then sigmoid or relu.",
        "Z^[l] = W^[l] A^[l-1] + b^[l], then A^[l] = g(Z^[l]) with g = σ or ReLU as `activation` says.",
        "A has shape (n^[l], m); the cache is (linear_cache, activation_cache) = ((A_prev, W, b), Z).",
    ),
    "L_model_forward": (
        "Chain the layers: L - 1 layers with ReLU, then one with the sigmoid; keep every layer's cache.",
        "A^[0] = X; A^[l] = ReLU(W^[l] A^[l-1] + b^[l]) for l = 1, ..., L-1; A^[L] = σ(W^[L] A^[L-1] + b^[L]). "
        "L is half the number of entries of parameters (a W and a b per layer).",
        "AL has shape (1, m); caches holds L caches, one per layer, in order.",
    ),
    "compute_cost": (
        "The cost is the mean over the examples of the cross-entropy loss, a single number.",
        "J = -(1/m) Σ_i [ y^(i) log a^(i) + (1 - y^(i)) log(1 - a^(i)) ].",
        "AL and Y are (1, m); a product of two rows needs one of them transposed (or a sum of the entry by "
        "entry product); return a number (a 0-d array), not a (1, 1) array.",
    ),
    "linear_backward": (
        "From dZ^[l], get the gradients of the layer's weights and biases, and the gradient to pass back.",
        "dW^[l] = (1/m) dZ^[l] A^[l-1]ᵀ,  db^[l] = (1/m) Σ_i dZ^[l](i) (a sum over the examples),  "
        "dA^[l-1] = W^[l]ᵀ dZ^[l].",
        "dW has the shape of W (n^[l], n^[l-1]), db that of b (n^[l], 1), kept as a column (np.sum along "
        "axis 1, the examples, with keepdims=True); dA_prev that of A_prev (n^[l-1], m), with no 1/m.",
    ),
    "linear_activation_backward": (
        "Undo the layer in reverse: first the activation, then the linear part.",
        "dZ^[l] = dA^[l] * g'(Z^[l]) (relu_backward or sigmoid_backward, with the activation cache), then "
        "linear_backward of dZ^[l] with the linear cache.",
        "cache is ((A_prev, W, b), Z): the activation's backward takes Z, linear_backward takes (A_prev, W, b).",
    ),
    "L_model_backward": (
        "Start from dA^[L], the derivative of each example's loss with respect to its output a^[L] (one "
        "column per example, no 1/m: the 1/m comes in linear_backward), go back through the sigmoid layer, "
        "then through the ReLU layers from L-1 down to 1.",
        "dA^[L] = -(Y / AL - (1 - Y) / (1 - AL)), entry by entry (numpy's / divides arrays entry by entry); "
        "layer L is 'sigmoid', layers L-1, ..., 1 are 'relu', each "
        "fed the dA its upper layer produced.",
        "caches[l - 1] belongs to layer l; grads gets dA^[l-1], dW^[l], db^[l] for every layer, under the keys "
        "'dA' + str(l - 1), 'dW' + str(l), 'db' + str(l).",
    ),
    "update_parameters": (
        "Gradient descent moves every parameter a small step against its gradient.",
        "W^[l] := W^[l] - α dW^[l] and b^[l] := b^[l] - α db^[l], for l = 1, ..., L.",
        "Each parameter keeps its shape; build a new dict (a copy) rather than changing the one passed in.",
    ),
    "two_layer_model": (
        "The training loop: initialise, then repeat forward pass, cost, backward pass, update.",
        "Each iteration: A1 = ReLU(W1 X + b1), A2 = σ(W2 A1 + b2), J, then the backward pass from dA2 "
        "through layer 2 ('sigmoid') and layer 1 ('relu'), then W := W - α dW for each parameter.",
        "Keep the result of update_parameters as the new parameters; costs gets the cost of iterations "
        "0, 100, 200, ...",
    ),
    "L_layer_model": (
        "The same loop as two_layer_model, with the L-layer functions.",
        "Start from initialize_parameters_deep_scaled(layers_dims); each iteration: L_model_forward, "
        "compute_cost, L_model_backward, update_parameters at rate α.",
        "Keep the result of update_parameters as the new parameters; costs gets the cost of iterations "
        "0, 100, 200, ...",
    ),
    "predict": (
        "Run the trained network forward and turn each probability into a label.",
        "ŷ = 1 where a^[L] > 0.5, else 0.",
        "p has the shape of AL, (1, m), with the labels as floats 0.0 and 1.0.",
    ),
}

_CACHE_IS_A = "the cache must hold Z, the activation's input, not A: the backward pass needs Z"
_HARD_CODED = ("right on the lesson's network but wrong on one of another depth: loop over the L layers "
               "(L is half the number of entries of parameters) instead of writing out a fixed number of them")
_NOT_UPDATED = ("the parameters are never updated: update_parameters returns a new dict and leaves its "
                "argument alone, so its result must become the parameters of the next iteration")
_RATE_IGNORED = "learning_rate is not used: the step must be α = the function's argument learning_rate"
_COSTS_WHEN = ("the parameters are right but the costs are not: keep the cost of iterations 0, 100, 200, ... "
               "whether print_cost is True or not")
_COST_AFTER = ("the cost is taken after the update, on the new parameters: costs[k] is then the cost of the "
               "iteration after 100k; take it from A^[L] of this iteration's forward pass, before "
               "update_parameters")
_L_FROM_PARAMETERS = "parameters holds two entries per layer (W and b): L is half its number of entries"

EXPLANATIONS = {
    "sigmoid": {
        "sign_flipped": "the sign in the exponent is flipped: σ(Z) = 1 / (1 + e^(-Z)), with a minus",
        "precedence": "the denominator is 1 + e^(-Z) as a whole: σ(Z) = 1 / (1 + e^(-Z)); without brackets the "
                      "division by 1 happens first, then e^(-Z) is added",
        "cache_is_A": _CACHE_IS_A,
    },
    "relu": {
        "np_max": "the maximum of a whole array (numpy's max, Python's max) is not ReLU: ReLU takes "
                  "max(0, z) for each entry z separately, with numpy's entry-by-entry maximum",
        "minimum": "this keeps the negative part of Z; ReLU keeps the positive part: max(0, z) entry by entry",
        "returns_mask": "1 where Z > 0 is ReLU's slope g'(Z), not ReLU itself: A = max(0, Z)",
        "cache_is_A": _CACHE_IS_A,
    },
    "relu_backward": {
        "mask_inverted": "the mask is inverted: the gradient passes where Z > 0 and is 0 where Z <= 0",
        "unmasked": "dZ is dA unchanged: dZ = dA * g'(Z) is 0 where Z <= 0 (ReLU's slope is 0 there)",
        "mask_of_dA": "the mask must come from Z, the cache, not from dA: dZ = 0 where Z <= 0",
        "returns_mask": "this is ReLU's slope g'(Z); dZ = dA * g'(Z) keeps dA where Z > 0 and is 0 elsewhere",
        "aliasing": "dA is changed: a second name for the same array is not a copy, so setting entries of dZ "
                    "to 0 changes dA too; start from a copy of dA",
    },
    "sigmoid_backward": {
        "dA_left_out": "dA is left out: dZ = dA * s(1 - s), the sigmoid's slope times dA",
        "one_minus_s_left_out": "the sigmoid's slope is s (1 - s), not s: dZ = dA * s(1 - s)",
        "slope_of_Z": "the cache holds Z, not the sigmoid's output: first s = σ(Z), then dZ = dA * s(1 - s)",
    },
    "initialize_parameters": {
        "no_scale": "the weights are not scaled: standard normal entries times 0.01",
        "W_transposed": "W1 must have shape (n_h, n_x) and W2 (n_y, n_h): one row per unit of the layer, one "
                        "column per input",
        "W_zeros": "the weights are all zeros: every unit then computes the same thing and learns the same "
                   "thing; start them random, standard normal times 0.01",
        "b_not_zeros": "the biases should start at zero, b of shape (n, 1)",
        "b_wrong_shape": "each b must be a column of shape (n, 1), not a flat array of n entries",
    },
    "initialize_parameters_deep": {
        "no_scale": "the weights are not scaled: W^[l] is standard normal of shape (n^[l], n^[l-1]) times 0.01",
        "W_transposed": "W^[l] must have shape (n^[l], n^[l-1]) = (layer_dims[l], layer_dims[l-1]), not "
                        "(n^[l-1], n^[l])",
        "b_not_zeros": "the biases should start at zero: b^[l] = 0 of shape (n^[l], 1)",
        "b_wrong_shape": "each b^[l] must be a column of shape (n^[l], 1)",
        "loop_off_by_one": "the loop over the layers is off by one: layer_dims holds L + 1 sizes, so there are "
                           "L layers, W1, b1, ..., WL, bL, for l = 1, ..., L",
    },
    "initialize_parameters_deep_scaled": {
        "scale_0_01": "these weights are scaled by 1 / √(n^[l-1]), not by 0.01",
        "sqrt_of_n_l": "divide by the square root of the previous layer's size, n^[l-1] = layer_dims[l-1], not "
                       "of this layer's",
        "no_sqrt": "divide by the square root of n^[l-1], not by n^[l-1] itself: W^[l] = randn / √(n^[l-1])",
        "W_transposed": "W^[l] must have shape (n^[l], n^[l-1]) = (layer_dims[l], layer_dims[l-1])",
        "b_not_zeros": "the biases should start at zero: b^[l] = 0 of shape (n^[l], 1)",
    },
    "linear_forward": {
        "product_order": "Z = W A: W (n^[l], n^[l-1]) comes first and A (n^[l-1], m) second in the matrix "
                         "product",
        "elementwise": "the product is taken entry by entry; the layer needs the matrix product W A",
        "b_left_out": "b is left out: Z = W A + b",
        "b_broadcast": "b is added in the wrong shape: b^[l] is a column (n^[l], 1), one bias per unit, added to "
                       "every column of W A; as a row, a flat array or a single entry, broadcasting adds the wrong "
                       "biases, or the shapes do not fit",
        "cache_order": "the cache must be the tuple (A, W, b), in that order",
    },
    "linear_activation_forward": {
        "activations_swapped": "the activations are swapped: activation='sigmoid' means A = σ(Z) and "
                               "activation='relu' means A = ReLU(Z)",
        "activation_ignored": "the activation argument is ignored: A = σ(Z) when it is 'sigmoid' and "
                              "A = ReLU(Z) when it is 'relu'",
        "returns_Z": "the function returns Z; it should return A = g(Z), the activation's output",
        "cache_order": "the cache must be (linear_cache, activation_cache) = ((A_prev, W, b), Z)",
    },
    "L_model_forward": {
        "output_relu": "the output layer must use the sigmoid (a probability): A^[L] = σ(Z^[L]); only the "
                       "hidden layers use ReLU",
        "hidden_sigmoid": "the hidden layers 1, ..., L-1 must use ReLU; only the output layer uses the sigmoid",
        "L_not_halved": _L_FROM_PARAMETERS,
        "last_cache_missing": "the output layer's cache is not kept: caches needs one cache per layer, L in all",
        "hidden_caches_missing": "the hidden layers' caches are not kept: every layer l = 1, ..., L-1 adds its "
                                 "cache in the loop, and layer L after it, L caches in all",
        "hard_coded_layers": _HARD_CODED,
        "X_to_every_layer": "every hidden layer is fed X: layer l takes A^[l-1], the activations of the layer "
                            "before it (A^[0] = X for the first one only)",
        "loop_off_by_one": "the loop over the hidden layers is off by one: the ReLU layers are l = 1, ..., L-1, "
                           "then layer L uses the sigmoid",
    },
    "compute_cost": {
        "no_minus": "the cost has no minus sign: J = -(1/m) Σ [y log(a) + (1 - y) log(1 - a)]",
        "no_1_over_m": "the cost is a sum, not a mean: J = -(1/m) Σ [...], divided by m",
        "only_y_log_a": "the cost has only the y log(a) term; add (1 - y) log(1 - a), the loss of the examples "
                        "labelled 0",
        "not_squeezed": "the cost is a (1, 1) array; it should be a number (numpy's squeeze turns it into one)",
        "dot_shapes": "a matrix product of two (1, m) rows does not exist: transpose the second one, (1, m) "
                      "times (m, 1), or sum the entry-by-entry product",
    },
    "linear_backward": {
        "dW_no_1_over_m": "dW has no 1/m: dW = (1/m) dZ A_prevᵀ",
        "db_sum": "db sums over the examples only, one value per unit, kept as a column (n^[l], 1): "
                  "db = (1/m) Σ_i dZ(i)",
        "db_no_1_over_m": "db has no 1/m: db = (1/m) Σ_i dZ(i)",
        "dW_transposed": "dW must have the shape of W, (n^[l], n^[l-1]): dW = (1/m) dZ A_prevᵀ",
        "dA_prev_transposed": "dA_prev must have the shape of A_prev, (n^[l-1], m): dA_prev = Wᵀ dZ",
        "dA_prev_1_over_m": "dA_prev has a 1/m it should not have: dA_prev = Wᵀ dZ, one column per example; "
                            "the 1/m comes in only in dW and db",
    },
    "linear_activation_backward": {
        "activations_swapped": "the activations are swapped: activation='relu' needs relu_backward and "
                               "'sigmoid' sigmoid_backward",
        "activation_ignored": "the activation argument is ignored: relu_backward when it is 'relu', "
                              "sigmoid_backward when it is 'sigmoid'",
        "dZ_skipped": "dA goes straight into linear_backward: first dZ = dA * g'(Z) (relu_backward or "
                      "sigmoid_backward with the activation cache), then linear_backward of dZ",
        "whole_cache": "the activation's backward step gets the whole cache: it needs the activation cache Z "
                       "alone (the second item), and linear_backward the linear cache (A_prev, W, b), the first",
        "caches_swapped": "the two caches are swapped: the activation's backward takes activation_cache (Z) "
                          "and linear_backward takes linear_cache (A_prev, W, b)",
    },
    "L_model_backward": {
        "dAL_sign": "dAL has its sign flipped: dA^[L] = -(Y / AL - (1 - Y) / (1 - AL))",
        "dAL_is_dZ": "AL - Y is dZ^[L] of the output layer, not dA^[L]: start from "
                     "dA^[L] = -(Y / AL - (1 - Y) / (1 - AL)) and let the sigmoid's backward do the rest",
        "hidden_sigmoid": "the hidden layers use ReLU, so their backward pass is 'relu'; only layer L is "
                          "'sigmoid'",
        "output_relu": "the output layer uses the sigmoid, so its backward pass is 'sigmoid'",
        "hard_coded_layers": _HARD_CODED,
        "layer_index_off_by_one": "the layer numbers are off by one: the loop variable l counts from 0, and "
                                  "caches[l] belongs to layer l + 1, whose gradients are dW^[l+1] and db^[l+1] "
                                  "(there is no layer 0)",
        "loop_index": "the loop over the hidden layers is off: for l = L-1, ..., 1, layer l uses caches[l - 1] "
                      "and dA^[l] (from layer l + 1), and gives dA^[l-1], dW^[l], db^[l]",
    },
    "update_parameters": {
        "in_place": "the parameters passed in are changed: work on a copy of the dict and build new arrays, "
                    "W := W - α dW, instead of changing them in place",
        "plus": "gradient descent steps against the gradient: W := W - α dW, with a minus",
        "no_learning_rate": "the step has no learning rate: W := W - α dW",
        "b_not_updated": "b is not updated: b^[l] := b^[l] - α db^[l], for every layer",
        "L_not_halved": _L_FROM_PARAMETERS,
        "hard_coded_layers": _HARD_CODED,
        "layer_index_off_by_one": "the layer numbers are off by one: the loop variable l counts from 0, so "
                                  "it updates layer l + 1, W^[l+1] and b^[l+1] (there is no layer 0)",
    },
    "two_layer_model": {
        "not_updated": _NOT_UPDATED,
        "learning_rate_ignored": _RATE_IGNORED,
        "wrong_init": "the two-layer model starts from initialize_parameters(n_x, n_h, n_y)",
        "backward_activations_swapped": "the backward step's activations are swapped: layer 2 is the sigmoid "
                                        "layer and layer 1 the ReLU layer, going back as going forward",
        "cost_after_update": _COST_AFTER,
        "costs_wrong_iterations": _COSTS_WHEN,
    },
    "L_layer_model": {
        "not_updated": _NOT_UPDATED,
        "init_0_01": "a deep network starts from initialize_parameters_deep_scaled (randn / √(n^[l-1])), not "
                     "initialize_parameters_deep (randn times 0.01)",
        "learning_rate_ignored": _RATE_IGNORED,
        "cost_after_update": _COST_AFTER,
        "costs_wrong_iterations": _COSTS_WHEN,
    },
    "predict": {
        "probabilities": "predict returns the probabilities AL; it should return 0/1 labels, 1 where "
                         "AL > 0.5, as floats",
        "threshold_inverted": "the threshold is inverted: a label is 1 where AL > 0.5",
        "flat_shape": "p must have shape (1, m), like AL and y, not (m,): keep the row",
    },
}

# The notebook of each exercise (the student edition reads the same from its checks' data)
NOTEBOOKS = {name: notebook for notebook, names in (
    ("01_initialization.ipynb", ("initialize_parameters", "initialize_parameters_deep",
                                 "initialize_parameters_deep_scaled")),
    ("02_forward_propagation.ipynb", ("sigmoid", "relu", "linear_forward", "linear_activation_forward",
                                      "L_model_forward", "compute_cost")),
    ("03_backward_propagation.ipynb", ("relu_backward", "sigmoid_backward", "linear_backward",
                                       "linear_activation_backward", "L_model_backward", "update_parameters")),
    ("04_two_layer_model.ipynb", ("two_layer_model", "predict")),
    ("05_L_layer_model.ipynb", ("L_layer_model",))) for name in names}

_given = {}  # how many hints of each function were given so far


def hint(name):
    """Print the next hint for the function `name` (idea, then formula, then shapes); return None, so that a
    cell ending with hint(...) shows it once."""
    if name not in HINTS:
        raise ValueError(f"hint: name={name!r} is not an exercise; expected one of {', '.join(HINTS)}")
    hints = HINTS[name]
    index = min(_given.get(name, 0), len(hints) - 1)
    _given[name] = index + 1
    kind = ("idea", "formula", "shapes")[index]
    more = (f" (call hint({name!r}) again for the next one)" if index + 1 < len(hints)
            else " (that is the last hint)")
    text = f"{name}, hint {index + 1} of {len(hints)} ({kind}): {hints[index]}{more}"
    print(text)


def hints_note(name):
    """The line a failing check ends with: hints exist."""
    return f"stuck? hint({name!r}) gives a hint, one more each time (up to {len(HINTS[name])})"
