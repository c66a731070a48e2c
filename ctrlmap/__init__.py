"""ctrlmap: who owns each compliance control under an IT operating model, and what falls between the chairs."""

__version__ = "0.1.0"
