"""CapOutputs: every output type capped per cell and per notebook, made inert, errors never lost."""
from nbformat.v4 import new_code_cell, new_notebook, new_output

from ninja_autograde.preprocessors import CapOutputs


def cell(*outputs):
    c = new_code_cell("x")
    c.outputs = list(outputs)
    return c


def html(text):
    return new_output("display_data", data={"text/html": text})


def error():
    return new_output("error", ename="AssertionError", evalue="wrong", traceback=["line"] * 100)


def test_an_error_survives_any_flood_and_its_traceback_is_cut():
    flood = [new_output("display_data", data={"text/plain": f"line {i}"}) for i in range(500)]
    nb = new_notebook(cells=[cell(*flood, error(), *flood)])
    out = CapOutputs(max_outputs=20).preprocess(nb, {})[0].cells[0].outputs
    errors = [o for o in out if o.output_type == "error"]
    assert len(errors) == 1 and len(errors[0].traceback) <= 21
    assert len(out) <= 22 and "more outputs removed" in out[-2].text


def test_active_outputs_become_plain_text():
    outputs = [html("<script>alert(1)</script>"),
               new_output("display_data", data={"image/svg+xml": "<svg><script>alert(2)</script></svg>"}),
               new_output("display_data", data={"application/javascript": "alert(3)", "text/plain": "<js>"}),
               new_output("display_data", data={"image/png": '"><script>alert(4)</script>'}),
               new_output("execute_result", data={"text/html": "<b>x</b>", "text/plain": "x"}, execution_count=1)]
    out = CapOutputs().preprocess(new_notebook(cells=[cell(*outputs)]), {})[0].cells[0].outputs
    assert all(set(o.data) == {"text/plain"} for o in out)
    assert [o.data["text/plain"] for o in out] == [
        "[text/html output removed by the grader]", "[image/svg+xml output removed by the grader]",
        "<js>", "[image/png output removed by the grader]", "x"]
    assert out[-1].output_type == "execute_result" and out[-1].execution_count == 1


def test_a_notebook_keeps_a_bounded_total_but_every_error():
    big = new_output("stream", name="stdout", text="y" * 10_000 + "\n")
    nb = new_notebook(cells=[cell(big, big) for _ in range(30)] + [cell(big, error())])
    cells = CapOutputs(max_cell_chars=15_000, max_notebook_chars=100_000).preprocess(nb, {})[0].cells
    kept = sum(len(o.get("text", "")) for c in cells for o in c.outputs if o.output_type == "stream")
    assert kept <= 100_000 + 60 * 50
    assert cells[-1].outputs[-1].output_type == "error"


def test_errors_of_added_cells_shrink_once_the_notebook_budget_is_spent():
    nb = new_notebook(cells=[cell(error()) for _ in range(1000)])
    cells = CapOutputs(max_notebook_chars=10_000).preprocess(nb, {})[0].cells
    assert all(c.outputs[0].output_type == "error" for c in cells)
    assert sum(len(l) for c in cells for l in c.outputs[0].traceback) < 10_000 + 1000 * 40
