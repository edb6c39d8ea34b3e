"""Every picture of the notebooks, drawn with matplotlib: pictures in and out, drawings of networks, curves.

`from companion.plots import show_images, plot_costs, ...` gives them all; each sub-module holds one kind.
"""
from companion.plots.canvas import use_palette
from companion.plots.described import Numbers, describe, figure_description, install
from companion.plots.curves import (plot_costs, plot_depth_margins, plot_layer_scales, plot_lines,
                                    plot_panels, plot_relative_errors, show_depth_margins, show_runs)
from companion.plots.networks import draw_layer_graph, draw_network, draw_units, plot_decision_regions
from companion.plots.pictures import load_image, print_mislabeled_images, show_images

__all__ = ["Numbers", "describe", "figure_description", "plot_costs", "plot_depth_margins", "plot_layer_scales", "plot_lines", "plot_panels",
           "plot_relative_errors", "show_depth_margins", "show_runs", "draw_layer_graph", "draw_network", "draw_units",
           "plot_decision_regions", "load_image", "print_mislabeled_images", "show_images"]

use_palette()  # the lessons' colours (companion/plots/canvas.py)
install()  # in IPython, every Figure is shown with its description (see companion/plots/described.py)
