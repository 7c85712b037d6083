"""Training of the neural NER: the character BiLSTM-CRF tagger, its pre-trained embeddings and lexicon, and
the seeded recipe that builds the shipped default model (``python -m training.ner.train_default``).

The network itself lives in ``models.recognizers.char_tagger`` (inference needs it, and ``models``
never imports ``training``).
"""
from training.ner.train import TrainConfig, train_tagger

__all__ = ["TrainConfig", "train_tagger"]
