"""nbgrader configuration of the course folder (this repository is an nbgrader course root).

Plain ``nbgrader generate_assignment``, ``autograde``, ``generate_feedback`` and ``export``
work here; ``python -m autograder`` drives the same steps and adds the course's extras.
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "itlm"

# What a student sees where a solution was: a stub that says what to do.
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("Replace this line with your code.")'
}

# A warning printed by a student's (correct) code in a test cell must not cost points:
# nbgrader gives 0 to a test cell with anything on stderr unless it matches this pattern.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(Warning|warn\()"

# One test cell runs the visible tests and a hidden check whose student calls are limited to
# 20 s each (autograder/checks/core.py): a slow but correct answer still finishes.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

# A student who deleted a test or solution cell gets it back (and is graded on it) instead of
# silently losing those points from the gradebook.
c.OverwriteCells.add_missing_cells = True

# Files of over 20 MB beside a submitted notebook are junk for this course: `nbgrader submit`
# and `collect` skip them (max_file_size, in KB), and our grader renames any that arrive
# otherwise to <name>.too-large (said in the grades CSV), which autograde does not copy.
c.CourseDirectory.max_file_size = 20 * 1024
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.too-large"]

# Feedback shows the checks' teaching reports but never the hidden tests' source. Its pages
# are nbconvert's, written without nbconvert's slow re-parse of each page (autograder/feedback.py).
c.GenerateFeedback.exporter_class = "autograder.feedback.FeedbackHTMLExporter"
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "autograder.feedback.StripHiddenTests",
]

# Our grader (python -m autograder grade) runs autograde twice around its parallel sandbox;
# see autograder/isolated.py. Plain `nbgrader autograde` leaves this unset.
_phase = __import__("os").environ.get("ITLM_AUTOGRADE_PHASE")
if _phase == "export":
    c.Autograde.autograde_preprocessors = ["autograder.isolated.ExportSanitized"]
elif _phase == "cached":
    c.Autograde.autograde_preprocessors = [
        "autograder.isolated.CachedExecute",
        "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor",
        "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.SaveAutoGrades",
        "nbgrader.preprocessors.AssignLatePenalties",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
