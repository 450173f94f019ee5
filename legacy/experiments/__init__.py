"""What each script picks: its flags (defaults from the model registry), a
model and a runner. ``scripts/<name>.py`` only calls ``legacy.experiments.<name>.run``."""
