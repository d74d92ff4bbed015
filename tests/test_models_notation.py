"""The notation tables of ``models/*.md`` name things that exist in the code.

Every Markdown table in a ``models/`` document whose header has a column mentioning
"code" (``code``, ``name in the code``, ...) is checked: each `backticked` entry of that
column must exist in kvopt. The documents are collected when the tests are, so a new
document is covered without touching this file. The rules, so that a failure is easy to
act on:

- ``Class.attr`` / ``module.func`` / ``kvopt.pkg.mod.name``: the first part is any
  top-level name (or module) of any kvopt module; each further part must be an attribute
  of the previous one. For classes, attributes include dataclass fields, annotations,
  ``__slots__`` and attributes assigned in the class body as ``self.attr = ...``.
- Calls and indexing are allowed and ignored: ``verify(instance, schedule)`` checks
  ``verify``, ``x[i, k]`` checks ``x``.
- A bare name (``solve``, ``kv_tokens``, ``range``) must be a top-level name of some
  kvopt module, an attribute of some kvopt class, a parameter of some kvopt function or
  method, a variable assigned somewhere in kvopt's source, or a builtin.
- Names of solver variables made from a pattern (``B_i_k`` or ``step_{i}_{j}`` for the
  source's ``f"B_{i}_{k}"``) match a string literal of the source with ``{...}`` fields.
- ``Class.a``, ``.b`` in one cell: ``.b`` is read as ``Class.b``.
- Model components built at run time (a Pyomo ``model.x``, a CP-SAT variable name) are
  found in the source: ``model.x`` passes if some kvopt module assigns ``<obj>.x = ...``
  or calls ``add_component("x", ...)``, unless ``model`` names a kvopt class.
- Paths (``kvopt/solvers/milp.py``) must exist in the repository; quoted strings
  (``"milp"``) must occur in kvopt's source; other expressions are checked for their
  dotted names only.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib
import inspect
import pkgutil
import re
import typing
from functools import lru_cache
from pathlib import Path

import pytest

import kvopt

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "models").glob("*.md"))

_IDENT = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


# -- the tables ------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    body = line.strip().strip("|")
    # split on pipes that are not inside backticks
    out, cur, tick = [], [], False
    for ch in body:
        if ch == "`":
            tick = not tick
        if ch == "|" and not tick:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return out


def _entries(cell: str) -> list[str]:
    """The backticked entries of a cell; ``.attr`` continues the previous entry's owner."""
    out: list[str] = []
    for m in re.findall(r"`([^`]+)`", cell):
        m = m.strip()
        if m.startswith(".") and out and "." in out[-1]:
            m = out[-1].rsplit(".", 1)[0] + m
        out.append(m)
    return out


def code_entries(text: str) -> list[tuple[int, str]]:
    """``(line number, backticked entry)`` for every code-column cell of every table."""
    lines = text.splitlines()
    found: list[tuple[int, str]] = []
    k = 0
    while k + 1 < len(lines):
        head, sep = lines[k], lines[k + 1]
        if (
            head.lstrip().startswith("|")
            and re.match(r"^\s*\|?[\s:|-]+\|?\s*$", sep)
            and "-" in sep
        ):
            names = [c.lower() for c in _cells(head)]
            cols = [j for j, c in enumerate(names) if "code" in c]
            k += 2
            while k < len(lines) and lines[k].lstrip().startswith("|"):
                cells = _cells(lines[k])
                for j in cols:
                    if j < len(cells):
                        found += [(k + 1, m) for m in _entries(cells[j])]
                k += 1
        else:
            k += 1
    return found


# -- what exists in kvopt ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _modules() -> list:
    mods = [kvopt]
    for info in pkgutil.walk_packages(kvopt.__path__, "kvopt."):
        if info.name.endswith("__main__"):  # importing it would run the command line
            continue
        try:
            mods.append(importlib.import_module(info.name))
        except ImportError:  # an optional dependency is missing: skip that module
            continue
    return mods


@lru_cache(maxsize=1)
def _symbols() -> dict[str, list]:
    table: dict[str, list] = {}
    for mod in _modules():
        table.setdefault(mod.__name__.rsplit(".", 1)[-1], []).append(mod)
        for name, obj in vars(mod).items():
            if not name.startswith("__"):
                table.setdefault(name, []).append(obj)
    return table


