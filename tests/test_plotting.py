"""Figures draw what their frame holds, survive missing values and leave no figure open."""

import importlib
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.patches import Rectangle

from casestats import plotting
from casestats.plotting import (
    PALETTE,
    body_map,
    forest_plot,
    interval_bars,
    save_figure,
    share_heatmap,
    style,
)


@pytest.fixture(autouse=True)
def no_open_figures():
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "a test left a figure open"


def _one_new_figure(ax):
    """The function created exactly one figure (the Axes') and we close it."""
    assert isinstance(ax, Axes)
    assert plt.get_fignums() == [ax.figure.number]
    plt.close(ax.figure)


def _subtypes():
    return pd.DataFrame(
        {
            "group": ["limited"] * 3 + ["diffuse"] * 3,
            "level": ["dystrophic", "iatrogenic", "idiopathic"] * 2,
            "events": [30, 5, pd.NA, 10, 2, 0],
            "total": [40, 40, pd.NA, 20, 20, 20],
            "estimate": [0.75, 0.125, np.nan, 0.5, 0.1, 0.0],
            "ci_low": [0.6, 0.05, np.nan, 0.3, 0.03, 0.0],
            "ci_high": [0.86, 0.26, np.nan, 0.7, 0.3, 0.16],
        }
    )


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# -- module ------------------------------------------------------------------------------


def test_import_is_cheap_and_free_of_the_domain():
    code = (
        "import sys, casestats.plotting; "
        "print([m for m in ('matplotlib', 'casestats.schema', 'casestats.plotting.bodymap') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_body_map_name_is_the_function_even_after_importing_its_module():
    importlib.import_module("casestats.plotting.bodymap")
    assert callable(plotting.body_map) and plotting.body_map.__name__ == "body_map"
    assert "body_map" in plotting.__all__


def test_palette_is_okabe_ito():
    assert len(PALETTE) == 8 and len(set(PALETTE)) == 8
    assert {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"} <= set(
        PALETTE
    )


def test_style_is_an_rc_dict_and_a_context_manager():
    rc = style()
    assert rc["figure.figsize"][0] == 3.5
    assert 8 <= rc["font.size"] <= 9
    before = matplotlib.rcParams["axes.spines.top"]
    with style():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["axes.spines.right"] is False
    assert matplotlib.rcParams["axes.spines.top"] == before


# -- interval bars -----------------------------------------------------------------------


def test_interval_bars_draw_one_bar_per_finite_estimate():
    frame = _subtypes()
    ax = interval_bars(frame, annot=True)
    bars = _bars(ax)
    heights = sorted(round(b.get_height(), 6) for b in bars)
    assert heights == sorted([0.75, 0.125, 0.5, 0.1, 0.0])
    assert sorted(t.get_text() for t in ax.texts) == sorted(
        ["30/40", "5/40", "10/20", "2/20", "0/20"]
    )
    # The schema's order of subtypes, not the frame's.
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "dystrophic",
        "idiopathic",
        "iatrogenic",
    ]
    # Headroom for the k/n labels above the highest interval (86 %).
    assert 0.86 < ax.get_ylim()[1] <= 1.0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "limited cutaneous SSc (n = 40)",  # the schema's labels; groups differ in size
        "diffuse cutaneous SSc (n = 20)",
    ]
    # Dodged: the two groups' bars for one level do not share an x position.
    xs = {round(b.get_x(), 6) for b in bars}
    assert len(xs) == len(bars)
    _one_new_figure(ax)


def test_interval_bars_error_bars_span_the_interval():
    frame = _subtypes()
    ax = interval_bars(frame, hue=None)
    segments = np.concatenate([c.get_segments() for c in ax.collections])
    spans = sorted((round(s[:, 1].min(), 6), round(s[:, 1].max(), 6)) for s in segments)
    expected = sorted(zip(frame["ci_low"].dropna(), frame["ci_high"].dropna(), strict=True))
    assert spans == [(round(a, 6), round(b, 6)) for a, b in expected]
    assert ax.get_legend() is None
    _one_new_figure(ax)


