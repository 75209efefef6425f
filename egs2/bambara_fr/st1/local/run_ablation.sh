#!/usr/bin/env bash
# The LAU ablation: E2E-ST baselines (encoder from an ASR model trained on 1x and on
# 2x the ASR data), a cascade ASR -> MT, and LAU (MSE and cosine) over a lambda grid,
# with several training seeds, gathered into one RESULTS file with plots.
#
#   local/run_ablation.sh                               # the full grid, config epochs
#   local/run_ablation.sh --max_epoch 6 --jobs 2        # sized for a 2-core CPU
#   local/run_ablation.sh --lambdas "1.0" --losses mse --seeds "0 1"   # a smaller grid
#
# Steps (run a range with --stage N --stop_stage M; each is skipped when its output
# exists, so an interrupted run resumes; ESPnet training resumes from its checkpoint):
#   1  shared data: corpus with --extra_asr ASR-only utterances, dumps, BPE,
#      semantic embeddings and ST statistics (lau_st.sh stages 1-5, 7-8)
#   2  ASR pretraining on 1x (train) and on 2x (train + train_asr_extra) ASR data
#   3  E2E-ST systems, stages 9-13 of lau_st.sh each, under <outdir>/<system>/seed<N>:
#        baseline_1xasr, baseline_2xasr        semantic_weight 0
#        lau_<loss>_lambda<lambda>              every --losses x --lambdas
#      the systems in --seeded get every seed of --seeds, the others the first one;
#      order: seed by seed for the seeded systems, then the others as listed
#   4  cascade: MT on (transcript -> French), the 1x ASR model's hypotheses fed to it
#      (local/cascade.sh)
#   5  the results: mean +- std per system, paired bootstrap BLEU against --reference,
#      validation curves per epoch and seed, plots of each metric against lambda; runs
#      not evaluated yet are listed and left out, so a partial grid can be reported
set -euo pipefail

log() { echo "$(date +%Y-%m-%dT%H:%M:%S) (run_ablation.sh) $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# ---- options (each can be given as --name value) --------------------------------
stage=1                  # first step to run
stop_stage=5             # last step to run
seeds="0 1 2"            # training seeds of the systems in --seeded
seeded="baseline_1xasr baseline_2xasr lau_mse_lambda1.0"  # systems trained with every seed
losses="mse cosine"      # LAU losses (LOSS in --lau_config)
lambdas="0.2 1.0 5.0"    # LAU weights (LAMBDA in --lau_config)
extra_asr=1600           # ASR-only utterances for the 2x-ASR baseline (mini corpus train size)
mini_size=default        # mini corpus size: tiny | default
max_epoch=""             # ST epochs for every system ("" = the configs' max_epoch)
asr_2x_epochs=""         # epochs of the 2x-ASR model ("" = the config's; half = as many updates as 1x)
jobs=1                   # ST trainings run side by side (the cores are split between them)
nj=2                     # CPU processes for data preparation and decoding
only=""                  # step 3: train only these systems (e.g. "lau_cosine_lambda5.0"); "" = all
reference=baseline_1xasr # the system every other one is tested against (paired bootstrap)
bootstrap_samples=1000   # paired bootstrap resamples
asr_config=conf/tuning/train_asr_transformer_mini.yaml  # ASR pretraining config (1x and 2x)
baseline_config=conf/tuning/train_st_baseline.yaml  # the baselines' ST config (semantic_weight 0)
lau_config=conf/tuning/train_st_lau_LOSS_lambdaLAMBDA.yaml  # LAU configs: LOSS, LAMBDA replaced
src_nbpe=100             # source BPE size (as run.sh)
tgt_nbpe=150             # target BPE size (as run.sh)
mt_config=conf/tuning/train_mt_transformer_mini.yaml  # the cascade's MT config
decode_config=conf/tuning/decode_st.yaml  # st_inference options of every E2E system
outdir=exp/ablation      # systems, logs, plots (under exp/: lau_st.sh keeps its runs there)
results=""               # the results table (default: <outdir>/RESULTS.md)
python=python            # the Python with espnet and espnet_lau

. local/parse_options.sh
[ -f path.sh ] && . ./path.sh

[ -n "${results}" ] || results=${outdir}/RESULTS.md
case "${outdir}" in exp/?*) ;; *) die "--outdir must be under exp/, got '${outdir}'" ;; esac
run_dir() { echo "${outdir}/$1/seed$2"; }   # run_dir SYSTEM SEED
evaluated() { [ -f "$(run_dir "$1" "$2")/${decode_tag}/test/semantic_eval/semantic_eval.json" ]; }
in_steps() { [ "${stage}" -le "$1" ] && [ "${stop_stage}" -ge "$1" ]; }
first_seed=${seeds%% *}
cores=$(nproc 2>/dev/null || echo 1)
threads=$(( cores / jobs > 0 ? cores / jobs : 1 ))
asr_tag_1x=$(basename "${asr_config}" .yaml | sed -e 's/^train_//')
asr_tag_2x=${asr_tag_1x}_2xasr
# the decode directory of every system; handed to lau_st.sh, so it is defined here only
decode_tag=decode_$(basename "${decode_config}" .yaml | sed -e "s/^decode_//")_valid.acc.ave
common=(--mini_size "${mini_size}" --nj "${nj}" --asr_config "${asr_config}"
        --src_nbpe "${src_nbpe}" --tgt_nbpe "${tgt_nbpe}"
        --decode_config "${decode_config}" --decode_tag "${decode_tag}" --python "${python}")
