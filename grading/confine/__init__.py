"""What holds a jail to its share of the machine: its CPU cgroup (cpu.py) and the runs side by side or alone
(alone.py), the Python it runs, laid out where no path of the machine shows (environment.py), the self-probe
(probe.py) and a run seen from the grader (streams.py). The jail itself is grading/jail.py."""