@lru_cache(maxsize=1)
def _source() -> str:
    return "\n".join((p.read_text(encoding="utf-8")) for p in (ROOT / "kvopt").rglob("*.py"))


@lru_cache(maxsize=1)
def _parameters() -> frozenset[str]:
    """Parameter names of every function and method defined in kvopt."""
    names: set[str] = set()
    funcs = []
    for objs in _symbols().values():
        for obj in objs:
            if getattr(obj, "__module__", "").startswith("kvopt"):
                if inspect.isclass(obj):
                    funcs += [f for f in vars(obj).values() if inspect.isfunction(f)]
                elif inspect.isfunction(obj):
                    funcs.append(obj)
    for f in funcs:
        try:
            names.update(inspect.signature(f).parameters)
        except (TypeError, ValueError):
            continue
    return frozenset(names - {"self", "cls"})


def _class_attributes(cls: type) -> dict[str, object]:
    """Attribute names of instances of ``cls`` -> their annotated type (or None)."""
    attrs: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        if klass is object:
            continue
        try:
            hints = typing.get_type_hints(klass)
        except Exception:
            hints = {}
        for name in getattr(klass, "__annotations__", {}):
            attrs[name] = hints.get(name)
        for name in getattr(klass, "__slots__", ()):
            attrs.setdefault(name, None)
        if dataclasses.is_dataclass(klass):
            for f in dataclasses.fields(klass):
                attrs.setdefault(f.name, hints.get(f.name))
        try:
            src = inspect.getsource(klass)
        except (OSError, TypeError):
            src = ""
        for name in re.findall(r"self\.([A-Za-z_]\w*)\s*(?::[^=]+)?=", src):
            attrs.setdefault(name, None)
    return attrs


def _step(obj: object, name: str) -> tuple[bool, object]:
    """Whether ``obj`` has attribute ``name``, and the attribute (or its type, if known)."""
    if hasattr(obj, name):
        return True, getattr(obj, name)
    if inspect.isclass(obj):
        attrs = _class_attributes(obj)
        if name in attrs:
            return True, attrs[name]
    return False, None


def _resolve_from(obj: object, parts: list[str]) -> bool:
    for name in parts:
        if obj is None:  # an attribute of unknown type: cannot look further
            return True
        ok, nxt = _step(obj, name)
        if not ok:
            return False
        obj = nxt
    return True


def _runtime_component(parts: list[str]) -> bool:
    name = re.escape(parts[-1])
    src = _source()
    return bool(
        re.search(rf"\.\s*{name}\s*=(?!=)", src)
        or re.search(rf"add_component\(\s*[\"']{name}[\"']", src)
    )


@lru_cache(maxsize=1)
def _name_patterns() -> list[re.Pattern[str]]:
    """String literals of the source with ``{...}`` fields, as patterns (``f"B_{i}_{k}"``)."""
    pats = []
    for lit in set(re.findall(r"[\"']([A-Za-z_][\w{}\[\], .]*\{[^\"'\n]*)[\"']", _source())):
        parts = re.split(r"\{[^{}]*\}", lit)
        pats.append(re.compile("[A-Za-z0-9]+".join(re.escape(p) for p in parts)))
    return pats


def _solver_variable_name(name: str) -> bool:
    """Whether ``name`` (``B_i_k``, ``step_{i}_{j}``) is the name pattern of a model variable."""
    plain = re.sub(r"\{([^{}]*)\}", r"\1", name)
    return any(p.fullmatch(plain) for p in _name_patterns())


def _local_variable(name: str) -> bool:
    """Whether ``name`` is assigned (or a loop target) somewhere in kvopt's source."""
    n = re.escape(name)
    return bool(
        re.search(
            rf"^\s*(?:[\w\[\]]+\s*,\s*)*{n}\s*(?:,\s*[\w\[\]]+\s*)*(?::[^=\n]+)?=(?!=)",
            _source(),
            re.M,
        )
        or re.search(rf"^\s*for\s+[\w\s,()]*\b{n}\b[\w\s,()]*\sin\s", _source(), re.M)
    )


