"""Check cells reporting to a live lab, as learners run them: notebooks executed by nbclient in a real kernel,
in both editions, against the lab server started as README says. A joined notebook's outputs are those of the
same notebook not joined (bar the join's one line), and a server stopped during the run gets every event
once it is back."""
import csv
import io

import nbformat
import pytest
from nbclient import NotebookClient

import grading
from test_lab import LabServer, function_row

WRONG = '''import numpy as np

def linear_forward(A, W, b):
    Z = np.dot(W.T, A) + b
    return Z, (A, W, b)

check_linear_forward(linear_forward)'''
RIGHT = '''def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    return Z, (A, W, b)

check_linear_forward(linear_forward)'''
NOT_YET = '''def relu(Z):
    raise NotImplementedError()

check_relu(relu)'''


def notebook(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])


def text(cell):
    return "".join(output.get("text", "") + output.get("evalue", "") for output in cell.outputs)


def run(nb, folder, between=None):
    """Execute the cells of `nb` one by one in a fresh kernel whose folder is `folder`; between(index) is called
    before cell `index` runs. Returns the outputs' text, cell by cell."""
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if between:
                between(index)
            client.execute_cell(cell, index)
    return [text(cell) for cell in nb.cells]


def checks_of(lab, learner):
    status, exported, _ = lab.call("export.csv", token=lab.token)
    return [(row["function"], row["outcome"], row["attempt"], row["mistake ids"]) for row in
            csv.DictReader(io.StringIO(exported)) if row["learner"] == learner]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = LabServer(tmp_path_factory.mktemp("lab"), roster=False).start()
    yield server
    server.stop()


def test_a_joined_notebook_reports_each_check_and_prints_the_same(lab, tmp_path):
    code = lab.code("s001")
    join = f"from companion.lab import join; join('{lab.url}', '{code}')"
    checks = ("from testCases import check_linear_forward, check_relu", WRONG, RIGHT, NOT_YET,
              "from companion.lab import flush; flush(10)")
    joined = run(notebook(join, *checks), tmp_path)
    alone = run(notebook("pass", *checks), tmp_path)
    assert joined[0] == (f"Joined the lab at {lab.url} as s001. Each check shares its function, its outcome, the "
                         f"mistake it names and the time, never your code. To leave: from companion.lab import "
                         f"leave; leave()\n")
    assert joined[1:] == alone[1:]
    assert "likely mistake" in joined[2] and "all 2 checks passed" in joined[3]
    assert checks_of(lab, "s001") == [("", "joined", "1", ""), ("linear_forward", "failed", "1", "product_order"),
                                      ("linear_forward", "passed", "2", ""), ("relu", "not_written", "1", "")]
    view = lab.wait_for(lambda v: function_row(v, "linear_forward")["passed"] == 1)
    assert function_row(view, "linear_forward")["passed"] == 1
    assert function_row(view, "relu") == {"function": "relu", "notebook": "02_forward_propagation.ipynb",
                                          "passed": 0, "trying": 0, "not_started": 1}


def test_the_student_edition_joined_from_the_environment_resends_after_the_server_restarts(lab, tmp_path,
                                                                                           monkeypatch):
    edition = grading.build_student(tmp_path / "student")
    cells = ("import numpy as np\nfrom testCases import check_linear_forward", WRONG, RIGHT,
             "from companion.lab import flush; print(flush(20))")
    alone = run(notebook(*cells), edition)
    monkeypatch.setenv("DNN_LAB", f"{lab.url} {lab.code('s002')}")

    def stop_then_start(index):
        if index == 1:
            lab.stop()  # the lab goes away after the learner joined
        if index == 3:
            lab.start()  # and comes back before the end of the run

    joined = run(notebook(*cells), edition, stop_then_start)
    assert joined[0].startswith(f"Joined the lab at {lab.url} as s002. Each check shares")
    assert joined[1:3] == alone[1:3] and "likely mistake" in joined[1] and "passed" in joined[2]
    assert joined[3] == "True\n"  # everything queued while the lab was away was delivered
    assert checks_of(lab, "s002") == [("", "joined", "1", ""), ("linear_forward", "failed", "1", "product_order"),
                                      ("linear_forward", "passed", "2", "")]
