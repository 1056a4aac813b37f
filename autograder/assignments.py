"""The course's assignments and graded exercises: ids, reference modules and points.

This mirrors the tables of ``COURSE.md`` (a test holds the two together). Everything else
(the checks, the release, the grade export) reads points and order from here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Exercise:
    name: str  # the function the student writes; also the solution cell's grade_id
    points: float  # points of its test cell, grade_id ``test_<name>``

    @property
    def test_id(self) -> str:
        return f"test_{self.name}"


@dataclass(frozen=True)
class Assignment:
    id: str  # nbgrader assignment id, e.g. "01-entropy"
    title: str
    module: str  # the reference module in ``solutions/``
    exercises: tuple[Exercise, ...]

    @property
    def notebook(self) -> str:
        return f"{self.id}.ipynb"

    @property
    def source_path(self) -> Path:
        return REPO / "source" / self.id / self.notebook

    @property
    def total_points(self) -> float:
        return sum(e.points for e in self.exercises)

    def reference(self) -> ModuleType:
        return importlib.import_module(f"solutions.{self.module}")

    def exercise(self, name: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.name == name:
                return exercise
        raise KeyError(f"{self.id} has no exercise {name!r}")


def _exercises(*pairs: tuple[str, float]) -> tuple[Exercise, ...]:
    return tuple(Exercise(name, points) for name, points in pairs)


ASSIGNMENTS: dict[str, Assignment] = {
    a.id: a
    for a in [
        Assignment(
            "01-entropy",
            "Entropy: measuring surprise",
            "entropy",
            _exercises(
                ("surprisal", 1),
                ("entropy", 3),
                ("binary_entropy", 2),
                ("joint_entropy", 2),
                ("conditional_entropy", 2),
                ("empirical_entropy", 2),
                ("softmax", 3),
            ),
        ),
        Assignment(
            "02-source-coding",
            "Source coding: from entropy to bits on the wire",
            "source_coding",
            _exercises(
                ("kraft_sum", 1),
                ("is_prefix_free", 2),
                ("shannon_lengths", 2),
                ("huffman_code", 4),
                ("encode", 1),
                ("decode", 2),
                ("arithmetic_encode", 4),
                ("arithmetic_decode", 2),
            ),
        ),
        Assignment(
            "03-cross-entropy",
            "Cross-entropy and maximum likelihood",
            "cross_entropy",
            _exercises(
                ("cross_entropy", 2),
                ("nll", 2),
                ("empirical_distribution", 1),
                ("softmax_cross_entropy_grad", 3),
                ("fit_categorical", 3),
                ("fit_logistic_regression", 4),
            ),
        ),
        Assignment(
            "04-kl-divergence",
            "KL divergence: the cost of the wrong model",
            "kl_divergence",
            _exercises(
                ("kl_divergence", 2),
                ("js_divergence", 2),
                ("kl_gaussian", 2),
                ("kl_estimators", 3),
                ("forward_kl_fit", 3),
                ("reverse_kl_fit", 4),
            ),
        ),
        Assignment(
            "05-mutual-information",
            "Mutual information and PMI",
            "mutual_information",
            _exercises(
                ("mutual_information", 3),
                ("pmi", 2),
                ("cooccurrence_matrix", 3),
                ("ppmi", 3),
                ("svd_embeddings", 3),
                ("plugin_mi", 3),
                ("infonce_loss", 3),
            ),
        ),
        Assignment(
            "06-perplexity",
            "Perplexity and n-gram language models",
            "perplexity",
            _exercises(
                ("perplexity", 2),
                ("ngram_counts", 2),
                ("ngram_log_prob", 4),
                ("interpolated_log_prob", 3),
                ("bits_per_byte", 1),
                ("perplexity_to_bits_per_byte", 3),
            ),
        ),
        Assignment(
            "07-llm-losses",
            "The losses that train language models",
            "llm_losses",
            _exercises(
                ("log_softmax", 2),
                ("cross_entropy_loss", 4),
                ("next_token_loss", 3),
                ("distillation_loss", 3),
                ("kl_penalty", 3),
                ("dpo_loss", 3),
                ("code_length_bits", 2),
                ("top_p_filter", 3),
                ("expected_calibration_error", 2),
            ),
        ),
    ]
}


def get_assignment(assignment_id: str) -> Assignment:
    try:
        return ASSIGNMENTS[assignment_id]
    except KeyError:
        known = ", ".join(ASSIGNMENTS)
        raise KeyError(f"unknown assignment {assignment_id!r}; the course has: {known}") from None


def built_assignments() -> list[Assignment]:
    """The assignments whose source notebook exists (the others are still being written)."""
    return [a for a in ASSIGNMENTS.values() if a.source_path.exists()]


def find_exercise(name: str) -> tuple[Assignment, Exercise]:
    """The assignment and exercise of a graded function name (names are unique course-wide)."""
    for assignment in ASSIGNMENTS.values():
        for exercise in assignment.exercises:
            if exercise.name == name:
                return assignment, exercise
    raise KeyError(f"no graded exercise is called {name!r}")
