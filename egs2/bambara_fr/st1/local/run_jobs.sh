#!/usr/bin/env bash
# Run a command as N local jobs in parallel, with the command-line interface of Kaldi's
# utils/run.pl (the default backend of cmd.sh when no ESPnet checkout is configured):
#
#   local/run_jobs.sh [--gpu N] [--num_threads N] [--mem M] [--max_jobs_run N] \
#       [JOB=1:N] LOG COMMAND ARGS...
#
# Every JOB in LOG and in the arguments becomes the job's number (1..N). Each job's
# output goes to its LOG, which starts with the command and ends with its exit code.
# --gpu, --num_threads and --mem are accepted and ignored (local jobs use this machine);
# --max_jobs_run N runs at most N jobs at a time (default: all). Exits non-zero when a
# job fails, naming its log.
set -uo pipefail

max_jobs_run=0
while [ $# -gt 0 ]; do
    case "$1" in
        --gpu|--num_threads|--mem|--config) [ $# -ge 2 ] || { echo "$0: $1 needs a value" >&2; exit 2; }; shift 2 ;;
        --max_jobs_run) max_jobs_run=$2; shift 2 ;;
        *) break ;;
    esac
done
first=1 last=1 var=""
if [[ "${1:-}" =~ ^([A-Za-z_]+)=([0-9]+):([0-9]+)$ ]]; then
    var=${BASH_REMATCH[1]} first=${BASH_REMATCH[2]} last=${BASH_REMATCH[3]}
    shift
fi
[ $# -ge 2 ] || { echo "usage: $0 [options] [JOB=1:N] LOG COMMAND ARGS..." >&2; exit 2; }
log_pattern=$1; shift

run_one() {  # run_one JOB: the command with JOB substituted, output to its log
    local job=$1 logfile=${log_pattern} args=() a
    shift
    if [ -n "${var}" ]; then logfile=${log_pattern//${var}/${job}}; fi
    for a in "$@"; do
        if [ -n "${var}" ]; then a=${a//${var}/${job}}; fi
        args+=("${a}")
    done
    mkdir -p "$(dirname "${logfile}")"
    {
        echo "# ${args[*]}"
        echo "# Started at $(date)"
    } > "${logfile}"
    local start=${SECONDS} rc=0
    "${args[@]}" >> "${logfile}" 2>&1 || rc=$?
    echo "# Accounting: time=$(( SECONDS - start )) threads=1" >> "${logfile}"
    echo "# Ended (code ${rc}) at $(date)" >> "${logfile}"
    return ${rc}
}

pids=() logs=()
for (( job = first; job <= last; job++ )); do
    while [ "${max_jobs_run}" -gt 0 ] && [ "$(jobs -rp | wc -l)" -ge "${max_jobs_run}" ]; do
        wait -n || true
    done
    run_one "${job}" "$@" &
    pids+=($!)
    logs+=("$([ -n "${var}" ] && echo "${log_pattern//${var}/${job}}" || echo "${log_pattern}")")
done
failed=0
for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
        echo "$0: job $(( first + i )) failed: see ${logs[$i]}" >&2
        failed=$(( failed + 1 ))
    fi
done
[ "${failed}" -eq 0 ] || { echo "$0: ${failed} of ${#pids[@]} jobs failed" >&2; exit 1; }
