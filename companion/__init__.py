"""The course companion's machinery, one idea per module, beside the course's dnn_utils.py and testCases.py.

    arguments       the argument checks behind every function of dnn_utils: clear errors for bad input
    plain           plain data as JSON: the stored checks' data and the grader's messages to and from its jail
    kept            the learner's functions kept for the later notebooks (student edition)
    progress        a line that says how far a long loop has got, while a training cell runs
    feedback/       how a check reaches its verdict: cases and outcomes, rules, hints, the stored checks
    solutions/      built on the reference solutions: the fast training engine, the mistaken versions
                    (never in the student edition)
    plots/          every picture of the notebooks
    widgets/        the layer-shapes explorer and the live cost trainer, with the trainer's runs
"""
