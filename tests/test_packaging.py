"""A plain (non-editable) ``pip install .`` ships the root folders schemas/, harvesters/, i18n/."""
from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import importlib.resources as res, json
import ckanext.longan_opendata.harvesters as h
pkg = res.files("ckanext.longan_opendata")
print(json.dumps({
    "harvesters": h.__file__,
    "schema": (res.files("ckanext.longan_opendata.schemas") / "dataset.yaml").is_file(),
    "po": (res.files("ckanext.longan_opendata.i18n")
           / "vi/LC_MESSAGES/ckanext-longan_opendata.po").is_file(),
    "mo": (res.files("ckanext.longan_opendata.i18n")
           / "vi/LC_MESSAGES/ckanext-longan_opendata.mo").is_file(),
    "declaration": (pkg / "config_declaration.yaml").is_file(),
    "packages": all((pkg / name / "__init__.py").is_file() for name in (
        "metadata", "workflow", "dcat", "dcat/profiles", "portal", "model", "ops", "demo")),
    "templates": (pkg / "templates" / "longan" / "metadata" / "license.html").is_file(),
    "migrations": any((pkg / "migration" / "longan_opendata" / "versions").iterdir()),
}))
"""


@pytest.mark.slow
def test_plain_install_into_a_fresh_venv_ships_schemas_harvesters_and_i18n(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    (wheel,) = wheels.glob("ckanext_longan_opendata-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True,
    )
    # run from tmp_path so that the checkout is not on sys.path
    out = subprocess.run([str(python), "-c", PROBE], check=True, capture_output=True,
                         text=True, cwd=tmp_path).stdout
    found = json.loads(out)
    assert found["harvesters"].startswith(str(env_dir))
    assert found["harvesters"].endswith("ckanext/longan_opendata/harvesters/__init__.py")
    assert found == {**found, "schema": True, "po": True, "mo": True, "declaration": True,
                     "packages": True, "templates": True, "migrations": True}
