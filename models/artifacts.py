"""Model-version directories: manifest.json, atomic writes, version names.

A MODEL VERSION is a directory::

    manifest.json   {"version", "created", "parent", "data_fingerprint", "code_version",
                     "metrics", "components": {"ner": {...}, "decision": {...}}}
    ner/            the detection pipeline (models.pipeline): rules config + neural tagger
    decision/       the decision model (models.decision)

Why atomic: the review app may load the current version while a training job writes the next
one; a reader must see the old directory or the complete new one, never half of it. Writers
fill a temporary sibling directory and rename it into place (rename is atomic on one
filesystem).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

MANIFEST = "manifest.json"
MANIFEST_KEYS = ("version", "created", "parent", "data_fingerprint", "code_version", "metrics",
                 "components")
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def validate_version_name(name: str) -> str:
    """Version names go into span sources and file names: letters, digits, ``._-`` only."""
    if not isinstance(name, str) or not VERSION_RE.match(name):
        raise ValueError(f"invalid model version name {name!r}: use 1-64 of [A-Za-z0-9._-], "
                         "starting with a letter or digit")
    return name


def new_version_name(existing: Iterable[str] = (), *, today: datetime | None = None) -> str:
    """``YYYY-MM-DD-a``, ``-b``, ... : the first suffix not in ``existing``."""
    day = (today or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
    taken = set(existing)
    for i in range(26 * 27):
        suffix = _alpha(i)
        name = f"{day}-{suffix}"
        if name not in taken:
            return name
    raise RuntimeError(f"no free version name left for {day}")


def _alpha(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


@contextlib.contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """Yield an empty temp dir next to ``target``; on success it replaces ``target``.

    On an exception the temp dir is removed and ``target`` is untouched. An existing ``target``
    is moved aside first and deleted only after the new one is in place.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
        _make_readable(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{os.getpid()}-{os.urandom(3).hex()}"
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _make_readable(root: Path) -> None:
    """mkdtemp/mkstemp create owner-only entries; a model directory is read by the app's user
    and by other tools, so directories become 0755 and files 0644 (umask still applies)."""
    os.chmod(root, 0o755)
    for p in root.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)


def write_json_atomic(path: str | Path, obj: Any) -> None:
    """JSON (UTF-8, sorted keys, indented) via temp file + rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def make_manifest(*, version: str, parent: str | None = None, data_fingerprint: str = "",
                  metrics: dict | None = None, components: dict | None = None,
                  code_version: str | None = None, created: str | None = None) -> dict:
    return {
        "version": validate_version_name(version),
        "created": created or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "parent": parent,
        "data_fingerprint": data_fingerprint,
        "code_version": code_version if code_version is not None else current_code_version(),
        "metrics": metrics or {},
        "components": components or {},
    }


def write_manifest(version_dir: str | Path, manifest: dict) -> Path:
    missing = [k for k in MANIFEST_KEYS if k not in manifest]
    if missing:
        raise ValueError(f"manifest lacks {missing}")
    validate_version_name(manifest["version"])
    path = Path(version_dir) / MANIFEST
    write_json_atomic(path, manifest)
    return path


def read_manifest(version_dir: str | Path) -> dict:
    path = Path(version_dir) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{version_dir} is not a model version: no {MANIFEST}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc
    missing = [k for k in MANIFEST_KEYS if k not in manifest]
    if missing:
        raise ValueError(f"{path} lacks {missing}")
    validate_version_name(manifest["version"])
    return manifest


def update_manifest(version_dir: str | Path, **changes: Any) -> dict:
    """Read, merge top-level keys (``components`` and ``metrics`` merged one level), write."""
    manifest = read_manifest(version_dir)
    for key, value in changes.items():
        if key in ("components", "metrics") and isinstance(value, dict):
            manifest[key] = {**manifest.get(key, {}), **value}
        else:
            manifest[key] = value
    write_manifest(version_dir, manifest)
    return manifest


def fingerprint_records(records: Iterable[dict]) -> str:
    """SHA-256 over the canonical JSON of (id, text, spans) of each record, in order."""
    h = hashlib.sha256()
    for r in records:
        core = {"id": r.get("id"), "text": r.get("text"), "spans": r.get("spans", [])}
        h.update(json.dumps(core, ensure_ascii=False, sort_keys=True,
                            separators=(",", ":")).encode("utf-8"))
        h.update(b"\n")
    return "sha256:" + h.hexdigest()


def directory_size(path: str | Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def current_code_version() -> str:
    """The git commit of the source tree, if any (``unknown`` outside a checkout)."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root,
                             capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"
