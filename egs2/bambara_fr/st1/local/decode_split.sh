#!/usr/bin/env bash
# Decode in --nj parallel jobs through a cmd.sh backend, one slice of the keys each (as
# st.sh's stage 12 does), then merge the 1-best hypotheses.
#
#   local/decode_split.sh --nj N [--cmd "${decode_cmd}"] [--ngpu 0] [--log_name st_inference] \
#       [--hyp_name text] --keys SCP --logdir DIR --out TEXT -- COMMAND ARGS...
#
# Job J runs `COMMAND ARGS --key_file DIR/keys.J.scp --output_dir DIR/output.J` (log:
# DIR/<log_name>.J.log, as st.sh names them; one thread each for local jobs);
# DIR/output.*/1best_recog/{text,token,token_int,score} are merged, sorted by key, into TEXT
# and token, token_int, score beside it (those the tool writes); --hyp_name text_nospecial
# merges that file into TEXT instead (espnet2.bin.s2t_inference: the hypothesis without its
# prompt symbols). Works with espnet2.bin.{st,asr,mt,s2t}_inference.
set -euo pipefail

log() { echo "$(date +%Y-%m-%dT%H:%M:%S) (decode_split.sh) $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

nj=1 keys="" logdir="" out="" cmd=local/run_jobs.sh ngpu=0 log_name=decode hyp_name=text
while [ $# -gt 0 ]; do
    case "$1" in
        --nj|--keys|--logdir|--out|--cmd|--ngpu|--log_name|--hyp_name) [ $# -ge 2 ] || die "option $1 needs a value"
                                    printf -v "${1#--}" '%s' "$2"; shift 2 ;;
        --) shift; break ;;
        *) die "unexpected argument '$1' (usage: see the header of $0)" ;;
    esac
done
[ $# -gt 0 ] || die "no decoding command after --"
[ -s "${keys}" ] || die "key file '${keys}' is missing or empty"
[ -n "${logdir}" ] && [ -n "${out}" ] || die "--logdir and --out are required"
[[ "${nj}" =~ ^[0-9]+$ ]] && [ "${nj}" -ge 1 ] || die "--nj must be an integer >= 1, got '${nj}'"

rm -rf "${logdir}" && mkdir -p "${logdir}"
n=$(wc -l < "${keys}")
jobs=$(( nj < n ? nj : n ))
split -n l/${jobs} -a 4 --numeric-suffixes=1 "${keys}" "${logdir}/keys."
for f in "${logdir}"/keys.*; do mv "${f}" "${logdir}/keys.$(( 10#${f##*.} )).scp"; done
# shellcheck disable=SC2086
OMP_NUM_THREADS=1 ${cmd} --gpu "${ngpu}" JOB=1:${jobs} "${logdir}/${log_name}.JOB.log" \
    "$@" --key_file "${logdir}/keys.JOB.scp" --output_dir "${logdir}/output.JOB" \
    || die "decoding failed: see ${logdir}/${log_name}.*.log"
mkdir -p "$(dirname "${out}")"
for f in token token_int score "${hyp_name}"; do  # the text last: its presence means the merge is complete
    ls "${logdir}"/output.*/1best_recog/${f} > /dev/null 2>&1 || continue
    target=${out}; [ "${f}" = "${hyp_name}" ] || target=$(dirname "${out}")/${f}
    cat "${logdir}"/output.*/1best_recog/${f} | LC_ALL=C sort -k1,1 > "${target}.tmp"
    mv "${target}.tmp" "${target}"
done
log "${out}: $(wc -l < "${out}") hypotheses from ${jobs} jobs"
