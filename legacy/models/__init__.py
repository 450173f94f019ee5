"""Graph builders: input tensors and hyper-parameters in, named logits out.

No Session, no flags, no file I/O here (see legacy/train.py for those).
"""
