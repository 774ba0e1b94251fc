"""Hypothesis profiles: a deterministic one for CI, a long random soak run by name.

Pick one with the environment variable ``HYPOTHESIS_PROFILE`` (default
``ci``), e.g. ``HYPOTHESIS_PROFILE=soak python -m pytest tests/test_properties.py``.
The ``ci`` profile draws the same examples on every run and keeps no example
database, so a red build is never luck; the ``soak`` profile draws fresh random
examples to look for new failures. Tests that fix ``max_examples`` themselves
keep their own count.
"""

import os

from hypothesis import HealthCheck, settings

# Property tests write files into tmp_path; the fixture is shared by examples on purpose.
_SHARED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    suppress_health_check=_SHARED,
    derandomize=True,
    database=None,
)
settings.register_profile("soak", max_examples=2000, deadline=None, suppress_health_check=_SHARED)
settings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=_SHARED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