def test_interval_bars_on_given_axes_create_no_figure():
    fig, ax = plt.subplots()
    out = interval_bars(_subtypes(), ax=ax, color="grey")
    assert out is ax and plt.get_fignums() == [fig.number]
    plt.close(fig)


def test_interval_bars_reject_missing_columns():
    with pytest.raises(ValueError, match="ci_low"):
        interval_bars(pd.DataFrame({"level": ["a"], "estimate": [0.1]}))
    assert plt.get_fignums() == []


# -- share heatmap -----------------------------------------------------------------------


def test_share_heatmap_cells_and_annotations():
    frame = _subtypes()
    ax = share_heatmap(frame)
    mesh = ax.collections[0]
    values = np.ma.filled(mesh.get_array(), np.nan).reshape(3, 2)
    # rows in the schema's order of subtypes: dystrophic, idiopathic, iatrogenic
    np.testing.assert_allclose(values, [[0.75, 0.5], [np.nan, 0.0], [0.125, 0.1]])
    assert sorted(t.get_text() for t in ax.texts) == sorted(
        ["30/40", "5/40", "10/20", "2/20", "0/20"]
    )
    colorbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert colorbar_axes[0].get_ylabel() == "share of patients"
    _one_new_figure(ax)


def test_share_heatmap_without_annotations_or_counts():
    frame = _subtypes().drop(columns=["events", "total"])
    ax = share_heatmap(frame, annot=False)
    assert len(ax.texts) == 0
    plt.close(ax.figure)
    ax = share_heatmap(frame)
    assert "75%" in [t.get_text() for t in ax.texts]
    _one_new_figure(ax)


def test_share_heatmap_turns_column_labels_only_when_they_would_overlap():
    def column_rotations(names):
        frame = pd.DataFrame({"group": names, "level": "hand", "estimate": 0.5})
        ax = share_heatmap(frame)
        ax.figure.canvas.draw()
        labels = ax.get_xticklabels()
        boxes = [t.get_window_extent() for t in labels]
        touching = any(a.overlaps(b) for a, b in zip(boxes, boxes[1:], strict=False))
        rotations = {t.get_rotation() for t in labels}
        plt.close(ax.figure)
        return rotations, touching

    assert column_rotations(["a", "b", "c"]) == ({0.0}, False)
    # A few long names break over lines and stay level.
    subsets = ["limited cutaneous SSc", "diffuse cutaneous SSc", "SSc overlap syndrome"]
    assert column_rotations(subsets) == ({0.0}, False)
    long_names = [f"a rather long column name {i}" for i in range(12)]
    assert column_rotations(long_names) == ({90.0}, False)


def test_share_heatmap_rejects_repeated_cells():
    frame = pd.concat([_subtypes(), _subtypes().iloc[:1]])
    with pytest.raises(ValueError, match="one row per"):
        share_heatmap(frame)


# -- body map ----------------------------------------------------------------------------


def _anatomy():
    table = importlib.import_module("casestats.plotting.bodymap")._anatomy()
    return table[table["rank"].isin(["limb", "region"])]


def test_body_map_draws_every_placeable_limb_and_region_term():
    ax = body_map(pd.DataFrame({"level": ["hand"], "estimate": [0.5]}))
    drawn = {p.get_gid() for p in ax.patches}
    terms = set(_anatomy()["term"])
    not_places = {"generalized", "limb_unspecified", "periarticular"}
    assert drawn == terms - not_places
    # Paired limbs are mirrored: two hands in each of the front and back views.
    hands = [p for p in ax.patches if p.get_gid() == "hand"]
    assert len(hands) == 4
    xs = sorted(round(float(p.get_xy()[:, 0].mean()), 6) for p in hands)
    assert xs[0] == pytest.approx(-xs[1]) and xs[0] < 0 < xs[1]
    _one_new_figure(ax)


