"""Quoting student data at the edges: ids nbgrader can use, terminal text, CSV cells.

    safe_id(b"a,b")           -> "a%2Cb"   (the folder and gradebook id nbgrader works with)
    display_id("a%2Cb")       -> "a,b"     (what the CSV, the report and the terminal show)
    printable("x\\x1b[2Jy")    -> "x\\\\x1b[2Jy" (no control character reaches a terminal)
    csv_cell("=HYPERLINK(..)") -> "'=HYPERLINK(..)" (no formula reaches a spreadsheet)

A student id is the name of a folder under ``submitted/``, chosen by whoever made the
folder (an LMS export, an archive, a student). nbgrader cannot use every name: it splits
``CourseDirectory.student_id_exclude`` on commas, finds each notebook with ``glob`` (so
``[``, ``]``, ``*`` and ``?`` match other students' folders), skips names starting with
``.``, and a name that is not UTF-8 cannot be written to its gradebook or our CSV. Such a
folder is renamed (by :mod:`autograder.grading`) to :func:`safe_id` of its name: every
byte that nbgrader cannot take is percent-encoded (``%`` itself too, so the mapping is
one-to-one and :func:`display_id` undoes it). Ordinary ids, including non-ASCII letters,
are left as they are; so is a name that already is such an encoding (``a%2Cb``, shown as
``a,b``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from urllib.parse import unquote_to_bytes

# Characters nbgrader cannot take in a student id (see the module docstring).
UNSAFE_IN_ID = set(",*?[]%\\/")
# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _unsafe_char(char: str) -> bool:
    return char in UNSAFE_IN_ID or not char.isprintable() or unicodedata.category(char) == "Zl"


def safe_id(name: str | bytes) -> str:
    """The id nbgrader will use for a folder named ``name`` (``name`` itself when it is safe).

    ``name`` may be the bytes of a folder name (``os.listdir(bytes)``), or a ``str`` from
    ``os.listdir(str)``, whose undecodable bytes are surrogate-escaped.
    """
    raw = name if isinstance(name, bytes) else os.fsencode(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    out = []
    if text is not None:
        for i, char in enumerate(text):
            edge = (i == 0 and char in ". ") or (i == len(text) - 1 and char.isspace())
            if _unsafe_char(char) or edge or char.isspace() and char != " ":
                out.append("".join(f"%{b:02X}" for b in char.encode("utf-8")))
            else:
                out.append(char)
        return "".join(out) or "%00"
    # Not UTF-8: keep printable ASCII, encode every other byte.
    for i, byte in enumerate(raw):
        char = chr(byte)
        if byte < 0x80 and not _unsafe_char(char) and not (i == 0 and char in ". "):
            out.append(char)
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def is_safe_id(name: str) -> bool:
    """Is ``name`` a :func:`safe_id` (of itself, or of the name it encodes)?"""
    try:
        return safe_id(unquote_to_bytes(name)) == name
    except UnicodeEncodeError:  # a surrogate-escaped byte: not UTF-8
        return False


def display_id(student: str) -> str:
    """The folder name a :func:`safe_id` came from, as printable text (undecodable bytes as
    ``\\xNN``, control characters escaped)."""
    if "%" not in student:
        return printable(student)
    return printable(unquote_to_bytes(student).decode("utf-8", "backslashreplace"))


_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def printable(text: object, *, newlines: bool = True) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\u202e``).

    Terminal escape sequences, carriage returns and bidirectional overrides from student
    data (ids, file names, messages) then print as visible text. Newlines and tabs are kept
    unless ``newlines`` is false.
    """
    text = str(text)
    if not newlines:
        text = text.replace("\n", "\\n").replace("\t", "\\t")
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a value starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading ``'`` (OWASP's rule for CSV injection).
    Numbers we write ourselves (``-0.5``) are left alone."""
    text = str(value)
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in {"nan", "inf", "-inf", "+inf"}
