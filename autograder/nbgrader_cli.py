"""nbgrader's own command line, started sooner and with faster metadata checks:
``python -m autograder.nbgrader_cli``.

Two costs of nbgrader that are not nbgrader's work, removed without changing what it does:

- ``import nbgrader`` imports ``jsonschema``, whose optional IRI format checker imports
  ``rfc3987-syntax`` (installed with Jupyter's ``jsonschema[format-nongpl]``), which builds
  dozens of Lark grammars at import time: about 1.5 s of the 2.8 s nbgrader takes to start on
  the 2-core machine. Notebook validation never uses those formats, so that one optional
  import is made unavailable.
- nbgrader checks every nbgrader cell's metadata with ``jsonschema.validate(metadata,
  schema)``, which first checks the *schema* against its meta-schema, on every call: about a
  quarter of an ``autograde`` pass over small notebooks (profiled: 12.7 s of 53 s for 100
  students). :func:`validate` checks each schema once, then validates every instance with the
  same validator and raises the same error (``best_match`` of the same errors).

Our grader starts several nbgrader processes per assignment (sanitize, record and feedback,
one per core each), so both add up over a class.
"""

import sys


class _CachedSchemaChecks:
    """The ``jsonschema`` module as nbgrader's metadata validator sees it, with a
    :func:`validate` that checks each schema once (by identity: nbgrader loads its schema
    once per validator and never changes it)."""

    def __init__(self, jsonschema):
        self._jsonschema = jsonschema
        self._validators = {}

    def __getattr__(self, name):
        return getattr(self._jsonschema, name)

    def validate(self, instance, schema, cls=None, *args, **kwargs):
        if cls is not None or args or kwargs:  # not nbgrader's call: the original, unchanged
            return self._jsonschema.validate(instance, schema, cls, *args, **kwargs)
        entry = self._validators.get(id(schema))
        if entry is None or entry[0] is not schema:
            validator_class = self._jsonschema.validators.validator_for(schema)
            validator_class.check_schema(schema)
            entry = self._validators[id(schema)] = (schema, validator_class(schema))
        error = self._jsonschema.exceptions.best_match(entry[1].iter_errors(instance))
        if error is not None:
            raise error


def use_cached_schema_checks() -> None:
    """Point nbgrader's metadata validator at :class:`_CachedSchemaChecks`."""
    import jsonschema
    from nbgrader.nbgraderformat import common

    if common.jsonschema is jsonschema:
        common.jsonschema = _CachedSchemaChecks(jsonschema)


if __name__ == "__main__":
    sys.modules.setdefault("rfc3987_syntax", None)  # `import rfc3987_syntax` -> ImportError
    use_cached_schema_checks()
    from nbgrader.apps.nbgraderapp import main

    sys.argv[0] = "nbgrader"
    sys.exit(main())
