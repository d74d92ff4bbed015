"""Moved to :mod:`kvopt.solvers.semi_online.dp`; this name stays as an alias of it.

The alias is the module itself (not a copy of its names), so attribute access and
patching through either name reach the same objects.
"""

import sys

from kvopt.solvers.semi_online import dp as _moved

sys.modules[__name__] = _moved
