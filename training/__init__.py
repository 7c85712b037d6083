"""Offline jobs: corpora, synthetic data, training, retraining, active learning, Label Studio sync."""
