"""The student edition's setup: its own pinned requirements (what a learner's JupyterLab needs, none of the
instructor's tools), complete (every package a pinned one needs is pinned too, so a fresh install takes
nothing unpinned), one setup command and one launch command in its README.

The setup itself, on a clean machine (a fresh venv from the edition's requirements.txt alone, JupyterLab
started, no nbgrader extension listed), is `make student-check` (tests/student_setup_check.py): it downloads
and installs about 450 MB, too long for every run of the suite."""
import importlib.metadata
import re

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import grading
from grading.student import STUDENT_README, STUDENT_REQUIREMENTS

LEARNERS = ("numpy", "h5py", "matplotlib", "pillow", "jupyterlab", "ipywidgets", "ipykernel")
INSTRUCTORS = ("nbgrader", "voila", "dask", "distributed", "pytest", "playwright", "nbval", "hypothesis", "tqdm")


def pins(text):
    """{canonical name: version} of the requirement lines of `text`; every one must be pinned with ==."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+-]+", line) for line in lines), lines
    return {canonicalize_name(line.split("==")[0]): line.split("==")[1] for line in lines}


@pytest.fixture(scope="module")
def student_pins():
    return pins(STUDENT_REQUIREMENTS.read_text())


def test_the_learners_packages_are_pinned_as_the_project_pins_them_and_no_instructors_tool(student_pins):
    project = pins((grading.PROJECT / "requirements.txt").read_text())
    assert all(student_pins.get(name) == project[name] for name in LEARNERS), student_pins
    assert not set(INSTRUCTORS) & set(student_pins)
    assert not [name for name in student_pins if "nbgrader" in name or name.startswith(("pytest", "voila"))]


def test_every_package_a_pinned_one_needs_is_pinned(student_pins):
    """From the installed packages' own metadata (the project's environment holds the same versions): the
    requirements of each pinned package that apply here (no extras) are pinned too."""
    unpinned = {}
    for name, version in student_pins.items():
        installed = importlib.metadata.distribution(name)
        assert installed.version == version, (name, installed.version, version)
        for line in installed.requires or []:
            needed = Requirement(line)
            if needed.marker is None or needed.marker.evaluate({"extra": ""}):
                if canonicalize_name(needed.name) not in student_pins:
                    unpinned.setdefault(name, []).append(needed.name)
    assert not unpinned, unpinned


def test_the_readme_has_one_setup_and_one_launch_command():
    readme = STUDENT_README
    commands = [line.strip() for line in readme.split("## Setting up", 1)[1].split("##", 1)[0].splitlines()
                if line.startswith("    ")]
    assert commands == ["python3 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt && "
                        ".venv/bin/jupyter labextension disable --level=sys_prefix "
                        "@jupyterlab/apputils-extension:announcements",
                        ".venv/bin/jupyter lab"], commands
    assert "nbgrader" not in readme.split("## How your notebooks are graded", 1)[0]

