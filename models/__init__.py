"""Kaifang's NLP layer: spans, recognizers, the detection pipeline and the decision model.

Pure NLP: nothing here imports fastapi or sqlmodel, so it runs in batch jobs and notebooks.
"""
