"""Printing user text safely: the one escape applied wherever kvopt prints names or ids.

Instance names, request ids, solver names and file paths come from files and the
command line. Printed raw, a newline in a request id could forge a line of
``kvopt verify``'s report, and a terminal escape sequence could rewrite the screen.
:func:`escape` turns every control or formatting character into a visible escape
(``\\n``, ``\\x1b``, ``\\u202e``), so each printed line is exactly one line of kvopt's.
"""

from __future__ import annotations

import unicodedata

#: Unicode categories shown escaped: control, format, line/paragraph separators,
#: surrogates, private use and unassigned code points.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(ch: str) -> str:
    if unicodedata.category(ch) not in _HIDDEN:
        return ch
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape(text: object) -> str:
    """``str(text)`` with control and formatting characters shown as escapes.

    Printable text (the usual case) is returned unchanged, and escaping twice changes
    nothing more, so messages may pass through it at several layers.

    Examples
    --------
    >>> escape("r1\\nfeasible")
    'r1\\\\nfeasible'
    >>> escape("plain id")
    'plain id'
    """
    s = str(text)
    if s.isprintable():
        return s
    return "".join(_escape_char(ch) for ch in s)
