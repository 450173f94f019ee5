"""Synchronous data-parallel training on a PS/worker cluster.

- ``cluster``: the cluster's flags and spec (--job_name/--ps_hosts/... or TF_CONFIG).
- ``sync_training``: one task of a run (ps or worker) for the MNIST classifiers.
- ``launcher``: starts a local cluster (scripts/launch_cluster.py).
"""
