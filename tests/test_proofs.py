"""Every proof names the tests that check it, and those tests exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROOFS = sorted(p for p in (ROOT / "proofs").glob("*.md") if p.name != "README.md")


def test_there_are_proofs():
    assert len(PROOFS) >= 10


@pytest.mark.parametrize("proof", PROOFS, ids=lambda p: p.name)
def test_proof_is_indexed_and_names_existing_tests(proof):
    index = (ROOT / "proofs" / "README.md").read_text(encoding="utf-8")
    assert f"({proof.name})" in index, f"{proof.name} is missing from proofs/README.md"
    refs = re.findall(r"tests/([a-z_0-9]+\.py)::([A-Za-z_0-9]+)", proof.read_text("utf-8"))
    assert refs, f"{proof.name} names no test (tests/FILE.py::test_name)"
    for file, name in refs:
        path = ROOT / "tests" / file
        assert path.exists(), f"{proof.name}: no tests/{file}"
        defined = {
            node.name
            for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.FunctionDef)
        }
        assert name in defined, f"{proof.name}: tests/{file} has no {name}"