def test_body_map_shades_by_estimate_and_labels_each_term_once():
    frame = pd.DataFrame(
        {
            "group": ["limited"] * 5,
            "level": ["hand", "elbow", "scrotum", "back", "knee"],
            "estimate": [0.62, 0.2, 0.1, 0.0, np.nan],
        }
    )
    ax = body_map(frame)
    cmap = matplotlib.colormaps["cividis_r"]
    for term, share in [("hand", 0.62), ("elbow", 0.2), ("scrotum", 0.1), ("back", 0.0)]:
        patches = [p for p in ax.patches if p.get_gid() == term]
        assert patches
        for patch in patches:
            # The scale fits the data: 0 to the largest share (62 %) rounded up to 65 %.
            np.testing.assert_allclose(patch.get_facecolor(), cmap(share / 0.65), atol=1e-12)
    labels = {
        t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("label:")
    }
    assert labels == {  # every label names its region
        "label:hand": "hand 62%",
        "label:elbow": "elbow 20%",
        "label:scrotum": "scrotum 10%",
        "label:back": "back 0%",
    }
    # A region without a share is see-through; a limb without one is grey.
    knee = [p for p in ax.patches if p.get_gid() == "knee"]
    assert all(p.get_facecolor()[3] == 0 for p in knee)
    trunk = [p for p in ax.patches if p.get_gid() == "trunk"]
    assert all(p.get_facecolor()[3] == 1 and p.get_facecolor()[0] > 0.85 for p in trunk)
    assert not [t for t in ax.texts if t.get_gid() == "not drawn"]
    _one_new_figure(ax)


def test_body_map_lists_rows_it_cannot_draw():
    frame = pd.DataFrame(
        {
            "level": ["upper_limb", "generalized", "finger_pad", "mystery"],
            "estimate": [0.8, 0.1, 0.3, 0.2],
        }
    )
    ax = body_map(frame)
    (note,) = [t for t in ax.texts if t.get_gid() == "not drawn"]
    text = note.get_text()
    assert "generalized 10%" in text and "finger pad 30%" in text and "mystery 20%" in text
    assert "upper" not in text
    _one_new_figure(ax)


def test_body_map_rejects_several_groups_and_repeated_levels():
    frame = pd.DataFrame({"group": ["a", "b"], "level": ["hand", "hand"], "estimate": [0.1, 0.2]})
    with pytest.raises(ValueError, match="one group"):
        body_map(frame)
    with pytest.raises(ValueError, match="one row per level"):
        body_map(frame.assign(group="a"))


def test_body_map_on_given_axes():
    fig, ax = plt.subplots()
    assert body_map(pd.DataFrame({"level": ["face"], "estimate": [0.3]}), ax=ax) is ax
    assert plt.get_fignums() == [fig.number]
    plt.close(fig)


# -- forest plot -------------------------------------------------------------------------


def _meta(**pooled_extra):
    frame = pd.DataFrame(
        {
            "group": ["study", "study", "study", "study", "pooled"],
            "level": ["Smith 2001", "Lee 2010", "Garcia 2015", "Tiny 2020", "random effects"],
            "estimate": [2.0, 3.5, 1.2, np.nan, 2.3],
            "ci_low": [0.8, 1.2, 0.0, np.nan, 1.4],
            "ci_high": [5.0, 10.2, np.inf, np.nan, 3.9],
            "confidence_level": [0.95] * 5,
            "weight": [40.0, 30.0, 30.0, np.nan, np.nan],
        }
    )
    for name, value in pooled_extra.items():
        frame[name] = [np.nan] * 4 + [value]
    return frame


def _by_gid(ax, gid):
    artists = [*ax.collections, *ax.patches, *ax.lines, *ax.texts]
    return [a for a in artists if a.get_gid() == gid]


