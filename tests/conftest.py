"""Hypothesis profiles: a modest example count in CI, a soak run by name.

Pick one with the environment variable ``HYPOTHESIS_PROFILE`` (default
``ci``), e.g. ``HYPOTHESIS_PROFILE=soak python -m pytest tests/test_properties.py``.
Tests that fix ``max_examples`` themselves keep their own count.
"""

import os

# openpyxl writes different (equally valid) XML bytes when lxml is installed, as python-docx
# brings it; the corpus is compared byte for byte, so tests use the standard-library writer.
# Set before anything imports openpyxl, which reads it once.
os.environ.setdefault("OPENPYXL_LXML", "False")

from hypothesis import HealthCheck, settings

# Property tests write files into tmp_path; the fixture is shared by examples on purpose.
_SHARED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

settings.register_profile("ci", max_examples=50, deadline=None, suppress_health_check=_SHARED)
settings.register_profile("soak", max_examples=2000, deadline=None, suppress_health_check=_SHARED)
settings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=_SHARED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
