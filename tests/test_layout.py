"""Guards for the repository layout: ``datasets/`` is data only and never shadows HF datasets.

Why: a data-only ``datasets/`` folder on ``sys.path`` (the repo root, as ``python -m pytest`` and
``python script.py`` put it) becomes a PEP 420 namespace package called ``datasets``.
transformers then believes Hugging Face ``datasets`` is installed and ``Trainer.train()`` fails
with "module 'datasets' has no attribute 'Dataset'" (see ENVIRONMENT.md). The project therefore
keeps ``datasets/`` free of Python files and keeps transformers' Trainer out of its code, unless
the real HF ``datasets`` package is installed (a regular package wins over a namespace folder).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CODE_DIRS = ("models", "review_app", "training", "kaifang", "benchmarks", "scripts")


def test_datasets_folder_holds_no_python():
    offenders = [p.relative_to(REPO).as_posix() for p in (REPO / "datasets").rglob("*")
                 if p.suffix in (".py", ".pyc", ".pyx", ".so") or p.name == "__init__.py"]
    assert offenders == [], f"datasets/ is data and data cards only, found: {offenders}"


def test_datasets_is_not_packaged():
    cfg = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    include = cfg["tool"]["setuptools"]["packages"]["find"]["include"]
    assert not any(pattern.startswith("datasets") for pattern in include)


def _probe() -> dict:
    """What ``import datasets`` means with the repo root first on sys.path, in a clean process."""
    code = (
        "import importlib.util, json, sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "spec = importlib.util.find_spec('datasets')\n"
        "out = {'found': spec is not None, 'origin': spec.origin if spec else None,\n"
        "       'locations': list(spec.submodule_search_locations or []) if spec else []}\n"
        "if spec is not None and spec.origin is not None:\n"
        "    import datasets\n"
        "    out['has_Dataset'] = hasattr(datasets, 'Dataset')\n"
        "print(json.dumps(out))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                         env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def _trainer_users() -> list[str]:
    pattern = re.compile(r"\b(Trainer|TrainingArguments|Seq2SeqTrainer)\b")
    users = []
    for d in CODE_DIRS:
        for p in (REPO / d).rglob("*.py") if (REPO / d).is_dir() else []:
            text = p.read_text(encoding="utf-8", errors="replace")
            if "transformers" in text and pattern.search(text):
                users.append(p.relative_to(REPO).as_posix())
    return users


def test_datasets_name_does_not_break_transformers():
    probe = _probe()
    repo_folder = str(REPO / "datasets")
    if probe["found"] and probe["origin"] is None and repo_folder in probe["locations"]:
        # The repo folder shadows the name as a namespace package: transformers'
        # is_datasets_available() then says True although no HF datasets exists, so no code may
        # rely on transformers' Trainer (use a plain torch loop), or install HF datasets.
        assert _trainer_users() == [], (
            "datasets/ shadows Hugging Face datasets as a namespace package, so transformers.Trainer "
            f"would fail; these modules use it: {_trainer_users()}. Install the real `datasets` package "
            "(add it to pyproject.toml) or use a plain torch training loop.")
    elif probe["found"] and probe["origin"] is not None:
        assert probe.get("has_Dataset"), f"'datasets' resolves to {probe['origin']}, which is not HF datasets"
