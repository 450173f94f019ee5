"""What each script picks: flag defaults (the original hyper-parameters) and
a model. ``scripts/<name>.py`` only calls ``legacy.experiments.<name>.run``."""