def test_forest_plot_odds_ratios():
    ax = forest_plot(_meta(pi_low=0.7, pi_high=7.5), heterogeneity={"I2": 0.34, "tau2": 0.12})
    assert ax.get_xscale() == "log"
    (squares,) = _by_gid(ax, "studies")
    assert isinstance(squares, PathCollection)
    np.testing.assert_allclose(squares.get_offsets()[:, 0], [2.0, 3.5, 1.2])
    sizes = squares.get_sizes()
    assert sizes[0] > sizes[1] == pytest.approx(sizes[2])  # area follows weight
    (intervals,) = _by_gid(ax, "study intervals")
    assert len(intervals.get_segments()) == 3  # the open-ended interval runs to the edge
    (diamond,) = _by_gid(ax, "pooled")
    xy = diamond.get_xy()
    assert xy[:, 0].min() == pytest.approx(1.4) and xy[:, 0].max() == pytest.approx(3.9)
    (pi,) = _by_gid(ax, "prediction interval")
    np.testing.assert_allclose(pi.get_xdata(), [0.7, 7.5])
    assert any(line.get_xdata()[0] == 1.0 for line in ax.lines)  # reference line
    texts = [t.get_text() for t in ax.texts]
    assert "2.00 [0.80, 5.00]" in texts and "2.30 [1.40, 3.90]" in texts
    assert "1.20 [0.00, ∞]" in texts and "not estimable" in texts
    assert "40.0%" in texts and "OR [95% CI]" in texts
    (het,) = _by_gid(ax, "heterogeneity")
    assert het.get_text() == "Heterogeneity: I² = 34%, τ² = 0.12"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Smith 2001", "Lee 2010", "Garcia 2015", "Tiny 2020", "random effects",
                      "prediction interval"]  # the prediction interval on its own row
    _one_new_figure(ax)


def test_forest_plot_proportions_and_missing_prediction_interval():
    frame = _meta(pi_low=np.nan, pi_high=np.nan)
    frame[["estimate", "ci_low", "ci_high"]] = [
        [0.2, 0.1, 0.35],
        [0.4, 0.2, 0.6],
        [0.3, 0.15, 0.5],
        [np.nan] * 3,
        [0.3, 0.2, 0.42],
    ]
    ax = forest_plot(frame, scale="proportion", heterogeneity="I² = 20%")
    # fitted to the data in 10 % steps: the highest limit is 60 %, so the axis ends at 70 %
    assert ax.get_xscale() == "linear" and ax.get_xlim() == pytest.approx((0.0, 0.7))
    assert _by_gid(ax, "prediction interval") == []
    assert "30.0 [20.0, 42.0]" in [t.get_text() for t in ax.texts]
    assert _by_gid(ax, "heterogeneity")[0].get_text() == "I² = 20%"
    _one_new_figure(ax)


def test_forest_plot_without_pooled_row_or_weights():
    frame = _meta().query("group == 'study'").drop(columns=["weight"])
    ax = forest_plot(frame)
    assert _by_gid(ax, "pooled") == [] and "weight" not in [t.get_text() for t in ax.texts]
    _one_new_figure(ax)


def test_forest_plot_rejects_bad_input():
    with pytest.raises(ValueError, match="odds ratio"):
        forest_plot(_meta(), scale="risk")
    with pytest.raises(ValueError, match="pooled rows repeat"):
        forest_plot(pd.concat([_meta(), _meta().tail(1)]))
    with pytest.raises(ValueError, match="study"):
        forest_plot(_meta().assign(group="other"))
    assert plt.get_fignums() == []


# -- saving ------------------------------------------------------------------------------