mkdir -p "${outdir}/logs"

recipe() {  # recipe LOG ARGS...: ./run.sh with the shared options, logged to LOG
    local logfile=$1; shift
    ./run.sh "${common[@]}" "$@" > "${logfile}" 2>&1 || die "failed: ./run.sh $* (see ${logfile})"
}

# ---- 1. shared data -------------------------------------------------------------
if ! in_steps 1; then :
elif [ -f dump/raw/train_asr_extra/wav.scp ] && [ -f dump/raw/train/sem_emb/sem_emb.scp ] \
        && [ -f exp/st_stats/train/feats_stats.npz ] && compgen -G "data/token_list/tgt_*/tokens.txt" > /dev/null; then
    log "Step 1: shared data, tokens, embeddings and ST statistics exist: reused"
else
    log "Step 1: corpus with ${extra_asr} extra ASR-only utterances, dumps (log: ${outdir}/logs/data.log)"
    recipe ${outdir}/logs/data.log --stage 1 --stop_stage 4 --extra_asr "${extra_asr}" --asr_extra train_asr_extra
    log "Step 1: BPE on the ST training set, embeddings, ST statistics (log: ${outdir}/logs/shared.log)"
    recipe ${outdir}/logs/shared.log --stage 5 --stop_stage 5
    recipe ${outdir}/logs/shared_78.log --stage 7 --stop_stage 8 --st_config "${baseline_config}"
fi

# ---- 2. ASR pretraining (1x, 2x) ------------------------------------------------
for tag in ${asr_tag_1x} ${asr_tag_2x}; do
    in_steps 2 || break
    if [ -f exp/${tag}/valid.acc.ave.pth ]; then
        log "Step 2: exp/${tag}/valid.acc.ave.pth exists: reused"; continue
    fi
    extra=()
    if [ "${tag}" = "${asr_tag_2x}" ]; then
        extra=(--asr_extra train_asr_extra ${asr_2x_epochs:+--asr_args "--max_epoch ${asr_2x_epochs}"})
    fi
    log "Step 2: ASR pretraining -> exp/${tag} (log: ${outdir}/logs/${tag}.log)"
    recipe ${outdir}/logs/${tag}.log --stage 6 --stop_stage 6 --asr_tag "${tag}" "${extra[@]}"
done

