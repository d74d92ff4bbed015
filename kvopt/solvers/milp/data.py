"""Moved to :mod:`kvopt.solvers.index_sets` (shared with the LP bound, without Pyomo).

This name stays as an alias of it: the alias is the module itself, so the MILP's
modules and the LP bound see the same objects.
"""

import sys

from kvopt.solvers import index_sets as _moved

sys.modules[__name__] = _moved
