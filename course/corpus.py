"""The course corpus: about 1 MB of public-domain Shakespeare, shipped with the course.

>>> from course.corpus import load_corpus, PLAYS
>>> text = load_corpus()
>>> len(PLAYS), len(text) > 1_000_000
(8, True)

See ``course/data/PROVENANCE.md`` for where the text comes from and how it was extracted.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "shakespeare"

# The order in which ``load_corpus`` concatenates the plays (The Tempest last, so that the
# usual 90/10 split holds out the end of the corpus).
PLAYS = (
    "hamlet",
    "macbeth",
    "romeo_and_juliet",
    "king_lear",
    "othello",
    "a_midsummer_nights_dream",
    "twelfth_night",
    "the_tempest",
)


@cache
def load_play(name: str) -> str:
    """Return the full text of one play, e.g. ``load_play("hamlet")``."""
    if name not in PLAYS:
        raise ValueError(f"unknown play {name!r}; the corpus has: {', '.join(PLAYS)}")
    return (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8")


def load_corpus(plays: tuple[str, ...] | list[str] | None = None) -> str:
    """Return the plays (all of them by default) joined by a blank line, in ``PLAYS`` order."""
    names = PLAYS if plays is None else tuple(plays)
    return "\n".join(load_play(name) for name in names)


def train_validation_split(text: str, fraction: float = 0.9) -> tuple[str, str]:
    """Split ``text`` into its first ``fraction`` and the rest (the nanoGPT convention).

    >>> train_validation_split("abcdefghij", 0.8)
    ('abcdefgh', 'ij')
    """
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be strictly between 0 and 1 (got {fraction})")
    cut = int(len(text) * fraction)
    return text[:cut], text[cut:]


def letters_and_space(text: str) -> str:
    """Reduce ``text`` to Shannon's 27-symbol alphabet: lowercase a-z and single spaces.

    Every run of characters that are not letters (digits, punctuation, newlines) becomes one
    space, as in Shannon's 1951 experiments.

    >>> letters_and_space("To be, or not to be: that is the question.")
    'to be or not to be that is the question '
    """
    return re.sub(r"[^a-z]+", " ", text.lower())


def words(text: str) -> list[str]:
    """Lowercase word tokens (letters and inner apostrophes).

    >>> words("'Tis now struck twelve. Get thee to bed, Francisco.")
    ['tis', 'now', 'struck', 'twelve', 'get', 'thee', 'to', 'bed', 'francisco']
    """
    return re.findall(r"[a-z]+(?:'[a-z]+)*", text.lower())
