#!/usr/bin/env bash
# Sharding on a real scheduler: brings up a one-node SLURM cluster on this machine (munged, slurmctld, slurmd),
# builds a spec as a SLURM job array (`kdrepro build --shard auto`, one shard per array task), merges the shards
# and checks that the merged report is byte-identical to a single-machine build. Stops the daemons it started.
#
# Usage: scripts/slurm-test.sh [SPEC] [N]   (defaults: specs/bench/fig1b.kd, 3 array tasks)
#
# Environment:
#   KDREPRO           the kdrepro executable (default: ${CARGO_TARGET_DIR:-target}/release/kdrepro)
#   CARGO_TARGET_DIR  where the default executable is looked for
#
# For Debian 12 (bookworm), run as root, without systemd (a CI machine or a container): installs the `slurm-wlm`
# and `munge` packages when absent. Everything SLURM writes (configuration, state, spool, logs, pid files, job
# output) and the reports go to one temporary directory, printed at the start, removed when the test passes.
#
# Exit status: 0 when the merged and single-machine reports are identical and both builds exited alike (exit 1
# or 4 are claim outcomes: a claim failed or is inconclusive; they pass when both builds agree); 1 otherwise;
# 2 for wrong arguments or a missing executable.
set -euo pipefail
# `set -e` inside command substitutions too.
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

# ---- Arguments and the executable --------------------------------------------------------------------------

