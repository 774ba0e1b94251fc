"""Synthetic case series for benchmarks, examples and tests.

The generator draws patients with a realistic structure: a subtype mix led by
dystrophic calcinosis, underlying diseases that depend on the subtype, systemic
sclerosis subsets with their usual antibodies (anti-centromere in limited,
anti-Scl-70 in diffuse disease), several lesion sites per patient whose
distribution depends on the disease (finger pads in limited SSc, periarticular
sites in metastatic disease, scrotum and face in idiopathic cases), and
fields left unreported at realistic rates. The numbers are illustrative, not
estimates: never analyse synthetic data as if it were clinical evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["simulate_cases", "simulate_sources"]

_SUBTYPES = ("dystrophic", "metastatic", "idiopathic", "iatrogenic", "calciphylaxis")
_SUBTYPE_P = (0.62, 0.12, 0.12, 0.09, 0.05)

# Underlying disease of dystrophic cases, and its probability.
_DYSTROPHIC_DISEASES = (
    ("systemic_sclerosis", 0.45),
    ("dermatomyositis", 0.14),
    ("juvenile_dermatomyositis", 0.10),
    ("systemic_lupus_erythematosus", 0.08),
    ("mixed_connective_tissue_disease", 0.05),
    ("overlap_syndrome", 0.05),
    ("trauma", 0.13),
)
_OTHER_DISEASE = {
    "metastatic": "chronic_kidney_disease",
    "idiopathic": "none",
    "iatrogenic": "calcium_infusion",
    "calciphylaxis": "end_stage_kidney_disease",
}

# Per disease group: candidate sites and each one's probability of being involved.
_SITE_PROFILES = {
    "ssc_limited": {"finger_pad": 0.55, "hand": 0.2, "elbow": 0.25, "forearm": 0.2, "knee": 0.15},
    "ssc_other": {"finger_pad": 0.35, "elbow": 0.35, "forearm": 0.3, "knee": 0.2, "hand": 0.15},
    "myositis": {"elbow": 0.4, "knee": 0.35, "buttock": 0.25, "thigh": 0.25, "arm": 0.2},
    "dystrophic_other": {"leg": 0.3, "buttock": 0.2, "face": 0.2, "hand": 0.2, "thigh": 0.2},
    "metastatic": {"periarticular": 0.4, "knee": 0.3, "hip": 0.25, "shoulder": 0.25},
    "idiopathic": {"scrotum": 0.35, "face": 0.25, "eyelid": 0.15, "ear": 0.15, "leg": 0.1},
    "iatrogenic": {"foot": 0.35, "hand": 0.3, "forearm": 0.25, "scalp": 0.1, "ankle": 0.2},
    "calciphylaxis": {"thigh": 0.5, "abdomen": 0.35, "leg": 0.4, "buttock": 0.2},
}
_LATERALITY = np.array(["", " (left)", " (right)", " (bilateral)"], dtype=object)
# Sites that have no side.
_MIDLINE = {"scrotum", "abdomen", "periarticular", "scalp", "face"}


def simulate_cases(n: int, *, seed: int | None = None):
    """Draw a synthetic case series in the casestats schema.

    Parameters
    ----------
    n : int
        Number of patients.
    seed : int, optional
        Seed of the random generator; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        One row per patient, every value text, in the column layout of the
        case schema (``case_id``, ``source_id``, ``age_years``, ``sex``,
        ``subtype``, ``subtype_basis``, ``conditions``, ``ssc_subset``,
        ``autoantibodies``, ``sites``, ``calcium_status``, ``phosphate_status``,
        ``treatments``, ``outcome``). Read it with :func:`casestats.read_cases`
        or write it to a file for a benchmark.

    Notes
    -----
    Vectorised: 10^6 patients take a few seconds. About 10 % of ages, 5 % of
    sexes and 8 % of site lists are left unreported, as in published series.

    Examples
    --------
    >>> frame = simulate_cases(5, seed=1)
    >>> frame.shape
    (5, 14)
    >>> frame["case_id"].tolist()
    ['syn0000001', 'syn0000002', 'syn0000003', 'syn0000004', 'syn0000005']
    """
    import pandas as pd

    if n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    rng = np.random.default_rng(seed)

    subtype = rng.choice(np.array(_SUBTYPES, dtype=object), size=n, p=_SUBTYPE_P)
    disease = np.empty(n, dtype=object)
    dystrophic = subtype == "dystrophic"
    names, probs = zip(*_DYSTROPHIC_DISEASES, strict=True)
    disease[dystrophic] = rng.choice(np.array(names, dtype=object), size=dystrophic.sum(), p=probs)
    for kind, name in _OTHER_DISEASE.items():
        disease[subtype == kind] = name

    ssc = disease == "systemic_sclerosis"
    subset = np.full(n, "not_applicable", dtype=object)
    subset[ssc] = rng.choice(
        np.array(["limited", "diffuse", "sine"], dtype=object), size=ssc.sum(), p=(0.62, 0.33, 0.05)
    )
    limited = subset == "limited"

    antibodies = np.full(n, "", dtype=object)
    aca = np.where(rng.random(n) < np.where(limited, 0.6, 0.12), "aca+", "aca-")
    scl70 = np.where(
        rng.random(n) < np.where(subset == "diffuse", 0.45, 0.1), "anti_scl70+", "anti_scl70-"
    )
    antibodies[ssc] = (aca.astype(object) + "; " + scl70.astype(object))[ssc]

    profile = np.select(
        [
            limited,
            ssc,
            np.isin(disease, ["dermatomyositis", "juvenile_dermatomyositis"]),
            dystrophic,
            subtype == "metastatic",
            subtype == "idiopathic",
            subtype == "iatrogenic",
        ],
        [
            "ssc_limited",
            "ssc_other",
            "myositis",
            "dystrophic_other",
            "metastatic",
            "idiopathic",
            "iatrogenic",
        ],
        default="calciphylaxis",
    )
    sites = _draw_sites(rng, profile)
    sites[rng.random(n) < 0.08] = ""

    juvenile = (disease == "juvenile_dermatomyositis") | (subtype == "iatrogenic")
    age = np.where(juvenile, rng.gamma(2.0, 3.0, n), rng.normal(52, 15, n)).clip(0.01, 95)
    age_text = np.char.mod("%.1f", np.round(age, 1)).astype(object)
    # Ages over 89 can identify a person; the schema writes them as 90+.
    age_text[age > 89] = "90+"
    age_text[rng.random(n) < 0.10] = ""

    sex = np.where(rng.random(n) < np.where(ssc, 0.85, 0.6), "female", "male").astype(object)
    sex[rng.random(n) < 0.05] = ""

    metabolic = np.isin(subtype, ["metastatic", "calciphylaxis"])
    calcium = np.where(metabolic & (rng.random(n) < 0.6), "high", "normal").astype(object)
    phosphate = np.where(metabolic & (rng.random(n) < 0.7), "high", "normal").astype(object)
    # Metastatic calcification needs a raised calcium or phosphate by definition.
    phosphate[metabolic & (calcium == "normal")] = "high"
    unreported = rng.random(n) < 0.3
    calcium[unreported] = ""
    phosphate[unreported] = ""

    treatment = rng.choice(
        np.array(
            ["diltiazem", "surgical_excision", "sodium_thiosulfate", "bisphosphonate", ""],
            dtype=object,
        ),
        size=n,
        p=(0.25, 0.3, 0.15, 0.1, 0.2),
    )
    outcome = rng.choice(
        np.array(["improved", "stable", "resolved", "progressed", ""], dtype=object),
        size=n,
        p=(0.3, 0.25, 0.15, 0.1, 0.2),
    )
    numbers = np.arange(1, n + 1)
    # numpy's zfill fails on an empty array, hence the guard.
    padded = np.char.zfill(numbers.astype(str), 7) if n else numbers.astype(str)
    return pd.DataFrame(
        {
            "case_id": np.char.add("syn", padded).astype(object),
            "source_id": np.char.add("synthetic", (numbers % 50).astype(str)).astype(object),
            "age_years": age_text,
            "sex": sex,
            "subtype": subtype,
            "subtype_basis": np.full(n, "stated", dtype=object),
            "conditions": disease,
            "ssc_subset": subset,
            "autoantibodies": antibodies,
            "sites": sites,
            "calcium_status": calcium,
            "phosphate_status": phosphate,
            "treatments": treatment,
            "outcome": outcome,
        }
    )


def simulate_sources(cases) -> pd.DataFrame:
    """The sources table that goes with a synthetic case series.

    Parameters
    ----------
    cases : pandas.DataFrame
        A frame from :func:`simulate_cases`.

    Returns
    -------
    pandas.DataFrame
        One row per ``source_id`` of `cases`, text columns ``source_id``,
        ``first_author``, ``year``, ``title`` and ``citation``, saying that
        the source is synthetic.

    Examples
    --------
    >>> import casestats
    >>> frame = simulate_cases(200, seed=1)
    >>> cases = casestats.read_cases(frame, sources=simulate_sources(frame))
    >>> len(cases), cases.report.count("error")
    (200, 0)
    """
    import pandas as pd

    ids = sorted(pd.unique(cases["source_id"]))
    return pd.DataFrame(
        {
            "source_id": ids,
            "first_author": "Synthetic",
            "year": "2024",
            "title": [f"Simulated case series {i}" for i in ids],
            "citation": [f"casestats.synthetic.simulate_cases, source {i} (not real)" for i in ids],
        }
    )


def _draw_sites(rng: np.random.Generator, profile: np.ndarray) -> np.ndarray:
    """A ``"site (laterality); site"`` list per patient, at least one site each."""
    out = np.full(len(profile), "", dtype=object)
    for name, site_probs in _SITE_PROFILES.items():
        rows = np.flatnonzero(profile == name)
        if not rows.size:
            continue
        terms = np.array(list(site_probs), dtype=object)
        involved = rng.random((rows.size, terms.size)) < np.array(list(site_probs.values()))
        # A patient in a case series has at least one lesion.
        involved[np.arange(rows.size), rng.integers(0, terms.size, rows.size)] = True
        side = _LATERALITY[rng.integers(0, _LATERALITY.size, involved.shape)]
        side[:, np.isin(terms, list(_MIDLINE))] = ""
        items = np.where(involved, terms + side, "")
        joined = items[:, 0].copy()
        for k in range(1, terms.size):
            col = items[:, k]
            sep = np.where((joined != "") & (col != ""), "; ", "")
            joined = joined + sep + col
        out[rows] = joined
    return out
