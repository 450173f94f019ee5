"""The study's scripts, ported line by line beside the library.

Each module here is one script the study ran, as it was written: placeholders,
``tf.Variable``s, cost, optimizer, ``tf.Session`` and the same loop and
printed lines. The only additions are marked ``# port:`` and come from
``port.py`` (seed, data folder, limits, output). tests/test_originals.py
proves that each port and its library command compute the same costs.
See docs/originals.md for the table original -> port -> library command.
"""
