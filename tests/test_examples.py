"""The shipped example instances load, validate, and are reproduced by their script."""

import importlib.util
from pathlib import Path

import pytest

from kvopt.io import load_instance

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("make_examples", ROOT / "scripts/make_examples.py")
make_examples = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_examples)


@pytest.mark.shipped_data
@pytest.mark.parametrize("stem", sorted(make_examples.EXAMPLES))
def test_example_is_reproduced(stem):
    shipped = load_instance(ROOT / "instances" / "examples" / f"{stem}.json")
    assert shipped == make_examples.build(stem)


def test_every_family_has_an_example():
    from kvopt.generators import FAMILIES

    families = {family for family, _, _ in make_examples.EXAMPLES.values()}
    assert families == set(FAMILIES)


def test_examples_match_the_instance_schema():
    import json

    import jsonschema

    schema = json.loads((ROOT / "instances" / "instance.schema.json").read_text())
    for stem in make_examples.EXAMPLES:
        data = json.loads((ROOT / "instances" / "examples" / f"{stem}.json").read_text())
        jsonschema.validate(data, schema)
