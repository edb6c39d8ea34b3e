"""The student edition set up as its README says, on a clean machine: `make student-check`.

Builds the edition in a temporary folder, makes a fresh venv there with the README's setup command (the
edition's requirements.txt alone, no package of the project's environment), starts JupyterLab with the
README's launch command and waits until it answers, then asks `jupyter labextension list` and `jupyter server
extension list` what is installed: nothing of nbgrader may be. Prints how long the setup took and the load
beside it; stops JupyterLab and removes the folder. Exit status 0 when every check holds.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from grading.student import STUDENT_README, build_student  # noqa: E402

PORT = 8897


def readme_commands():
    """The README's setup and launch commands (its indented lines under 'Setting up')."""
    part = STUDENT_README.split("## Setting up", 1)[1].split("##", 1)[0]
    setup, launch = [line.strip() for line in part.splitlines() if line.startswith("    ")]
    return setup, launch


def main():
    setup, launch = readme_commands()
    work = Path(tempfile.mkdtemp(prefix="student-check-"))
    lab = None
    try:
        folder = build_student(work / "student")
        env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in p)
        load, started = os.getloadavg()[0], time.perf_counter()
        subprocess.run(setup, shell=True, cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
        took = time.perf_counter() - started
        print(f"setup: {took:.0f} s (load {load:.1f} before, {os.getloadavg()[0]:.1f} after)")
        root = ["--allow-root"] if os.geteuid() == 0 else []
        lab = subprocess.Popen(launch.split() + ["--no-browser", f"--port={PORT}", "--ServerApp.token=check"]
                               + root, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/lab?token=check", timeout=2) as page:
                    if page.status == 200:
                        break
            except OSError:
                time.sleep(1)
        else:
            raise SystemExit("JupyterLab did not answer within 2 minutes")
        print("JupyterLab answered")
        listed = ""
        for command in (["labextension", "list"], ["server", "extension", "list"]):
            done = subprocess.run([str(folder / ".venv" / "bin" / "jupyter")] + command, cwd=folder, env=env,
                                  capture_output=True, text=True, check=True)
            listed += done.stdout + done.stderr
        print(listed)
        if "nbgrader" in listed.lower():
            raise SystemExit("nbgrader is listed among the learner's extensions")
        print("no nbgrader extension: ok")
    finally:
        if lab is not None:
            os.killpg(lab.pid, signal.SIGTERM)
            lab.wait(30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
