"""Widgets for learners and for classroom demos: the layer-shapes explorer and the live cost trainer.

`from companion.widgets import shape_explorer, print_shapes, cost_trainer, descent, stored_runs` gives what the
notebooks use; `descent` is the gradient descent the trainer steps through, one step() at a time, and
`stored_runs` the trainer's runs that a notebook replays, as stored with the course.
"""
from companion.widgets.explorer import print_shapes, shape_explorer
from companion.widgets.runs import descent, stored_runs
from companion.widgets.trainer import cost_trainer

__all__ = ["shape_explorer", "print_shapes", "cost_trainer", "descent", "stored_runs"]
