"""Feedback never shows hidden tests."""

import nbformat

from autograder.feedback import PLACEHOLDER, StripHiddenTests, strip_hidden_tests
from autograder.notebook import test_cell as make_test_cell


def test_hidden_region_is_replaced_by_a_note():
    """Is everything between the hidden-test markers removed, the visible part kept?"""
    cell = make_test_cell("entropy", 3, 'expect_close(entropy([1.0]), 0.0, "certain")')
    stripped = strip_hidden_tests(cell.source)
    assert "expect_close(entropy([1.0])" in stripped
    assert "HIDDEN" not in stripped and "check(" not in stripped and "autograder" not in stripped
    assert PLACEHOLDER in stripped


def test_tracebacks_in_test_cells_are_cut_to_their_message():
    """Is a traceback through hidden code reduced to its final message?"""
    cell = make_test_cell("entropy", 3, "pass")
    cell.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="✗ a fair coin",
            traceback=["\x1b[31mTraceback\x1b[0m", "check('entropy', entropy)  # hidden line"],
        )
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb, _ = StripHiddenTests().preprocess(nb, {})
    assert nb.cells[0].outputs[0]["traceback"] == ["AssertionError: ✗ a fair coin"]


def test_other_cells_are_untouched():
    """Are markdown and ordinary code cells left as they are?"""
    code = nbformat.v4.new_code_cell("x = 1  # BEGIN HIDDEN TESTS is just text here")
    nb = nbformat.v4.new_notebook(cells=[code])
    nb, _ = StripHiddenTests().preprocess(nb, {})
    assert nb.cells[0].source == code.source
