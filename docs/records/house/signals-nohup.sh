#!/bin/bash
# $1: checkout, $2: venv, $3: log
K="late_signal or signal_checkpoints or sigint_during or second_signal or signal_while or interrupt_during_training or interrupt_while_reading or interrupted_sweep or stopped_reproduction or forwarding_reaches"
cd $1 && nohup setsid sh -c "trap '' INT; grep SigIgn /proc/self/status; $2/bin/python -m pytest -q -p no:cacheprovider -rfE tests/test_cli.py tests/test_run_folder.py tests/test_run_folder_safety.py tests/test_reproduce_stop.py -k '$K'" > $3 2>&1 < /dev/null
echo "EXIT $?" >> $3
