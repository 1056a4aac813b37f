"""Figure descriptions (``autograder.figures``) against figures built here by hand."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from autograder.figures import describe, plain, with_description  # noqa: E402


@pytest.fixture
def fig():
    figure = plt.figure()
    yield figure
    plt.close(figure)


def test_one_panel_names_title_axes_and_legend(fig):
    ax = fig.add_subplot()
    ax.plot([0, 1], label="forward KL")
    ax.plot([1, 0], label="reverse KL")
    ax.set(title="Two fits", xlabel="t", ylabel="nats")
    ax.legend()
    assert describe(fig) == "Figure: Two fits (nats against t; legend: forward KL, reverse KL)."


def test_panels_are_numbered_under_the_suptitle(fig):
    left, right = fig.subplots(1, 2)
    left.set(title="Per-token perplexity", ylabel="perplexity")
    right.set(title="Bits per byte")
    fig.suptitle("The same model")
    assert describe(fig) == (
        "Figure: The same model. 2 panels: (1) Per-token perplexity (perplexity); "
        "(2) Bits per byte."
    )


def test_an_unlabelled_figure_is_still_a_figure(fig):
    fig.add_subplot()
    assert describe(fig) == "Figure."


def test_mathtext_reads_as_text():
    assert plain(r"$D_{\mathrm{KL}}(p \| q)$ in $\lambda$ units") == "D_KL(p | q) in lambda units"
    assert plain("compressing beats $H_0$") == "compressing beats H_0"
    assert plain(r"$k_2 = \frac12 (\log r)^2$, $\frac{T^2}{2}$") == "k_2 = 1/2 (log r)^2, T^2/2"


def test_the_formatters_metadata_is_kept_and_alt_added(fig):
    fig.add_subplot().set_title("T")
    retina = with_description(lambda f: (b"png", {"width": 10, "height": 5}))
    assert retina(fig) == (b"png", {"width": 10, "height": 5, "alt": "Figure: T."})
    bare = with_description(lambda f: b"png")
    assert bare(fig) == (b"png", {"alt": "Figure: T."})
    assert with_description(lambda f: None)(fig) is None


def test_a_colour_bar_says_what_its_colours_mean(fig):
    ax = fig.add_subplot()
    image = ax.imshow([[0, 1], [1, 0]])
    ax.set_title("JS divergence between plays")
    fig.colorbar(image, label="bits")
    assert describe(fig) == "Figure: JS divergence between plays. Colour scale: bits."
