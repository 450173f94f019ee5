#!/bin/bash
# issue 30: golbin's DQN (legacy/originals/dqn_agent.py, Adam 1e-6, seed 0) run as long as the machine allows,
# on 1 thread, resumable; every 10 minutes its episodes.csv and TensorBoard events are copied to
# docs/records/tracks/dqn-run/ and committed on this branch (dqn-run). Start: setsid nohup tools/dqn_long_run.sh &
# Stop: kill -TERM -<PGID> (the driver's process group). A restart resumes from the last save (every 100 episodes).
cd "$(dirname "$0")/.."
RUN=runs/dqn-port-seed0
OUT=docs/records/tracks/dqn-run
mkdir -p "$RUN" "$OUT"
commit() {
  cp "$RUN/episodes.csv" "$OUT/episodes.csv" 2>/dev/null || return
  mkdir -p "$OUT/logs" && cp "$RUN"/logs/events.out.tfevents.* "$OUT/logs/" 2>/dev/null
  last=$(tail -1 "$OUT/episodes.csv")
  echo "$(date -u +%FT%TZ) last episode,game_step,reward: $last; load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/progress.log"
  git add "$OUT" && git commit -q -m "dqn-run: golbin's DQN port, seed 0, Adam 1e-6, 1 thread: at episode,game_step,reward $last" || true
}
(
  while true; do sleep 600; commit; done
) &
COMMITTER=$!
trap 'kill $COMMITTER; commit; exit' TERM INT
RESUME=""
[ -f "$RUN/model/port_state.pkl" ] && RESUME=--resume
.venv/bin/python -m legacy.originals.dqn_agent --train --seed=0 --threads=1 --max_steps=1708830 \
  --logdir="$RUN" $RESUME >> "$RUN/agent.log" 2>&1
kill $COMMITTER
commit
