"""The learning platforms a term's hand-ins come from, one module each: how the platform names and dates what it
writes (canvas.py, blackboard.py, nbgrader.py) and how a name it writes is compared with the roster's
(names.py). Only the platform's own part of a name or its own receipt decides a hand-in's owner and time:
nothing a learner writes (a file's own name, a file beside it, a file's modification time) does."""
