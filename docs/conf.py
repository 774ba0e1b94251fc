"""Sphinx configuration of the casestats documentation.

The site builds offline with warnings as errors (``make docs``), and every
MyST page is executed at build time by myst-nb, so an example that stops
working breaks the build. Pages that would otherwise drift from the code are
generated here: the API list from ``casestats.__all__`` and one page per
bundled dataset from its metadata sidecar.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import casestats

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # _docgen.py sits beside this file

import _docgen  # noqa: E402

project = "casestats"
author = "casestats developers"
copyright = "casestats developers"
version = release = casestats.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
]

# _api_list.md is generated and included by api.md, not a page of its own.
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute", "_api_list.md"]
templates_path: list[str] = []

# --- executed pages (myst-nb) ---------------------------------------------
# "force" runs every page on every build: the docs are a test of the examples.
# Every kernel starts from _kernel_startup.py (SVG figures, warnings without build paths),
# through a throwaway IPython profile, so the pages need no hidden set-up cells.
_IPYTHONDIR = Path(tempfile.mkdtemp(prefix="casestats-docs-ipython-"))
(_IPYTHONDIR / "profile_default" / "startup").mkdir(parents=True)
shutil.copy(HERE / "_kernel_startup.py", _IPYTHONDIR / "profile_default" / "startup" / "00-docs.py")
os.environ["IPYTHONDIR"] = str(_IPYTHONDIR)
atexit.register(shutil.rmtree, _IPYTHONDIR, ignore_errors=True)
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_execution_show_tb = True
nb_merge_streams = True
# Markdown printed by a cell (tables, lists) is rendered with MyST, tables included.
nb_render_markdown_format = "myst"
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]
myst_heading_anchors = 3

# --- API reference ---------------------------------------------------------
autosummary_generate = ["_api_list.md"]
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc sections already give the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Only structural checks: the docstring content is reviewed in the test suite.
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

# --- HTML -----------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"casestats {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "getting-started": []}
html_static_path = ["_static"]
html_css_files = ["casestats.css"]


def setup(app):
    app.connect("builder-inited", _docgen.write_dataset_pages)
    # Before autosummary's own builder-inited hook (priority 500), which reads the list.
    app.connect("builder-inited", _docgen.write_api_list, priority=400)
    return {"parallel_read_safe": True}
