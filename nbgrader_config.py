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

# Feedback shows the checks' teaching reports but never the hidden tests' source.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "autograder.feedback.StripHiddenTests",
]
