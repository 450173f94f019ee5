"""What each of the study's scripts picks: its flags (defaults from the model
registry), a model and a runner, in a ``main(argv)``. ``scripts/<name>.py``
calls ``startup.launch`` with the module's name (legacy/console.py lists
every one), which runs that ``main`` through legacy/cli.py."""
