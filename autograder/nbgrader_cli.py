"""nbgrader's own command line, started 1.5 s sooner: ``python -m autograder.nbgrader_cli``.

``import nbgrader`` imports ``jsonschema``, whose optional IRI format checker imports
``rfc3987-syntax`` (installed with Jupyter's ``jsonschema[format-nongpl]``), which builds
dozens of Lark grammars at import time: about 1.5 s of the 2.8 s nbgrader takes to start on
the 2-core machine. Notebook validation never uses those formats, so this entry point makes
that one optional import unavailable and runs nbgrader's ``main`` unchanged. Our grader
starts several nbgrader processes per assignment (sanitize, record and feedback, one per
core each), so this saves several seconds of CPU per assignment.
"""

import sys

if __name__ == "__main__":
    sys.modules.setdefault("rfc3987_syntax", None)  # `import rfc3987_syntax` -> ImportError
    from nbgrader.apps.nbgraderapp import main

    sys.argv[0] = "nbgrader"
    sys.exit(main())
