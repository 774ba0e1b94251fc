"""by= takes any single-valued column: schema terms, the user's own columns, concat's series."""

import warnings

import pandas as pd
import pytest

import casestats
from casestats.counts import category_counts, group_labels, site_counts


@pytest.fixture(scope="module")
def cases():
    frame = pd.DataFrame(
        {
            "case_id": ["a", "b", "c", "d", "e", "f"],
            "source_id": ["clinic"] * 6,
            "subtype": ["dystrophic", "dystrophic", "idiopathic", "dystrophic", "", "idiopathic"],
            "sites": ["finger_pad", "elbow", "finger_pad; knee", "hand", "elbow", ""],
            "origin": ["Leeds", "Leeds", "Pisa", "Pisa", "Pisa", "NR"],
            "raynaud": ["yes", "yes", "no", "no", "yes", ""],
            "age_years": ["34", "51", "", "70", "12", "45"],
        }
    )
    sources = pd.DataFrame({"source_id": ["clinic"], "kind": ["own_patients"]})
    return casestats.read_cases(frame, sources=sources)


def test_group_labels_of_an_extra_column_leave_unreported_cells_out(cases):
    labels = group_labels(cases, "origin")
    assert labels.tolist()[:5] == ["Leeds", "Leeds", "Pisa", "Pisa", "Pisa"]
    assert pd.isna(labels.iloc[5])  # "NR" is a not-reported marker, not a group


def test_counts_and_analyses_by_an_extra_column(cases):
    counts = category_counts(cases, "subtype", by="origin")
    leeds = counts[counts["group"] == "Leeds"].set_index("level")["events"]
    assert (leeds["dystrophic"], int(leeds.sum())) == (2, 2)
    sites = site_counts(cases, rank="region", by="raynaud")
    assert set(sites["group"]) == {"no", "yes"}
    assert sites.groupby("group")["total"].first().to_dict() == {"no": 2, "yes": 3}
    frequency = casestats.subtype_frequency(cases, by="origin")
    assert set(frequency.to_frame()["group"]) == {"Leeds", "Pisa"}
    distribution = casestats.site_distribution(cases, rank="region", by="raynaud", n_resamples=99)
    assert distribution.by == "raynaud"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        association = casestats.disease_association(
            cases, exposure="raynaud", groups=("yes", "no"), outcome="hand"
        )
    c = association.comparison
    assert (c.events_a, c.total_a, c.events_b, c.total_b) == (1, 3, 2, 2)
    table = casestats.table_one(cases, by="origin", variables=["subtype"])
    assert "Leeds" in table.to_table().to_string()


def test_by_the_series_column_of_concat(cases):
    other = casestats.read_cases(
        pd.DataFrame({"case_id": ["z"], "source_id": ["pub"], "subtype": ["metastatic"]}),
        sources=pd.DataFrame({"source_id": ["pub"], "kind": ["case_report"]}),
    )
    both = casestats.concat([cases, other], keys=["mine", "published"])
    counts = category_counts(both, "subtype", by="series")
    assert counts.groupby("group")["total"].first().to_dict() == {"mine": 6, "published": 1}


@pytest.mark.parametrize(
    ("by", "why"),
    [
        ("sites", "holds several sites per patient"),
        ("age_years", "use by='age_band'"),
        ("nope", "is not a column of the cases"),
        ("case_id", "identifies patients"),
    ],
)
def test_a_column_that_cannot_group_is_refused_with_the_allowed_ones(cases, by, why):
    for call in (
        lambda: group_labels(cases, by),
        lambda: casestats.subtype_frequency(cases, by=by),
        lambda: casestats.site_distribution(cases, by=by),
    ):
        with pytest.raises(ValueError, match=why) as info:
            call()
        assert "['subtype', 'origin', 'raynaud', 'age_band']" in str(info.value)
