"""The live lab: during a session the instructor sees, as it happens, which learners passed each function's
check, who is trying, who has not started, which mistakes are being made and who has been stuck longest.

    python -m grading lab serve [--roster CSV] [--session NAME]   the lab server (cli.py; `make lab-server`)
    python -m grading lab codes roster.csv                         one join code per learner
    python -m grading lab token                                    the instructor's token and page address
    python -m grading lab export --session NAME                    a session's events as CSV
    python -m grading lab purge --session NAME                     delete a session's events

Learners join with one line in the first cell of a notebook, `from companion.lab import join; join(URL, CODE)`,
or with the environment variable DNN_LAB="URL CODE" (companion/lab.py). On a JupyterHub the lab runs as a hub
service (`lab serve --hub-group GROUP`, hub.py): learners are the hub's users (DNN_LAB="URL hub") and the page
opens through the hub's OAuth for the group's members. Each check cell then sends one event:
the function, passed or the mistakes found (their ids and words), the attempt and the time; never code. The
server never receives or runs code: only events.

One idea per file: events.py (what an event holds, validated), codes.py (the lab's secret, join codes and the
instructor's token), storage.py (SQLite or PostgreSQL behind one interface), board.py (events into the
instructor's view and CSV), limits.py (the rate per learner), page.py (the instructor's page), hub.py (the lab
as a JupyterHub service), app.py (the web application: routes, credentials, the live stream), cli.py (the
commands).
"""
