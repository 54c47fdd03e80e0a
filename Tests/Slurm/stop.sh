#!/usr/bin/env bash
# Stops the cluster Tests/Slurm/start.sh started in STATE_DIR: Slurm first, then munged.
set -uo pipefail
state=${1:?usage: stop.sh STATE_DIR}
export SLURM_CONF="$state/slurm.conf"
scontrol shutdown >/dev/null 2>&1
# Give the daemons a few seconds to leave on their own, then make sure they have.
for name in slurmctld slurmd; do
    pidfile="$state/$name.launcher.pid"
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill "$pid" 2>/dev/null
    rm -f "$pidfile"
done
if [ -f "$state/munged.pid" ]; then
    kill "$(cat "$state/munged.pid")" 2>/dev/null
    rm -f "$state/munged.pid"
fi
exit 0
