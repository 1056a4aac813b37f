"""The course's plot style: one look for every figure in every notebook.

>>> from course.style import use_course_style, COLORS
>>> use_course_style()
>>> COLORS["p"]
'#1f5aa6'
"""

from __future__ import annotations

import matplotlib as mpl

# One colour per role, used consistently across notebooks (p is always blue, q orange...).
COLORS = {
    "p": "#1f5aa6",  # the data / true distribution
    "q": "#e07b00",  # the model
    "accent": "#2a9d55",  # a third quantity (entropy floor, optimum, ...)
    "muted": "#8a8f98",  # guides, bounds, reference lines
    "bad": "#c0392b",  # what goes wrong
}


def use_course_style() -> None:
    """Set matplotlib defaults for readable, print-friendly figures."""
    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "figure.constrained_layout.use": True,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.labelsize": 11,
            "legend.frameon": False,
            "font.size": 10.5,
            "lines.linewidth": 2.0,
            "axes.prop_cycle": mpl.cycler(color=list(COLORS.values())),
        }
    )
