#!/usr/bin/env bash
# The recipe-level RESULTS.md: every ST experiment of <expdir> decoded with <inference_tag>
# on <test_set>, the most-frequent-sentence system and the cascade when they exist, with
# plots in results_plots/ beside it (commit both together). A plain ./run.sh never writes
# it; each experiment's own table is <st_exp>/RESULTS.md (stage 13).
#
#   local/make_results.sh [--expdir exp] [--inference_tag decode_st_st_model_valid.acc.ave] [--out RESULTS.md]
set -euo pipefail

log() { echo "$(date +%Y-%m-%dT%H:%M:%S) (make_results.sh) $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

expdir=exp               # where the experiments are
inference_tag=decode_st_st_model_valid.acc.ave  # the decoding to report
test_set=test            # the evaluation set
out=RESULTS.md           # the table to write
plot_dir=results_plots   # its plots
title=""                 # section title (default: from the options)
python=python            # the Python with espnet_lau

. local/parse_options.sh
[ -f path.sh ] && . ./path.sh

runs=()
for dir in ${expdir}/st_*/${inference_tag}/${test_set} ${expdir}/cascade/${inference_tag}/${test_set}; do
    [ -f "${dir}/score_bleu/scores.json" ] || continue
    exp=${dir%%/${inference_tag}/*}
    runs+=(--run "$(basename "${exp}")=${dir}")
done
for dir in ${expdir}/most_frequent_*/${test_set}; do
    [ -f "${dir}/score_bleu/scores.json" ] && runs+=(--run "$(basename "$(dirname "${dir}")")=${dir}")
done
[ "${#runs[@]}" -gt 0 ] || die "no scored experiment in ${expdir}/*/${inference_tag}/${test_set}: run stages 12-13 first"
${python} -m espnet_lau.bin.make_results "${runs[@]}" --out "${out}" --plot_dir "${plot_dir}" \
    --title "${title:-bambara_fr/st1, ${test_set}, ${inference_tag}}"
log "Wrote ${out} ($(( ${#runs[@]} / 2 )) systems) and ${plot_dir}/"
