"""Do groups differ in their profile of several yes/no items? A permutation test.

The items of one subject (body sites with a lesion, say) are not exclusive, so
an items x groups table is not a contingency table. The test works on the
subjects instead: the statistic is the between-group variation of the
subjects' item vectors scaled by their covariance, a multivariate score
statistic, which with one item is Pearson's chi-square on the 2 x groups table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from casestats.results import ConfidenceInterval, Result, tidy_frame
from casestats.stats._checks import check_choice
from casestats.stats._resampling import (
    check_n_resamples,
    generator,
    pvalue_interval,
)

__all__ = ["PERMUTATION_MAX_SUBJECTS", "PROFILE_METHODS", "ProfileTestResult", "profile_test"]

#: Up to this many subjects ``method="auto"`` permutes; above it the chi-square
#: approximation of the same statistic is accurate and cheap.
PERMUTATION_MAX_SUBJECTS = 2000

PROFILE_METHODS = ("auto", "permutation", "chi2")

# Permuted group memberships held in memory at once (subjects x groups x batch).
_BATCH_CELLS = 2**23

# A permuted statistic within this relative margin of the observed counts as
# reaching it, so that ties computed in another order are not lost.
_TIE = 1 - 1e-9


@dataclass(frozen=True, eq=False, repr=False)
class ProfileTestResult(Result):
    """Test that groups of subjects differ in their profile of yes/no items.

    Attributes
    ----------
    groups : tuple of str
        The groups, in order of first appearance.
    sizes : tuple of int
        Subjects per group.
    n_items : int
        Items (columns) of the profile.
    rank : int
        Rank of the items' covariance (items that always co-occur count once).
    statistic : float
        The multivariate score statistic.
    df : int
        ``(groups - 1) * rank``, of its chi-square approximation.
    pvalue : float
    method : str
        ``"permutation"`` or ``"chi2"``.
    reason : str
        Why that method ran.
    n_resamples, n_exceed : int or None
        Permutations, and those whose statistic reached the observed one
        (None for ``"chi2"``).
    confidence_level : float
        Level of :meth:`confidence_interval`.
    """

    groups: tuple[str, ...]
    sizes: tuple[int, ...]
    n_items: int
    rank: int
    statistic: float
    df: int
    pvalue: float
    method: str
    reason: str
    n_resamples: int | None = None
    n_exceed: int | None = None
    confidence_level: float = 0.95

    @property
    def n(self) -> int:
        """Number of subjects."""
        return sum(self.sizes)

    @property
    def method_description(self) -> str:
        """The method in words, for a report's methods section."""
        if self.method == "permutation":
            n = self.n_resamples
            return f"permutation test of the multivariate score statistic ({n} permutations)"
        return "multivariate score test (chi-square approximation)"

    def confidence_interval(self, confidence_level: float | None = None) -> ConfidenceInterval:
        """Monte Carlo error of a permutation p-value (Clopper-Pearson); NaN for ``"chi2"``."""
        level = self.confidence_level if confidence_level is None else confidence_level
        if self.n_resamples is None:
            return ConfidenceInterval(np.nan, np.nan)
        return ConfidenceInterval(*pvalue_interval(self.n_exceed, self.n_resamples, level))

    def to_frame(self) -> pd.DataFrame:
        """One row: the test (extra columns ``df``, ``rank``, ``n_resamples``, p-value limits)."""
        low, high = self.confidence_interval()
        frame = tidy_frame(
            [
                {
                    "group": " vs ".join(self.groups),
                    "total": self.n,
                    "statistic": self.statistic,
                    "pvalue": self.pvalue,
                    "method": self.method,
                    "df": self.df,
                    "rank": self.rank,
                    "n_resamples": self.n_resamples,
                    "pvalue_low": low,
                    "pvalue_high": high,
                    "note": self.reason,
                }
            ],
            extra=["df", "rank", "n_resamples", "pvalue_low", "pvalue_high", "note"],
        )
        frame["n_resamples"] = frame["n_resamples"].astype("Int64")
        return frame

    def _summary_lines(self) -> list[str]:
        groups = ", ".join(f"{g} ({n})" for g, n in zip(self.groups, self.sizes, strict=True))
        lines = [
            f"Profile test of {self.n_items} items across groups {groups}",
            f"  method {self.method} ({self.reason})",
            f"  statistic {self.statistic:.4g} (chi-square df {self.df}), p = {self.pvalue:.4g}",
        ]
        if self.n_resamples is not None:
            low, high = self.confidence_interval()
            lines.append(
                f"  {self.n_resamples} permutations; p-value {self.confidence_level:.0%} "
                f"interval {low:.4g} to {high:.4g}"
            )
        return lines


def _whitened(indicators: np.ndarray) -> np.ndarray:
    """Centred items times a square root of their covariance's pseudo-inverse.

    Then ``n_k m_k' S^+ m_k`` of the group means is ``|sum_k|^2 / n_k`` of
    the group sums of the whitened rows: the statistic is a few squared norms.
    """
    centred = indicators - indicators.mean(axis=0)
    covariance = centred.T @ centred / len(centred)
    values, vectors = np.linalg.eigh(covariance)
    # numpy's matrix_rank tolerance: items that always co-occur add no rank
    tol = max(values.max(initial=0.0), 0.0) * max(covariance.shape) * np.finfo(float).eps
    keep = values > tol
    return centred @ (vectors[:, keep] / np.sqrt(values[keep]))


