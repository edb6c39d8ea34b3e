"""binder/ launches the repository on Binder or a JupyterHub (repo2docker) with the very versions pinned in
requirements.txt, the Python version the project is tested on, and the project's modules installed."""
import os
import re
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BINDER = PROJECT / "binder"


def requirement_lines(path):
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def test_binder_installs_the_pinned_requirements_themselves():
    assert requirement_lines(BINDER / "requirements.txt") == ["-r ../requirements.txt"]
    assert (BINDER / "../requirements.txt").resolve() == PROJECT / "requirements.txt"
    pins = requirement_lines(PROJECT / "requirements.txt")
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.]*", pin) for pin in pins), pins
    assert {"voila", "playwright", "jupyterlab", "ipywidgets"} <= {pin.split("==")[0] for pin in pins}


def test_binder_uses_the_projects_python():
    requires = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_post_build_installs_the_project_in_editable_mode():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    assert "python -m pip install --no-deps -e ." in post_build.read_text().splitlines()


def test_no_jupyter_news_pop_up_greets_learners():
    """JupyterLab's "Jupyter news" announcements plugin is turned off wherever the project sets JupyterLab up:
    make's environment, Binder, and the student edition's instructions."""
    plugin = "@jupyterlab/apputils-extension:announcements"
    assert f"jupyter labextension disable --level=sys_prefix {plugin}" in (BINDER / "postBuild").read_text()
    makefile = (PROJECT / "Makefile").read_text()
    disabling = [line for line in makefile.splitlines() if "labextension disable --level=sys_prefix" in line]
    assert f"NO_NEWS := {plugin}" in makefile and any("$(NO_NEWS)" in line.split() for line in disabling), disabling
    from grading.student import STUDENT_README
    assert f"labextension disable --level=sys_prefix {plugin}" in STUDENT_README
