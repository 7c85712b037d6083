"""Synthetic archival documents with span annotations and policy-derived decisions.

Public API: :func:`generate_documents` (see ``training.synth.generator``). Command line:
``python -m training.synth --n N --seed S --split train|test --out FILE.jsonl``.
"""
from training.synth.generator import SPLITS, generate_document, generate_documents, templates_for

__all__ = ["SPLITS", "generate_document", "generate_documents", "templates_for"]
