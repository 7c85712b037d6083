"""Registry of recognizer factories under versioned names (``cn_resident_id.v1``).

Why explicit: a recognizer that registers itself as an import side effect silently disappears
when nobody imports its module. Here registration is a call (``register``), idempotent for the
same factory, and a config file (``models/configs/rules.toml``) names what runs. Registering a
*different* factory under a taken name is an error: a version name means one behaviour forever.
"""
from __future__ import annotations

from typing import Any, Callable

__all__ = ["register", "create", "registered", "is_registered", "RegistryError"]

_FACTORIES: dict[str, Callable[..., Any]] = {}


class RegistryError(KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


def _check_name(name: str) -> None:
    base, _, version = name.rpartition(".v")
    if not base or not version.isdigit():
        raise ValueError(f"recognizer names are versioned like 'cn_resident_id.v1', got {name!r}")


def register(name: str, factory: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``factory`` under ``name``; a second identical registration is a no-op."""
    _check_name(name)
    existing = _FACTORIES.get(name)
    if existing is not None and existing is not factory:
        raise RegistryError(f"{name!r} is already registered to {existing!r}; bump the version instead")
    _FACTORIES[name] = factory
    return factory


def create(name: str, **params: Any) -> Any:
    """Build the recognizer registered as ``name`` with ``params`` (constructors do no I/O)."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        known = ", ".join(sorted(_FACTORIES)) or "none (call register_builtin_recognizers() first)"
        raise RegistryError(f"no recognizer registered as {name!r}; registered: {known}") from None
    return factory(**params)


def is_registered(name: str) -> bool:
    return name in _FACTORIES


def registered() -> list[str]:
    return sorted(_FACTORIES)
