"""Known mistakes and alternative correct answers for every exercise.

One module per notebook, each defining

- ``MISTAKES``: a list of :class:`Mistake`, classic wrong answers. The hidden checks run them
  to *name* a student's mistake when the student's outputs match one, and the demo class turns
  each into a submission that must lose points on its own exercise only.
- ``ALTERNATIVES``: ``{exercise: [function, ...]}``, correct implementations written unlike
  the reference (another algorithm, loops instead of vectors, ...). Every one of them must
  earn full points; the tests hold the checks to that.

Every function here is self-contained (module-level ``math``, ``numpy as np`` and, for the
PyTorch notebook, ``torch`` only; other imports inside the body), because the demo pastes its
source into a notebook cell under the exercise's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mistake:
    """A classic wrong answer to one exercise."""

    exercise: str  # the graded function's name, e.g. "entropy"
    name: str  # short name shown to the student, e.g. "natural log instead of log2"
    hint: str  # one or two sentences: what went wrong and how to fix it
    fn: Callable  # the wrong implementation, same signature as the exercise
    # Other exercises written wrongly together with this one, {name: function}: e.g. a
    # floating-point arithmetic decoder that comes with the floating-point encoder. The demo
    # replaces them too, and expects losses on these exercises only.
    companions: dict[str, Callable] = field(default_factory=dict, hash=False)