def resolves(entry: str) -> bool:
    """Whether the backticked ``entry`` names something that exists (rules above)."""
    text = entry.strip()
    if "{" in text:  # a name pattern, e.g. a solver variable's f-string
        return _solver_variable_name(text)
    if " " not in text and ("/" in text or text.endswith((".py", ".md", ".json", ".toml"))):
        return (ROOT / text.split("::")[0]).exists()
    if re.fullmatch(r"[\"'][^\"']+[\"']", text):
        return text in _source() or text.replace("'", '"') in _source()
    name = re.sub(r"\(.*\)$", "", text)  # calls
    name = re.sub(r"\[.*\]", "", name)  # indexing
    if not _IDENT.match(name):
        return all(resolves(d) for d in _DOTTED.findall(text))
    parts = name.split(".")
    if parts[0] == "kvopt" and len(parts) > 1 and _resolve_from(kvopt, parts[1:]):
        return True
    if parts[0] == "kvopt":
        for k in range(len(parts), 1, -1):
            try:
                mod = importlib.import_module(".".join(parts[:k]))
            except ImportError:
                continue
            return _resolve_from(mod, parts[k:])
        return False
    candidates = _symbols().get(parts[0], [])
    if any(_resolve_from(c, parts[1:]) for c in candidates):
        return True
    if len(parts) == 1:
        if hasattr(builtins, parts[0]) or _solver_variable_name(parts[0]):
            return True
        if _local_variable(parts[0]):
            return True
        return parts[0] in _parameters() or any(
            hasattr(obj, parts[0]) or parts[0] in _class_attributes(obj)
            for objs in _symbols().values()
            for obj in objs
            if inspect.isclass(obj) and obj.__module__.startswith("kvopt")
        )
    # a model component built at run time (``model.x``): its name is assigned somewhere
    return not any(inspect.isclass(c) for c in candidates) and _runtime_component(parts)


# -- the tests ---------------------------------------------------------------------------


def test_the_model_definition_has_a_notation_table():
    entries = code_entries((ROOT / "models" / "README.md").read_text(encoding="utf-8"))
    assert len(entries) >= 10
    assert "Instance.memory" in [e for _, e in entries]


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_notation_table_names_exist_in_the_code(doc):
    missing = [
        f"{doc.name}:{line}: `{entry}`"
        for line, entry in code_entries(doc.read_text(encoding="utf-8"))
        if not resolves(entry)
    ]
    assert not missing, "names in the code column that kvopt does not have:\n" + "\n".join(missing)


def test_the_checker_finds_wrong_names():
    text = """
| symbol | meaning | code |
|---|---|---|
| M | memory | `Instance.memory` |
| x | nothing | `Instance.no_such_field`, `NoSuchClass.attr` |
| c | a call | `verify(instance, schedule)` |
| p | a path | `kvopt/verify.py`, `kvopt/missing.py` |
| r | a report field | `Report.completion`, `kvopt.verify.Report.start` |
| c | continued | `LinearTimeModel.c_dec`, `.c_pre`, `.nope` |
| K | a parameter | `kv_tokens`, `no_such_parameter_anywhere` |
| S | a solver variable | `b{k}`, `zz_{i}_{j}_qq` |
"""
    entries = [e for _, e in code_entries(text)]
    assert entries == [
        "Instance.memory",
        "Instance.no_such_field",
        "NoSuchClass.attr",
        "verify(instance, schedule)",
        "kvopt/verify.py",
        "kvopt/missing.py",
        "Report.completion",
        "kvopt.verify.Report.start",
        "LinearTimeModel.c_dec",
        "LinearTimeModel.c_pre",
        "LinearTimeModel.nope",
        "kv_tokens",
        "no_such_parameter_anywhere",
        "b{k}",
        "zz_{i}_{j}_qq",
    ]
    bad = [e for e in entries if not resolves(e)]
    assert bad == [
        "Instance.no_such_field",
        "NoSuchClass.attr",
        "kvopt/missing.py",
        "LinearTimeModel.nope",
        "no_such_parameter_anywhere",
        "zz_{i}_{j}_qq",
    ]


def test_tables_without_a_code_column_are_ignored():
    text = "| a | b |\n|---|---|\n| `nope.nothing` | x |\n"
    assert code_entries(text) == []
