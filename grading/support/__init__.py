"""The functions a graded function builds on, answered from outside its jail.

A jail never holds the library's code (see docs/grading.md, "What a jail holds"): each function the graded one
is given (verdict.support) is, inside the jail, a stub that sends its arguments to a process of the grader's
beside the jail (answer.py), which runs the library's own function on them and sends back its outputs only.
"""
from .answer import Answerer, CALL_BYTES, ANSWER_BYTES

__all__ = ["Answerer", "CALL_BYTES", "ANSWER_BYTES"]