if [[ $# -gt 2 ]]; then
  echo "usage: scripts/slurm-test.sh [SPEC] [N]" >&2
  exit 2
fi
spec=${1:-specs/bench/fig1b.kd}
tasks=${2:-3}
if [[ ! $tasks =~ ^[1-9][0-9]*$ ]]; then
  echo "error: N must be a positive integer, not '$tasks'" >&2
  exit 2
fi
if [[ ! -f $spec ]]; then
  echo "error: no spec at $spec" >&2
  exit 2
fi
# Absolute paths: the array tasks run in another working directory.
spec=$(realpath "$spec")
stem=$(basename "$spec" .kd)
kdrepro=$(realpath -m "${KDREPRO:-${CARGO_TARGET_DIR:-target}/release/kdrepro}")
if [[ ! -f $kdrepro || ! -x $kdrepro ]]; then
  echo "error: no kdrepro executable at $kdrepro (build it with cargo build --release, or set KDREPRO)" >&2
  exit 2
fi
# Fail before the cluster comes up when the executable lacks the subcommands: e.g. the build without the
# `report` feature that `cargo test --release --no-default-features` leaves at the same path.
for command in build merge; do
  if ! help=$("$kdrepro" "$command" --help 2>&1); then
    echo "error: $kdrepro has no usable \`$command\`:" >&2
    echo "$help" >&2
    exit 2
  fi
done
if [[ $(id -u) -ne 0 ]]; then
  echo "error: run as root (installs packages, starts munged, slurmctld and slurmd)" >&2
  exit 2
fi

# Milliseconds since the epoch, for the stage times.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# A duration in seconds with one decimal, from two now_ms values.
seconds() { local ms=$(($2 - $1)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }
t_start=$(now_ms)

# ---- Packages ----------------------------------------------------------------------------------------------

packages_present() {
  command -v slurmctld && command -v slurmd && command -v sbatch && command -v munged && command -v mungekey
}
if ! packages_present > /dev/null; then
  echo "slurm test: installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  install_packages() { apt-get install -y -q --no-install-recommends slurm-wlm munge; }
  # The package lists of a fresh machine may be missing or stale: update them only when the install fails.
  if ! install_packages; then
    apt-get update -q
    install_packages
  fi
  if ! packages_present > /dev/null; then
    echo "error: slurm-wlm and munge are installed, yet their programs are missing" >&2
    exit 1
  fi
fi
t_installed=$(now_ms)

# ---- Working directory, teardown ---------------------------------------------------------------------------

work=$(mktemp -d /tmp/kdrepro-slurm.XXXXXX)
echo "slurm test: $tasks array tasks building $spec; logs and outputs in $work (kept if the test fails)"
# A copy of the executable: a concurrent `cargo build` cannot replace it under the running tasks.
cp "$kdrepro" "$work/kdrepro"
kdrepro=$work/kdrepro

job_name=kdrepro-slurm-test-$$
# Whether this script started munged (it leaves one it found running alone). Its slurmctld and slurmd are
# always its own: their pid files are in the fresh working directory.
started_munged=false
# The pid of sbatch --wait while it runs.
sbatch_pid=

# Whether the process in a pid file is alive.
alive() { [[ -s $1 ]] && kill -0 "$(< "$1")" 2> /dev/null; }

# Stops daemons by their pid files: SIGTERM to all at once, SIGKILL to those still running after 10 s; returns
# once all are gone.
stop_daemons() {
  local pidfile pids=() pid i
  for pidfile in "$@"; do
    if alive "$pidfile"; then pids+=("$(< "$pidfile")"); fi
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0
  kill -TERM "${pids[@]}" 2> /dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "${pids[@]}" 2> /dev/null || return 0
    sleep 0.1
  done
  echo "slurm test: killing daemons that ignored SIGTERM for 10 s: pids ${pids[*]}" >&2
  kill -KILL "${pids[@]}" 2> /dev/null
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2> /dev/null; do sleep 0.1; done
  done
}

teardown() {
  local status=$? t i
  set +e
  t=$(now_ms)
  if [[ -n $sbatch_pid ]]; then kill "$sbatch_pid" 2> /dev/null; fi
  # An interrupted run leaves its array tasks running: cancel them while the controller is still up, and wait
  # until their slurmstepd have reported back (squeue lists running and completing jobs), or they would keep
  # retrying against a controller that is gone, and slurmd would not stop on SIGTERM.
  if alive "$work/slurmctld.pid"; then
    scancel --name="$job_name" 2> /dev/null
    for ((i = 0; i < 150; i++)); do
      [[ -n $(squeue -h --name="$job_name" 2> /dev/null) ]] || break
      sleep 0.1
    done
  fi
  # munged last: the SLURM daemons may still authenticate through it while they shut down.
  stop_daemons "$work/slurmd.pid" "$work/slurmctld.pid"
  if $started_munged; then
    stop_daemons /run/munge/munged.pid
  fi
  echo "slurm test: daemons stopped in $(seconds "$t" "$(now_ms)") s"
  # Kept for inspection when the test fails.
  if [[ $status -eq 0 ]]; then rm -rf "$work"; fi
}
trap teardown EXIT
# Interrupts exit through the EXIT trap too.
trap 'exit 130' INT
trap 'exit 143' TERM

# Prints a file under a heading, for the diagnostics of a failure.
show() {
  local file
  for file in "$@"; do
    echo "---- $file" >&2
    if [[ -f $file ]]; then cat "$file" >&2; else echo "(missing)" >&2; fi
  done
}
# Fails with the daemons' logs (and the node's state, which says why it is not idle).
fail_with_logs() {
  echo "error: $1" >&2
  show "$work/slurmctld.log" "$work/slurmd.log"
  if alive "$work/slurmctld.pid"; then scontrol show node >&2; fi
  exit 1
}

# Polls a command every 0.1 s until it succeeds; fails after TIMEOUT seconds.
wait_for() {
  local timeout=$1 what=$2 deadline
  shift 2
  deadline=$(($(now_ms) + timeout * 1000))
  until "$@" > /dev/null 2>&1; do
    (($(now_ms) < deadline)) || fail_with_logs "$what not ready after $timeout s"
    sleep 0.1
  done
}

# Our slurmctld and slurmd listen on SLURM's fixed ports: another pair on this machine would answer instead.
for daemon in slurmctld slurmd; do
  if pgrep -x "$daemon" > /dev/null; then
    echo "error: a $daemon is already running on this machine (pgrep -a $daemon); stop it first" >&2
    exit 1
  fi
done

# ---- munged --------------------------------------------------------------------------------------------------

# Debian's package starts nothing without systemd, and its tmpfiles.d entry for /run/munge is not applied.
if pgrep -x munged > /dev/null; then
  # Someone else's munged: use it, leave it running.
  echo "slurm test: using the munged already running"
else
  install -d -o munge -g munge -m 0755 /run/munge
  # The package's postinst creates the key; create it as it does if it is missing. munged refuses a key that
  # its user does not own or that others can read.
  if [[ ! -f /etc/munge/munge.key ]]; then
    su -s /bin/sh munge -c 'mungekey --create'
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0600 /etc/munge/munge.key
  # munged runs as its own user (whose login shell is nologin, hence -s). Its pid file is the default one,
  # named for the teardown: a directory that user can write, unlike the working directory.
  rm -f /run/munge/munged.pid
  started_munged=true
  su -s /bin/sh munge -c '/usr/sbin/munged --pid-file=/run/munge/munged.pid' ||
    { show /var/log/munge/munged.log; exit 1; }
fi
munge_works() { munge -n | unmunge; }
wait_for 10 munged munge_works

# ---- slurmctld and slurmd ------------------------------------------------------------------------------------

# slurmd finds its node line by the short host name.
node=$(hostname -s)
cpus=$(nproc)
# RealMemory above the machine's memory makes slurmctld drain the node: take 90 % of it, in MB.
memory=$(awk '/^MemTotal:/ { printf "%d", $2 * 0.9 / 1024 }' /proc/meminfo)
mkdir -p "$work/state" "$work/spool" "$work/shards"
export SLURM_CONF=$work/slurm.conf
cat > "$SLURM_CONF" << CONF
ClusterName=kdrepro
# The host name may not resolve (containers, CI machines): pin the addresses to the loopback interface.
SlurmctldHost=$node(127.0.0.1)
# Everything runs as root: no slurm user, no permissions to set up.
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# State, spool, logs and pid files in the working directory: nothing outside it to clean up, nothing left over
# from an earlier run.
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No mail is sent; without this slurmctld logs an error for the missing /bin/mail.
MailProg=/bin/true
# Without systemd there is no cgroup hierarchy to delegate: track processes through /proc, bind no tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
# No slurmdbd, no accounting.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# Allocate single CPUs, not whole nodes (select/linear, the default of Slurm 22.05, would run the array tasks
# one after another).
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Schedule a submitted batch job at once, not up to 3 s later, and after every event without throttling.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
# Forget finished jobs after 5 s, not 300 s: sbatch --wait polls every 2 s only while that is under half of
# MinJobAge; otherwise it waits 2, 8, then 32 s between polls, and a short array ends up to 30 s late.
MinJobAge=5
# A node that was down becomes available as soon as its slurmd registers with a valid configuration.
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF

# Both read $SLURM_CONF and fork into the background once they are up.
slurmctld || fail_with_logs "slurmctld did not start"
slurmd -N "$node" || fail_with_logs "slurmd did not start"
node_idle() { [[ $(sinfo -h -n "$node" -o %T) == idle ]]; }
wait_for 60 "the node $node" node_idle
t_up=$(now_ms)
echo "slurm test: cluster up in $(seconds "$t_installed" "$t_up") s ($cpus CPUs, $memory MB)"

# ---- The job array -------------------------------------------------------------------------------------------

# One shard per task; `--shard auto` reads its index and the shard count from SLURM_ARRAY_TASK_*. One worker
# thread each, so that N tasks share the CPUs instead of oversubscribing them (results do not depend on it).
{
  echo '#!/bin/bash'
  printf 'exec %q build %q --shard auto -j 1 -o %q -q\n' "$kdrepro" "$spec" "$work/shards"
} > "$work/task.sh"
# --wait: return when every task has ended, with the largest exit status among them. In the background, so
# that a signal to this script runs the teardown at once, not after the array (bash defers traps while a
# foreground command runs).
sbatch --wait --quiet --job-name="$job_name" --array=0-$((tasks - 1)) --chdir="$work" \
  --output="$work/task-%a.out" --error="$work/task-%a.err" "$work/task.sh" &
sbatch_pid=$!
wait "$sbatch_pid" && array_status=0 || array_status=$?
sbatch_pid=
if [[ $array_status -ne 0 ]]; then
  echo "error: an array task failed (sbatch --wait exited with $array_status)" >&2
  for ((i = 0; i < tasks; i++)); do show "$work/task-$i.out" "$work/task-$i.err"; done
  show "$work/slurmd.log"
  exit 1
fi
t_array=$(now_ms)
shards=("$work"/shards/*.json)
if [[ ${#shards[@]} -ne $tasks || ! -f ${shards[0]} ]]; then
  echo "error: $tasks array tasks wrote ${#shards[@]} shard files:" >&2
  ls -l "$work/shards" >&2
  exit 1
fi

# ---- Merge, single-machine build, comparison -----------------------------------------------------------------

"$kdrepro" merge "$spec" "${shards[@]}" -o "$work/merged" -q && merged_status=0 || merged_status=$?
t_merged=$(now_ms)
# Its own output directory, so its own result cache: it recomputes everything the array computed.
"$kdrepro" build "$spec" -o "$work/single" -q && single_status=0 || single_status=$?
t_single=$(now_ms)
if [[ $merged_status -ne $single_status ]]; then
  echo "error: the merge exited with $merged_status, the single-machine build with $single_status" >&2
  exit 1
fi
case $single_status in
  0) ;;
  1 | 4) echo "slurm test: note: both exited with $single_status (a claim failed or is inconclusive)" ;;
  *) echo "error: the merge and the single-machine build both failed (exit $single_status)" >&2; exit 1 ;;
esac
for file in "$stem.results.yaml" "$stem.pdf"; do
  cmp "$work/merged/$file" "$work/single/$file" || { echo "error: the merged $file differs" >&2; exit 1; }
done
t_end=$(now_ms)

echo "slurm test: passed in $(seconds "$t_start" "$t_end") s (install $(seconds "$t_start" "$t_installed") s," \
  "bring-up $(seconds "$t_installed" "$t_up") s, array of $tasks $(seconds "$t_up" "$t_array") s," \
  "merge $(seconds "$t_array" "$t_merged") s, single build $(seconds "$t_merged" "$t_single") s," \
  "comparison $(seconds "$t_single" "$t_end") s)"