def test_save_figure_writes_png_and_svg(tmp_path):
    ax = interval_bars(_subtypes())
    paths = save_figure(ax.figure, tmp_path / "figs" / "fig1.v2")
    assert [p.name for p in paths] == ["fig1.v2.png", "fig1.v2.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = paths[1].read_text()
    assert "<svg" in svg and "dystrophic" in svg  # text stays text
    # Reproducible SVG: saving again gives identical bytes.
    again = save_figure(ax.figure, tmp_path / "again", formats=["svg"])
    assert again[0].read_text() == svg
    with pytest.raises(ValueError, match="unknown figure formats"):
        save_figure(ax.figure, tmp_path / "x", formats=["docx"])
    plt.close(ax.figure)


def test_style_restores_only_its_own_settings():
    # Jupyter switches interactive mode on lazily, sometimes inside our context; restoring
    # every setting on exit switched it off again and hid every later figure in a notebook.
    import matplotlib as mpl

    from casestats.plotting import style

    before = mpl.rcParams["interactive"]
    with style() as rc:
        mpl.rcParams["interactive"] = not before
        assert mpl.rcParams["font.size"] == rc["font.size"]
    try:
        assert mpl.rcParams["interactive"] is (not before)
    finally:
        mpl.rcParams["interactive"] = before


# -- issue 18: what a reader sees ---------------------------------------------------------


def _regions():
    """Many categories with snake_case names, three groups and a "not reported" level."""
    levels = ["limb_unspecified", "not_reported", "upper_limb", *[f"region_{i}" for i in range(9)]]
    frames = []
    for g, group in enumerate(["limited", "diffuse", "not_applicable"]):
        estimate = np.linspace(0.02, 0.15, len(levels)) + 0.01 * g
        frames.append(
            pd.DataFrame(
                {
                    "group": group,
                    "level": levels,
                    "events": (estimate * 40).round().astype(int),
                    "total": 40,
                    "estimate": estimate,
                    "ci_low": estimate / 2,
                    "ci_high": estimate + 0.06,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _tick_texts(ax):
    return [t.get_text() for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]]


def test_tick_labels_and_titles_are_readable_text():
    for ax in (interval_bars(_regions(), annot=True), share_heatmap(_regions())):
        ax.figure.canvas.draw()
        texts = [*_tick_texts(ax), ax.get_xlabel(), ax.get_ylabel()]
        assert texts and not [t for t in texts if "_" in t]
        assert "level" not in texts and "group" not in texts
        legend = ax.get_legend()
        if legend is not None:
            assert "not applicable" in [t.get_text() for t in legend.get_texts()]
        plt.close(ax.figure)


def test_labels_and_titles_replace_the_defaults():
    ax = interval_bars(
        _regions(),
        labels={"limb_unspecified": "limb, region not stated", "limited": "lcSSc"},
        value_title="share of SSc patients",
        category_title="region",
        legend_title="subset",
        note="n = 40 patients; Wilson 95% CI",
    )
    assert "limb, region not stated" in _tick_texts(ax)
    assert ax.xaxis.get_label_text() == "share of SSc patients"  # horizontal: values on x
    assert ax.yaxis.get_label_text() == "region"
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "subset"
    assert [t.get_text() for t in legend.get_texts()][0] == "lcSSc"
    assert ax.get_title(loc="left") == "n = 40 patients; Wilson 95% CI"
    _one_new_figure(ax)


def test_many_bars_turn_horizontal_and_the_axis_fits_the_intervals():
    frame = _regions()
    ax = interval_bars(frame)
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "limb (upper or lower not stated)"
    low, high = ax.get_xlim()
    top = frame["ci_high"].max()
    assert low == 0.0 and top <= high <= top + 0.1  # not always 0-100 %
    few = interval_bars(_subtypes().query("group == 'limited'"), hue=None)
    assert few.get_xticklabels()[0].get_text() == "dystrophic"  # few bars stay vertical
    plt.close(few.figure)
    _one_new_figure(ax)


def test_legend_sits_outside_the_bars():
    ax = interval_bars(_regions())
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    for bar in _bars(ax):
        assert not legend.overlaps(bar.get_window_extent(renderer))
    assert legend.x0 >= ax.get_window_extent(renderer).x1
    _one_new_figure(ax)


def test_not_reported_goes_last_and_order_is_followed():
    ax = interval_bars(_regions(), hue=None, orient="v")
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[-1] == "not reported" and ticks[0] == "limb (upper or lower not stated)"
    plt.close(ax.figure)
    ax = interval_bars(
        _regions(),
        order=["upper_limb", "limb_unspecified"],
        hue_order=["diffuse", "limited"],
        orient="h",
    )
    # First in order on top: the y axis runs downwards.
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "upper limb",
        "limb (upper or lower not stated)",
    ]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "diffuse cutaneous SSc",
        "limited cutaneous SSc",
    ]
    assert len(_bars(ax)) == 4
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="order names values not in the frame"):
        interval_bars(_regions(), order=["elbow"])
    with pytest.raises(ValueError, match=r"\['auto', 'v', 'h'\]"):
        interval_bars(_regions(), orient="sideways")
    assert plt.get_fignums() == []


