#!/usr/bin/env bash
# Starts a single-node Slurm cluster (Debian's slurm-wlm and munge, no systemd) for tests.
#
#   Tests/Slurm/start.sh STATE_DIR     # then: export SLURM_CONF=STATE_DIR/slurm.conf
#   Tests/Slurm/stop.sh STATE_DIR
#
# Needs root: slurmd starts jobs as their owner and munged guards the key. Installs
# slurm-wlm and munge with apt only when they are missing. Exit status 0 when the node is
# idle and takes jobs, 2 when Slurm cannot start here (not root, packages not installable;
# the reason is on stderr), 1 on any other failure.
set -euo pipefail
state=${1:?usage: start.sh STATE_DIR}
state=$(mkdir -p "$state" && cd "$state" && pwd)

if [ "$(id -u)" != 0 ]; then
    echo "cannot start Slurm: not root (slurmd and munged need root)" >&2
    exit 2
fi
missing=$(for p in slurm-wlm munge; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"; done)
if [ -n "$missing" ]; then
    echo "installing: $missing" >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >&2; then
        echo "cannot start Slurm: apt-get could not install $missing" >&2
        exit 2
    fi
fi

# The key must be readable by its owner only, or munged refuses it.
if [ ! -s "$state/munge.key" ]; then
    dd if=/dev/urandom of="$state/munge.key" bs=1024 count=1 status=none
fi
chmod 600 "$state/munge.key"
mkdir -p "$state/ctld" "$state/spool"
munged --force --socket="$state/munge.socket" --key-file="$state/munge.key" \
    --pid-file="$state/munged.pid" --log-file="$state/munged.log" --seed-file="$state/munged.seed"

cat > "$state/slurm.conf" <<CONF
ClusterName=decaybench
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${DECAYBENCH_SLURMCTLD_PORT:-6817}
SlurmdPort=${DECAYBENCH_SLURMD_PORT:-6818}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge.socket
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$state/slurm.conf"

# -i ignores state left by an earlier cluster in this directory.
nohup slurmctld -D -i -f "$SLURM_CONF" > "$state/slurmctld.out" 2>&1 &
echo $! > "$state/slurmctld.launcher.pid"
nohup slurmd -D -N localhost -f "$SLURM_CONF" > "$state/slurmd.out" 2>&1 &
echo $! > "$state/slurmd.launcher.pid"

for _ in $(seq 1 60); do
    if sinfo -h -N -o '%t' 2>/dev/null | grep -qx 'idle'; then
        echo "Slurm is up: export SLURM_CONF=$SLURM_CONF"
        exit 0
    fi
    sleep 0.5
done
echo "Slurm did not come up within 30 s; logs in $state:" >&2
tail -n 20 "$state/slurmctld.log" "$state/slurmd.log" "$state/munged.log" >&2 || true
"$(dirname "$0")/stop.sh" "$state" || true
exit 1
