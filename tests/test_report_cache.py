"""ResultCache: each analysis runs once, each figure is drawn once, warnings are not lost."""

import warnings

import matplotlib
import pytest

import casestats
from casestats.reporting import ResultCache, report

matplotlib.use("Agg")


class _Counted:
    """A stand-in result whose plot() counts its calls."""

    def __init__(self):
        self.plots = 0

    def plot(self, kind="bars"):
        import matplotlib.pyplot as plt

        self.plots += 1
        _, ax = plt.subplots(figsize=(2, 1))
        ax.bar([0, 1], [1, 2] if kind == "bars" else [2, 1])
        return ax


def test_same_call_with_defaults_spelled_out_runs_once():
    calls = []

    def analysis(data, *, level=0.95, labels=None):
        calls.append(level)
        return object()

    cache, data = ResultCache(), [1, 2]
    first = cache.run(analysis, data)
    assert cache.run(analysis, data, level=0.95) is first
    assert cache.run(analysis, list(data)) is not first  # equal data, another object
    assert cache.run(analysis, data, level=0.9) is not first
    assert calls == [0.95, 0.95, 0.9]


def test_warnings_are_raised_again_on_reuse():
    def analysis(data):
        warnings.warn("few studies", casestats.SmallSampleWarning, stacklevel=2)
        return 1

    cache = ResultCache()
    for _ in range(2):
        with pytest.warns(casestats.SmallSampleWarning, match="few studies"):
            cache.run(analysis, "x")


def test_figure_drawn_once_and_copied(tmp_path):
    cache, result = ResultCache(), _Counted()
    first = cache.save_figure(result, tmp_path / "a" / "one", kind="bars")
    again = cache.save_figure(result, tmp_path / "b" / "two", kind="bars")
    other = cache.save_figure(result, tmp_path / "c" / "three", kind="line")
    assert result.plots == 2
    assert [p.name for p in again] == ["two.png", "two.svg"]
    for a, b in zip(first, again, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert other[1].read_bytes() != first[1].read_bytes()


def test_report_reuses_what_the_cache_holds(tmp_path):
    cases = casestats.load_dataset("calcinosis_case_reports")
    cache = ResultCache()
    overall = cache.run(casestats.subtype_frequency, cases)
    drawn = cache.save_figure(overall, tmp_path / "scripts" / "subtype_frequency")
    path = report(cases, out=tmp_path / "report", cache=cache)
    assert cache.run(casestats.subtype_frequency, cases, confidence_level=0.95) is overall
    copied = path.parent / "figures" / "subtype_frequency.svg"
    assert copied.read_bytes() == drawn[1].read_bytes()


class _Broken:
    def plot(self):
        raise RuntimeError("no picture")


forks = pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")


@forks
def test_figures_drawn_in_other_processes_are_the_same_files(tmp_path):
    cases = casestats.load_dataset("calcinosis_case_reports")
    result = casestats.subtype_frequency(cases)
    here = ResultCache().save_figure(result, tmp_path / "here" / "f")
    forked = ResultCache(processes=2)
    there = forked.save_figure(result, tmp_path / "there" / "f")
    # asked for again before it is written: the copy waits for the drawing
    again = forked.save_figure(result, tmp_path / "again" / "f")
    by_sex = casestats.subtype_frequency(cases, by="sex")
    other = forked.save_figure(by_sex, tmp_path / "there" / "g")
    forked.wait()
    for a, b, c in zip(here, there, again, strict=True):
        assert a.read_bytes() == b.read_bytes() == c.read_bytes()
    assert [p.name for p in other] == ["g.png", "g.svg"] and other[1].stat().st_size > 0


@forks
def test_a_figure_that_fails_in_another_process_is_an_error_naming_it(tmp_path, capfd):
    cache = ResultCache(processes=1)
    cache.save_figure(_Broken(), tmp_path / "broken")
    cache.save_figure(_Counted(), tmp_path / "fine")  # waits for the first: it failed
    with pytest.raises(RuntimeError, match="figures not drawn .*broken"):
        cache.wait()
    assert "no picture" in capfd.readouterr().err
    cache.wait()  # nothing left to wait for
    assert (tmp_path / "fine.svg").exists()


@pytest.mark.parametrize("processes", [-1, 1.5, True])
def test_processes_must_be_a_whole_number(processes):
    with pytest.raises(ValueError, match="processes must be a whole number >= 0"):
        ResultCache(processes=processes)