def test_heatmap_colour_scale_fits_and_order_is_followed():
    frame = _regions()
    ax = share_heatmap(frame, order=["upper_limb", "region_0"], hue_order=["diffuse", "limited"])
    mesh = ax.collections[0]
    assert mesh.norm.vmin == 0.0 and 0.045 <= mesh.norm.vmax <= 0.1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["upper limb", "region 0"]
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == [
        "diffuse cutaneous SSc",
        "limited cutaneous SSc",
    ]
    _one_new_figure(ax)


def test_heatmap_columns_follow_the_schema_not_the_alphabet():
    # Site counts by subtype arrive sorted by name; the schema lists the subtypes as
    # dystrophic, metastatic, idiopathic, iatrogenic, calciphylaxis.
    groups = ["calciphylaxis", "dystrophic", "iatrogenic", "idiopathic", "metastatic"]
    frame = pd.DataFrame(
        {
            "group": [*groups, "not_reported"] * 2,
            "level": ["head_neck"] * 6 + ["trunk"] * 6,
            "estimate": np.linspace(0.0, 0.5, 12),
        }
    )
    ax = share_heatmap(frame)
    expected = ["dystrophic", "metastatic", "idiopathic", "iatrogenic", "calciphylaxis"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [*expected, "not reported"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["head and neck", "trunk"]
    plt.close(ax.figure)
    ax = share_heatmap(frame, hue_order=["metastatic", "dystrophic"], labels={"trunk": "torso"})
    assert [t.get_text() for t in ax.get_xticklabels()] == ["metastatic", "dystrophic"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["head and neck", "torso"]
    _one_new_figure(ax)


def test_limb_rows_beside_region_rows_say_region_not_stated():
    frame = pd.DataFrame(
        {
            "level": ["upper_limb", "hand", "limb_unspecified"],
            "estimate": [0.1, 0.2, 0.05],
            "ci_low": [0.05, 0.1, 0.01],
            "ci_high": [0.2, 0.3, 0.1],
        }
    )
    ax = interval_bars(frame, hue=None)
    # in the anatomy table's order: the limb rows first, then the regions
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "upper limb, region not stated",
        "limb (upper or lower not stated)",
        "hand",
    ]
    _one_new_figure(ax)


def test_keywords_reach_the_artists():
    ax = interval_bars(_subtypes(), color="#123456", alpha=0.5, hue=None)
    assert all(b.get_alpha() == 0.5 for b in _bars(ax))
    assert all(matplotlib.colors.to_hex(b.get_facecolor()) == "#123456" for b in _bars(ax))
    plt.close(ax.figure)
    ax = share_heatmap(_subtypes(), cmap="Greys")
    assert ax.collections[0].get_cmap().name == "Greys"
    plt.close(ax.figure)
    ax = forest_plot(
        _meta().replace({"Lee 2010": "lee_2010"}),
        color="#654321",
        alpha=0.4,
        labels={"Smith 2001": "Smith et al. 2001"},
    )
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["Smith et al. 2001", "lee 2010"]
    (squares,) = _by_gid(ax, "studies")
    assert matplotlib.colors.to_hex(squares.get_facecolor()[0]) == "#654321"
    assert squares.get_alpha() == 0.4
    plt.close(ax.figure)
    ax = body_map(pd.DataFrame({"level": ["hand"], "estimate": [0.5]}), edgecolor="black")
    hands = [p for p in ax.patches if p.get_gid() == "hand"]
    assert all(matplotlib.colors.to_hex(p.get_edgecolor()) == "#000000" for p in hands)
    _one_new_figure(ax)


def test_body_map_prints_counts_and_marks_coarser_rows():
    frame = pd.DataFrame(
        {
            "level": ["hand", "back", "upper_limb", "limb_unspecified"],
            "events": [6, 3, 2, 4],
            "total": [42, 42, 42, 42],
            "estimate": [6 / 42, 3 / 42, 2 / 42, 4 / 42],
        }
    )
    ax = body_map(frame, note="patients, n = 42")
    labels = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    assert labels["label:hand"] == "hand 6/42" and labels["label:back"] == "back 3/42"
    # Limb rows beside region rows get no label on the body: they are listed as such.
    assert "label:upper_limb" not in labels
    assert labels["not drawn"].startswith(
        "Region not stated (shaded where no region is): upper limb 2/42; "
        "limb (upper or lower not stated) 4/42."
    )
    (colorbar,) = [a for a in ax.child_axes if a.get_gid() == "colour key"]
    assert colorbar.get_ylim()[1] == pytest.approx(0.15)  # 14 % rounded up, not 100 %
    _one_new_figure(ax)


def test_percent_ticks_are_whole_and_evenly_spaced():
    frame = _regions()
    for ax, axis in [
        (interval_bars(frame), lambda a: a.xaxis),
        (share_heatmap(frame), lambda a: a.collections[0].colorbar.ax.yaxis),
        (body_map(pd.DataFrame({"level": ["hand"], "estimate": [0.17]})),
         lambda a: a.child_axes[0].yaxis),
    ]:  # fmt: skip
        ticks = [
            t for t in axis(ax).get_majorticklocs() if 0 <= t <= axis(ax).get_view_interval()[1]
        ]
        percents = np.round(np.asarray(ticks) * 100, 9)
        assert np.all(percents == np.round(percents)), percents  # no 2.5 % shown as "2%"
        assert len(set(np.round(np.diff(percents), 9))) == 1
        plt.close(ax.figure)


def _every_region_frame():
    anatomy = _anatomy()
    terms = anatomy["term"].tolist()
    # Varied widths of text: one- and two-digit counts.
    events = [(7 * i) % 23 for i in range(len(terms))]
    return pd.DataFrame(
        {"level": terms, "events": events, "total": 94, "estimate": np.array(events) / 94}
    )


@pytest.mark.parametrize("width_mm", [85, 175])
def test_body_map_labels_name_their_region_and_never_overlap(width_mm):
    frame = _every_region_frame()
    if width_mm == 85:
        ax = body_map(frame)  # the default figure: one journal column
    else:
        with plotting.style():
            _, ax = plt.subplots(figsize=(width_mm / 25.4, 3.6))
        ax = body_map(frame, ax=ax)
    fig = ax.figure
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    anatomy = _anatomy()
    names = dict(zip(anatomy["term"], anatomy["label"], strict=True))
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith("label:")]
    region_rows = anatomy.loc[anatomy["rank"] == "region", "term"].drop_duplicates()
    region_rows = region_rows[region_rows != "periarticular"]  # no place on the body
    # Every region with a row is labelled once, with its name and k/n.
    assert sorted(t.get_gid() for t in labels) == sorted(f"label:{t}" for t in region_rows)
    for text in labels:
        term = text.get_gid().removeprefix("label:")
        k = int(frame.set_index("level").loc[term, "events"])
        assert text.get_text() == f"{names[term]} {k}/94"
    # Label boxes (text only, not the leader) of the whole map, view titles and notes
    # included, do not touch one another, and lie inside the figure.
    import matplotlib.text as mtext

    boxes = [(t.get_text(), mtext.Text.get_window_extent(t, renderer)) for t in ax.texts]
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            assert not box_a.overlaps(box_b), (a, b)
    key = ax.child_axes[0].get_tightbbox(renderer)
    assert not any(key.overlaps(box) for _, box in boxes)
    plt.close(fig)


def test_bars_say_n_and_the_interval_method_unless_told_otherwise():
    frame = _subtypes().query("group == 'limited'").assign(
        total=94, method="clopper_pearson", confidence_level=0.9
    )
    ax = interval_bars(frame, hue=None)
    assert ax.get_title(loc="left") == "n = 94; Clopper-Pearson 90% intervals"
    plt.close(ax.figure)
    ax = interval_bars(_subtypes().assign(total=40, method="wilson", confidence_level=0.95))
    assert ax.get_title(loc="left") == "n = 40 per group; Wilson 95% intervals"
    assert "limited cutaneous SSc" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)
    ax = interval_bars(frame, hue=None, note="")
    assert ax.get_title(loc="left") == ""
    _one_new_figure(ax)
