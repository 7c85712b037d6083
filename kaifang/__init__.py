"""Kaifang's composition root: the ``kaifang`` command line, which wires models, store and jobs."""

__version__ = "0.1.0"
