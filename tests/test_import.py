"""`import casestats` must stay cheap: heavy libraries load only when used."""

import subprocess
import sys

HEAVY = ("pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "openpyxl")


def test_import_loads_no_heavy_library():
    code = f"import sys, casestats\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names_resolve():
    import casestats

    for name in casestats.__all__:
        assert getattr(casestats, name) is not None, name


def test_unknown_name_is_an_attribute_error():
    import casestats

    try:
        casestats.no_such_function  # noqa: B018
    except AttributeError as err:
        assert "no_such_function" in str(err)
    else:
        raise AssertionError("expected AttributeError")
