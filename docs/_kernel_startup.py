"""Run by every docs page's kernel before its first cell (an IPython startup file).

``conf.py`` copies this file into a throwaway IPython profile and points the kernels at it
(``IPYTHONDIR``), so no page needs a hidden set-up cell and nothing is written into the
repository. Two settings:

* figures as SVG, which stay sharp at any zoom (the inline backend's default is PNG);
* warnings shown as a user sees them, ``SmallSampleWarning: message``, without the
  build machine's file paths and line numbers.
"""

import warnings

from IPython import get_ipython

get_ipython().run_line_magic("config", 'InlineBackend.figure_formats = ["svg"]')
warnings.formatwarning = lambda message, category, *args, **kwargs: (
    f"{category.__name__}: {message}\n"
)