# ---- 3. E2E-ST systems -----------------------------------------------------------
# "system config asr_tag" lines
systems=("baseline_1xasr ${baseline_config} ${asr_tag_1x}" "baseline_2xasr ${baseline_config} ${asr_tag_2x}")
for lam in ${lambdas}; do      # lambda-major: with --lambdas "1.0 5.0 0.2" the likeliest
    for loss in ${losses}; do    # cut of a time-boxed run is the last lambda, for both losses
        config=${lau_config//LOSS/${loss}}; config=${config//LAMBDA/${lam}}
        [ -f "${config}" ] || die "no config ${config} for --losses ${loss} --lambdas ${lam} (--lau_config ${lau_config})"
        systems+=("lau_${loss}_lambda${lam} ${config} ${asr_tag_1x}")
    done
done
# one "system seed config asr_tag" line per training run
runs=()
for seed in ${seeds}; do   # the seeded systems seed by seed: comparable pairs finish first
    for line in "${systems[@]}"; do
        read -r system config asr_tag <<< "${line}"
        [[ " ${seeded} " == *" ${system} "* ]] && runs+=("${system} ${seed} ${config} ${asr_tag}")
    done
done
for line in "${systems[@]}"; do
    read -r system config asr_tag <<< "${line}"
    [[ " ${seeded} " == *" ${system} "* ]] || runs+=("${system} ${first_seed} ${config} ${asr_tag}")
done

train_and_evaluate() {  # SYSTEM SEED CONFIG ASR_TAG: lau_st.sh stages 9-13
    local system=$1 seed=$2 config=$3 asr_tag=$4
    local tag; tag=$(run_dir "${system}" "${seed}"); tag=${tag#exp/}
    local logfile=${outdir}/logs/${system}_seed${seed}.log
    OMP_NUM_THREADS=${threads} recipe "${logfile}" --stage 9 --stop_stage 13 --st_config "${config}" \
        --st_tag "${tag}" --asr_tag "${asr_tag}" --seed "${seed}" --nj $(( nj / jobs > 0 ? nj / jobs : 1 )) \
        --trivial false --results "" --times_file "exp/${tag}/stage_times.tsv" \
        ${max_epoch:+--st_args "--max_epoch ${max_epoch}"}
}

pending=()
for run in "${runs[@]}"; do
    in_steps 3 || break
    read -r system seed _ _ <<< "${run}"
    if [ -n "${only}" ] && [[ " ${only} " != *" ${system} "* ]]; then
        continue
    elif evaluated "${system}" "${seed}"; then
        log "Step 3: ${system} seed ${seed} is evaluated: reused"
    else
        pending+=("${run}")
    fi
done
if in_steps 3; then
    log "Step 3: ${#pending[@]} of ${#runs[@]} ST runs to do, ${jobs} at a time (${threads} threads each)"
fi
running=()
for i in "${!pending[@]}"; do
    read -r system seed config asr_tag <<< "${pending[$i]}"
    log "Step 3: [$(( i + 1 ))/${#pending[@]}] ${system} seed ${seed} (${config}, encoder from exp/${asr_tag}; log: ${outdir}/logs/${system}_seed${seed}.log)"
    train_and_evaluate "${system}" "${seed}" "${config}" "${asr_tag}" &
    running+=($!)
    if [ "${#running[@]}" -ge "${jobs}" ]; then
        wait "${running[0]}" || die "an ST run failed (see ${outdir}/logs/)"
        running=("${running[@]:1}")
    fi
done
for pid in "${running[@]}"; do wait "${pid}" || die "an ST run failed (see ${outdir}/logs/)"; done

# ---- 4. cascade -------------------------------------------------------------------
if ! in_steps 4; then :
elif evaluated cascade "${first_seed}"; then
    log "Step 4: the cascade is evaluated: reused"
else
    log "Step 4: cascade ASR (exp/${asr_tag_1x}) -> MT (${mt_config}) (log: ${outdir}/logs/cascade.log)"
    local/cascade.sh --asr_tag "${asr_tag_1x}" --mt_config "${mt_config}" --seed "${first_seed}" \
        --src_nbpe "${src_nbpe}" --tgt_nbpe "${tgt_nbpe}" \
        --outdir "$(run_dir cascade "${first_seed}")" --decode_tag "${decode_tag}" --nj "${nj}" \
        --python "${python}" > ${outdir}/logs/cascade.log 2>&1 || die "cascade failed (see ${outdir}/logs/cascade.log)"
fi

# ---- 5. results -------------------------------------------------------------------
in_steps 5 || { log "Finished (steps ${stage}-${stop_stage})"; exit 0; }
result_args=()
reported=()
missing=()
for run in "${runs[@]}" "cascade ${first_seed}"; do
    read -r system seed _ <<< "${run}"
    if evaluated "${system}" "${seed}"; then
        result_args+=(--run "${system}=$(run_dir "${system}" "${seed}")/${decode_tag}/test")
        reported+=("${system}")
    else
        log "Step 5: WARNING: ${system} seed ${seed} is not evaluated yet: left out of ${results}"
        missing+=("${system} seed ${seed}")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    result_args+=(--note "Left out, not evaluated (yet): $(printf '%s, ' "${missing[@]}" | sed 's/, $//').")
fi
[ "${#result_args[@]}" -gt 0 ] || die "no system is evaluated yet: run steps 3-4 first"
if [ ! -f exp/trivial_most_frequent/test/semantic_eval/semantic_eval.json ]; then
    log "Step 5: the trivial most-frequent-sentence system (log: ${outdir}/logs/trivial.log)"
    recipe ${outdir}/logs/trivial.log --stage 12 --stop_stage 13 --trivial true --results "" \
        --st_tag "$(run_dir "${reported[0]}" "${first_seed}" | sed 's|^exp/||')" \
        --times_file "${outdir}/logs/trivial_times.tsv"
fi
result_args+=(--run "trivial_most_frequent=exp/trivial_most_frequent/test")
significance=()
if [[ " ${reported[*]} " == *" ${reference} "* ]]; then
    significance=(--reference "${reference}" --bootstrap_samples "${bootstrap_samples}" --ref dump/raw/test/text)
    for r in dump/raw/test/text.ref*; do [ -f "${r}" ] && significance+=(--ref "${r}"); done
else
    log "Step 5: WARNING: the reference system ${reference} is not evaluated: no significance test"
fi
log "Step 5: ${results}, plots in ${outdir}/plots"
${python} -m espnet_lau.bin.make_results "${result_args[@]}" "${significance[@]}" --out "${results}" \
    --plot_dir ${outdir}/plots \
    --title "bambara_fr/st1 ablation (test, ${decode_tag}${max_epoch:+, ST max_epoch ${max_epoch}})"
log "Finished: ${results}"
