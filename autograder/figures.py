"""Text descriptions of the notebooks' figures, for the ``alt`` of their images.

The handouts and the site show each figure as a PNG. A reader who cannot see it (a screen
reader, a PDF's text layer, an image that failed to load) gets nbconvert's default "No
description has been provided for this image" unless the output carries one. The figures of
the course all have titles and axis labels, so the description is read off the Matplotlib
figure when it is drawn: :func:`install` wraps IPython's PNG formatter for ``Figure`` in the
kernel that executes a notebook (``autograder.handouts``), and each image output gets
``metadata["image/png"]["alt"]``.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> _ = ax.plot([0, 1], [1, 0], label="$H(p)$")
>>> _ = ax.set(title="Binary entropy", xlabel="p", ylabel="bits")
>>> _ = ax.legend()
>>> describe(fig)
'Figure: Binary entropy (bits against p; legend: H(p)).'
>>> plt.close(fig)
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Run in a kernel before a notebook's first cell; it leaves no name behind.
PREAMBLE = '__import__("autograder.figures", fromlist=["install"]).install()'


def plain(text: str) -> str:
    """Matplotlib's mathtext as plain text: ``$\\lambda_j$`` -> ``lambda_j``."""
    text = re.sub(r"\\(?:mathrm|mathbf|mathit|text|operatorname)\{([^}]*)\}", r"\1", text)
    text = re.sub(r"\\[dt]?frac\{([^}]*)\}\{([^}]*)\}|\\[dt]?frac(\w)(\w)", r"\1\3/\2\4", text)
    text = re.sub(r"\\[,;:! ]", " ", text)  # spacing commands
    text = re.sub(r"\\([A-Za-z]+|.)", r"\1", text)  # \lambda -> lambda, \| -> |
    return " ".join(text.replace("$", "").replace("{", "").replace("}", "").split())


def _axes_part(ax) -> str:
    """``title (ylabel against xlabel; legend: a, b)``, leaving out what is empty."""
    title = plain(ax.get_title() or ax.get_title("left") or ax.get_title("right"))
    xlabel, ylabel = plain(ax.get_xlabel()), plain(ax.get_ylabel())
    details = []
    if xlabel and ylabel:
        details.append(f"{ylabel} against {xlabel}")
    elif xlabel or ylabel:
        details.append(xlabel or ylabel)
    legend = ax.get_legend()
    if legend is not None:
        labels = [plain(t.get_text()) for t in legend.get_texts() if t.get_text().strip()]
        if labels:
            details.append("legend: " + ", ".join(labels))
    if not title:
        return "; ".join(details)
    return f"{title} ({'; '.join(details)})" if details else title


def describe(fig) -> str:
    """One sentence naming a figure's title, its panels, their axes, legends and colour bars."""
    suptitle = plain(fig.get_suptitle()) if hasattr(fig, "get_suptitle") else ""
    colorbars = [ax for ax in fig.axes if getattr(ax, "_colorbar", None) is not None]
    panels = [_axes_part(ax) for ax in fig.axes if ax not in colorbars]
    panels = [part for part in panels if part]
    scales = [label for label in (_axes_part(ax) for ax in colorbars) if label]
    tail = f" Colour scale: {', '.join(scales)}." if scales else ""
    if len(panels) == 1 and not suptitle:
        return f"Figure: {panels[0]}.{tail}"
    head = f"Figure: {suptitle}" if suptitle else "Figure"
    if not panels:
        return f"{head}.{tail}"
    listed = "; ".join(f"({i}) {part}" for i, part in enumerate(panels, 1))
    return f"{head}. {len(panels)} panels: {listed}.{tail}"


def with_description(formatter: Callable) -> Callable:
    """Wrap a ``Figure`` -> PNG formatter so that its output metadata carries ``alt``."""

    def png_with_alt(fig, *args, **kwargs):
        result = formatter(fig, *args, **kwargs)
        if result is None:
            return None
        data, metadata = result if isinstance(result, tuple) else (result, {})
        return data, {**(metadata or {}), "alt": describe(fig)}

    return png_with_alt


def install() -> None:
    """In an IPython kernel: describe every Matplotlib figure it displays as PNG."""
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = get_ipython()
    if shell is None:
        return
    plt.switch_backend(matplotlib.get_backend())  # the inline backend registers its formatters
    png = shell.display_formatter.formatters["image/png"]
    try:
        original = png.lookup_by_type(Figure)
    except KeyError:  # no PNG formatter for figures (another backend): nothing to describe
        return
    png.for_type(Figure, with_description(original))
