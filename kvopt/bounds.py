"""Renamed :mod:`kvopt.trivial_bounds`; this name stays as an alias of it.

The alias is the module itself (not a copy of its names), so attribute access and
patching through either name reach the same objects.
"""

import sys

from kvopt import trivial_bounds as _moved

sys.modules[__name__] = _moved