def _statistic(member: np.ndarray, whitened: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Statistic of each row of `member` (batch x subjects group codes): one matrix product.

    The sums of the last group are minus those of the others (the rows are
    centred), so only k - 1 indicator rows per permutation enter the product.
    """
    batch, n = member.shape
    k = len(sizes)
    indicator = member[:, None, :] == np.arange(k - 1)[None, :, None]
    sums = (indicator.reshape(batch * (k - 1), n).astype(float) @ whitened).reshape(
        batch, k - 1, -1
    )
    last = sums.sum(axis=1)
    return ((sums**2).sum(axis=2) / sizes[:-1]).sum(axis=1) + (last**2).sum(axis=1) / sizes[-1]


def _permutation_hits(codes, whitened, sizes, observed, n_resamples, rng) -> int:
    n = len(codes)
    batch = max(1, min(n_resamples, _BATCH_CELLS // (n * len(sizes))))
    hits = 0
    for start in range(0, n_resamples, batch):
        size = min(batch, n_resamples - start)
        # Shuffling the codes row by row makes the same swaps as rng.permutation(n)
        # would, so row b holds codes[permutation b]: the stream of the former loop.
        member = np.tile(codes, (size, 1))
        rng.permuted(member, axis=1, out=member)
        hits += int(np.count_nonzero(_statistic(member, whitened, sizes) >= observed * _TIE))
    return hits


def _check_inputs(indicators, groups):
    values = np.asarray(indicators.to_numpy() if isinstance(indicators, pd.DataFrame)
                        else indicators)  # fmt: skip
    labels = np.asarray(groups, dtype=object)
    problems = []
    if values.ndim != 2:
        problems.append(f"indicators must be subjects x items (2-D), got {values.ndim}-D")
    elif not (np.issubdtype(values.dtype, np.number) or values.dtype == bool):
        problems.append(f"indicators must be numbers or booleans, got dtype {values.dtype}")
    elif not np.isfinite(values.astype(float)).all():
        problems.append("indicators must be finite (no missing values)")
    if labels.ndim != 1 or (values.ndim == 2 and len(labels) != len(values)):
        problems.append(f"groups must give one label per subject, got {labels.size}")
    elif pd.isna(labels).any():
        problems.append("groups has missing labels; leave those subjects out first")
    elif len(pd.unique(labels)) < 2:
        problems.append(f"groups must have at least 2 distinct labels, got {pd.unique(labels)}")
    if problems:
        raise ValueError("; ".join(problems))
    return values.astype(float), labels


def profile_test(
    indicators,
    groups,
    *,
    method: str = "auto",
    n_resamples: int = 4999,
    rng=0,
    confidence_level: float = 0.95,
) -> ProfileTestResult:
    """Test whether groups of subjects differ in their profile of several items.

    Parameters
    ----------
    indicators : 2-D array-like or pandas.DataFrame
        One row per subject, one column per item (1: the subject has it).
    groups : 1-D array-like
        Group label of each subject.
    method : {"auto", "permutation", "chi2"}
        ``"permutation"``: p = (1 + #{permutations of the group labels with a
        statistic at least the observed}) / (n_resamples + 1).
        ``"chi2"``: the statistic is asymptotically chi-square with
        ``(groups - 1) * rank`` degrees of freedom. ``"auto"``: permutation
        up to :data:`PERMUTATION_MAX_SUBJECTS` subjects, else chi-square.
    n_resamples : int
        Permutations.
    rng : int or numpy.random.Generator
        Seed or generator of the permutations.
    confidence_level : float
        Level of the Monte Carlo error interval of the p-value.

    Returns
    -------
    ProfileTestResult

    Notes
    -----
    With ``S`` the covariance of the centred item vectors (divisor n, its
    Moore-Penrose inverse ``S^+``) and ``m_k`` the mean centred vector of
    group k, the statistic is ``sum_k n_k m_k' S^+ m_k``. With a single item
    it is Pearson's chi-square of the 2 x groups table (without continuity
    correction). The permutations run in batches, one matrix product each.

    Examples
    --------
    >>> x = [[1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 1], [0, 0], [1, 1]]
    >>> res = profile_test(x, ["a"] * 4 + ["b"] * 4, n_resamples=999, rng=1)
    >>> res.method, res.df
    ('permutation', 2)
    """
    check_choice(method, PROFILE_METHODS, "method")
    n_resamples = check_n_resamples(n_resamples)
    values, labels = _check_inputs(indicators, groups)
    codes, names = pd.factorize(labels)
    sizes = np.bincount(codes).astype(float)
    whitened = _whitened(values)
    rank = whitened.shape[1]
    observed = float(_statistic(codes[None, :], whitened, sizes)[0])
    common = {"groups": tuple(str(g) for g in names), "sizes": tuple(int(s) for s in sizes),
              "n_items": values.shape[1], "rank": rank, "statistic": observed,
              "df": (len(names) - 1) * rank, "confidence_level": confidence_level}  # fmt: skip
    if rank == 0:
        return ProfileTestResult(pvalue=1.0, method="chi2", reason="no item varies", **common)
    if method == "auto":
        small = len(codes) <= PERMUTATION_MAX_SUBJECTS
        method = "permutation" if small else "chi2"
        reason = (f"{len(codes)} subjects, {'at most' if small else 'over'} "
                  f"{PERMUTATION_MAX_SUBJECTS}")  # fmt: skip
    else:
        reason = "chosen by the caller"
    if method == "chi2":
        from scipy import stats

        pvalue = float(stats.chi2.sf(observed, common["df"]))
        return ProfileTestResult(pvalue=pvalue, method="chi2", reason=reason, **common)
    hits = _permutation_hits(codes, whitened, sizes, observed, n_resamples, generator(rng))
    return ProfileTestResult(
        pvalue=(1 + hits) / (n_resamples + 1),
        method="permutation",
        reason=reason,
        n_resamples=n_resamples,
        n_exceed=hits,
        **common,
    )
