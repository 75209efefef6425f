#!/usr/bin/env bash
# Copy the grid's report and every evaluated run's small result files from exp/ablation
# (ignored by git) into ablation/ (committed), so that the grid can be resumed on another
# machine (cp -r ablation/runs/* exp/ablation/) and its RESULTS.md regenerated there.
#
#   local/save_ablation.sh [--grid exp/ablation] [--dest ablation]
set -euo pipefail

grid=exp/ablation   # the grid's working folder (local/run_ablation.sh --outdir)
dest=ablation       # the committed copy
. local/parse_options.sh

[ -f "${grid}/RESULTS.md" ] || { echo "$0: ${grid}/RESULTS.md does not exist: run local/run_ablation.sh --stage 6 first" >&2; exit 1; }
dest=$(realpath -m "${dest}")
mkdir -p "${dest}/plots" "${dest}/runs"
cp "${grid}/RESULTS.md" "${dest}/"
cp "${grid}"/plots/*.png "${dest}/plots/"
# Per run: its config, scores, semantic evaluation, drift, λ balance, run_record.json
# (learning curves, wall time, machine, collapse measures) and the final test hypotheses;
# of each test decoding after an evaluation epoch (by_epoch/ep<E>) only its score_bleu/;
# the cascades' scores.
( cd "${grid}" && find . \( -path './*/exp/*/seed*/*' -o -path './*/exp/cascade/*' \) -type f \
      \( -name config.yaml -o -name 'semantic_balance*.json' -o -name drift.json -o -name 'result.*.txt' \
         -o -name scores.json -o -name semantic_eval.json -o -name run_record.json \
         -o \( -name text -path './*/exp/*/seed*/*/test/text' \) \) \
      -not -path '*/logdir/*' -not -path '*/export/*' -not \( -path '*/by_epoch/*' -not -path '*/score_bleu/*' \) \
      -print0 | xargs -0 -r cp --parents -t "${dest}/runs" )
echo "$0: ${grid} -> ${dest}: RESULTS.md, $(ls "${dest}/plots" | wc -l) plots, $(find "${dest}/runs" -type f | wc -l) run files"
