#!/usr/bin/env bash
# Decode in --nj parallel CPU processes, one slice of the keys each (as ESPnet's
# utils/run.pl JOB=1:N does), then merge the 1-best hypotheses.
#
#   local/decode_split.sh --nj N --keys SCP --logdir DIR --out TEXT -- COMMAND ARGS...
#
# Job J runs `COMMAND ARGS --key_file DIR/keys.J --output_dir DIR/output.J` with one
# thread (log: DIR/decode.J.log); DIR/output.*/1best_recog/text are merged, sorted by
# key, into TEXT. Works with espnet2.bin.{st,asr,mt}_inference.
set -euo pipefail

log() { echo "$(date +%Y-%m-%dT%H:%M:%S) (decode_split.sh) $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

nj=1 keys="" logdir="" out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --nj|--keys|--logdir|--out) [ $# -ge 2 ] || die "option $1 needs a value"
                                    printf -v "${1#--}" '%s' "$2"; shift 2 ;;
        --) shift; break ;;
        *) die "unexpected argument '$1' (usage: see the header of $0)" ;;
    esac
done
[ $# -gt 0 ] || die "no decoding command after --"
[ -s "${keys}" ] || die "key file '${keys}' is missing or empty"
[ -n "${logdir}" ] && [ -n "${out}" ] || die "--logdir and --out are required"

rm -rf "${logdir}" && mkdir -p "${logdir}"
n=$(wc -l < "${keys}")
jobs=$(( nj < n ? nj : n ))
split -n l/${jobs} -d -a 3 "${keys}" "${logdir}/keys."
pids=()
for slice in "${logdir}"/keys.*; do
    job=${slice##*.}
    OMP_NUM_THREADS=1 "$@" --key_file "${slice}" --output_dir "${logdir}/output.${job}" \
        > "${logdir}/decode.${job}.log" 2>&1 &
    pids+=($!)
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || die "decoding job ${i} failed: see ${logdir}/decode.$(printf %03d "${i}").log"
done
mkdir -p "$(dirname "${out}")"
cat "${logdir}"/output.*/1best_recog/text | sort > "${out}.tmp"
mv "${out}.tmp" "${out}"
log "${out}: $(wc -l < "${out}") hypotheses from ${jobs} jobs"
