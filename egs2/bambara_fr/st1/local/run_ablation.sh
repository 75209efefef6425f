#!/usr/bin/env bash
# The LAU experiment grid (issue 12): does LAU help, at which target variance, with which λ?
#
#   local/run_ablation.sh                                  # the full grid (hours on 2 CPU cores)
#   local/run_ablation.sh --levels low --seeds "0 1 2 3 4" --systems baseline_1xasr   # the pilot
#   local/run_ablation.sh --stage 6                        # only re-gather RESULTS.md and plots
#   local/run_ablation.sh --help
#
# Factors:
#   levels   target variance of the mini corpus's training set (dev and test stay clean):
#              low   1 careful paraphrase per meaning, no noise
#              high  10 paraphrases (7 of them loose, free translations), 15 % surface
#                    noise, 20 % of the targets corrupted in meaning
#            Both speak Bambara with variants (particles, fronted time words). Every
#            level has the same utterances, speakers and audio; only targets differ.
#   systems  baseline_1xasr  E2E ST, λ = 0, encoder from the ASR model of the ST data
#            baseline_2xasr  the same, encoder from an ASR model with twice the ASR data
#            lau_mse_paper   the paper's setting: MSE, λ = 1, raw teacher vectors
#            lau_cosine_r1   cosine, λ chosen so that r = 1 at the start (semantic_balance)
#            lau_mse_std_r1  MSE on standardised targets, λ chosen so that r = 1
#            (r = ||grad_encoder λ·L_sem|| / ||grad_encoder L_ST||, see docs/lau.md)
#   seeds    --seeds for every system, --extra_seeds as well for --extra_seeded
#   cascade  one ASR -> MT cascade per level
#
# Steps (run a range with --stage N --stop_stage M; every step skips what exists, so an
# interrupted grid resumes where it stopped; ESPnet training resumes from its checkpoint):
#   1  per level, a working directory <outdir>/<level> with the recipe's scripts: corpus
#      (with --mini_asr_extra_utts ASR-only utterances), dumps, tokens, teacher embeddings and ST
#      statistics (lau_st.sh stages 1-5, 7 and 10 there)
#   2  ASR pretraining on 1x and 2x ASR data, once, in the first level (the audio and
#      transcripts are those of every level); the others initialise from it
#   3  ST runs (lau_st.sh stages 11-13 each) -> <outdir>/<level>/exp/<system>/seed<N>;
#      seed by seed, so that comparable pairs finish first
#   4  the cascade of each level (local/cascade.sh)
#   5  r on the trained models: semantic_balance on the first seed of every LAU system
#   6  <outdir>/RESULTS.md and plots (espnet_lau.bin.grid_results): mean ± sd per cell,
#      seed-paired differences to baseline_1xasr with 95 % CIs, paired t and permutation
#      tests with Holm's correction over the LAU systems, the gap against target variance,
#      the seed spread per system, drift against r; missing runs are named
set -euo pipefail

log() { echo "$(date +%Y-%m-%dT%H:%M:%S) (run_ablation.sh) $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# ---- options (each can be given as --name value) --------------------------------
stage=1                  # first step to run
stop_stage=6             # last step to run
levels="low high"        # target-variance levels (see level_low, level_high)
level_low="--mini_paraphrases 1 --mini_label_noise 0 --mini_noise_rate 0 --mini_source_variants true"  # corpus options of level low
level_high="--mini_paraphrases 10 --mini_label_noise 0.2 --mini_noise_rate 0.15 --mini_source_variants true"  # corpus options of level high
systems="baseline_1xasr baseline_2xasr lau_mse_paper lau_cosine_r1 lau_mse_std_r1"  # systems per level
seeds="0 1 2"            # training seeds of every system
extra_seeds="3 4"        # more seeds for the systems in --extra_seeded
extra_seeded="baseline_1xasr lau_mse_std_r1"  # systems that also get --extra_seeds
target_ratio=1.0         # r of the *_r1 systems
mini_asr_extra_utts=1600 # ASR-only utterances for the 2x-ASR baseline (the mini train size)
mini_size=default        # mini corpus size: tiny | default
mini_num_train=""        # training utterances ("" = from mini_size)
max_epoch=""             # ST epochs of every system ("" = the configs' max_epoch)
asr_2x_epochs=""         # epochs of the 2x-ASR model ("" = the config's)
jobs=1                   # ST runs side by side (the cores are split between them)
nj=2                     # CPU processes for data preparation and decoding
bambara_norm=none        # stage 3's Bambara normalisation: none, as the grid's runs of 2026-12-02 were made (the synthetic Bambara has no orthographic variants); also the cascade's WER normalisation
asr_config=conf/tuning/train_asr_transformer_mini.yaml  # ASR pretraining config (1x and 2x)
baseline_config=conf/tuning/train_st_baseline.yaml      # the baselines' ST config
lau_mse_config=conf/tuning/train_st_lau_mse_lambda1.0.yaml     # MSE systems' config
lau_cosine_config=conf/tuning/train_st_lau_cosine_lambda1.0.yaml  # cosine system's config
src_nbpe=100             # source BPE size (as run.sh)
tgt_nbpe=150             # target BPE size (as run.sh)
mt_config=conf/tuning/train_mt_transformer_mini.yaml  # the cascade's MT config
inference_config=conf/tuning/decode_st.yaml  # st_inference options of every system
outdir=exp/ablation      # the grid (under exp/, which git ignores)
results=""               # the results table (default: <outdir>/RESULTS.md)
python=python            # the Python with espnet and espnet_lau

. local/parse_options.sh
[ -f path.sh ] && . ./path.sh

[ -n "${results}" ] || results=${outdir}/RESULTS.md
case "${outdir}" in exp/?*) ;; *) die "--outdir must be under exp/, got '${outdir}'" ;; esac
for n in jobs nj mini_asr_extra_utts; do [[ "${!n}" =~ ^[0-9]+$ ]] && [ "${!n}" -ge 1 ] || die "--${n} must be an integer >= 1, got '${!n}'"; done
recipe_dir=$(pwd)
first_level=${levels%% *}
first_seed=${seeds%% *}
cores=$(nproc 2>/dev/null || echo 1)
threads=$(( cores / jobs > 0 ? cores / jobs : 1 ))
inference_tag=$(basename "${inference_config}" .yaml)_st_model_valid.acc.ave
in_steps() { [ "${stage}" -le "$1" ] && [ "${stop_stage}" -ge "$1" ]; }
workdir() { echo "${outdir}/$1"; }                      # workdir LEVEL
run_dir() { echo "exp/$2/seed$3"; }                     # run_dir LEVEL SYSTEM SEED (in the workdir)
evaluated() { [ -f "$(workdir "$1")/$(run_dir "$@")/${inference_tag}/test/semantic_eval/semantic_eval.json" ]; }
level_options() {  # level_options LEVEL: its corpus options (variables level_<name> of this script)
    local v=level_$1
    [ -n "${!v+x}" ] || die "unknown level '$1': the levels are $(compgen -v level_ | sed 's/^level_//' | tr '\n' ' ')(add one as a level_<name> line in $0)"
    echo "${!v}"
}
# The ASR models live in the first level's working directory; other levels reach them
# relatively (the paths are inside the recipe's exp/).
asr_1x=exp/asr_1x
asr_2x=exp/asr_2x
asr_from() {  # asr_from LEVEL 1x|2x: the ASR model's directory, relative to LEVEL's workdir
    local dir; [ "$2" = 1x ] && dir=${asr_1x} || dir=${asr_2x}
    [ "$1" = "${first_level}" ] && echo "${dir}" || echo "../${first_level}/${dir}"
}
system_spec() {  # system_spec SYSTEM: "CONFIG TARGET_RATIO(- = the config's λ) TARGET_NORM ASR(1x|2x)"
    case "$1" in
        baseline_1xasr) echo "${baseline_config} - none 1x" ;;
        baseline_2xasr) echo "${baseline_config} - none 2x" ;;
        lau_mse_paper) echo "${lau_mse_config} - none 1x" ;;
        lau_cosine_r1) echo "${lau_cosine_config} ${target_ratio} none 1x" ;;
        lau_mse_std_r1) echo "${lau_mse_config} ${target_ratio} standardize 1x" ;;
        *) die "unknown system '$1' (choose from: baseline_1xasr baseline_2xasr lau_mse_paper lau_cosine_r1 lau_mse_std_r1)" ;;
    esac
}
for s in ${systems}; do system_spec "${s}" > /dev/null; done
for l in ${levels}; do level_options "${l}" > /dev/null; done

common=(--mini_size "${mini_size}" --nj "${nj}" --inference_nj "${nj}" --asr_config "${asr_config}"
        --src_nbpe "${src_nbpe}" --tgt_nbpe "${tgt_nbpe}" --inference_config "${inference_config}"
        --python "${python}" --bambara_norm "${bambara_norm}" ${mini_num_train:+--mini_num_train "${mini_num_train}"})
mkdir -p "${outdir}/logs"

recipe() {  # recipe LEVEL LOG ARGS...: ./run.sh in LEVEL's working directory, logged to LOG
    local level=$1 logfile=$2; shift 2
    # shellcheck disable=SC2046
    ( cd "$(workdir "${level}")" && ./run.sh "${common[@]}" $(level_options "${level}") "$@" ) \
        > "${logfile}" 2>&1 || die "failed in $(workdir "${level}"): ./run.sh $* (see ${logfile})"
}

# ---- 1. data per level ------------------------------------------------------------
for level in ${levels}; do
    in_steps 1 || break
    wd=$(workdir "${level}")
    mkdir -p "${wd}"
    for f in run.sh lau_st.sh path.sh cmd.sh local conf; do  # the recipe, by relative links
        [ -e "${wd}/${f}" ] || ln -s "$(realpath --relative-to="${wd}" "${recipe_dir}/${f}")" "${wd}/${f}"
    done
    if compgen -G "${wd}/exp/st_stats_*/train/feats_stats.npz" > /dev/null \
            && [ -f "${wd}/dump/raw/train/sem_emb/sem_emb.scp" ]; then
        log "Step 1: ${level}: data, tokens, embeddings and ST statistics exist: reused"
        continue
    fi
    log "Step 1: ${level} ($(level_options "${level}")): corpus, dumps, tokens, embeddings, ST statistics (log: ${outdir}/logs/data_${level}.log)"
    recipe "${level}" ${outdir}/logs/data_${level}.log --stage 1 --stop_stage 5 \
        --mini_asr_extra_utts "${mini_asr_extra_utts}" --asr_extra train_asr_extra
    recipe "${level}" ${outdir}/logs/data_${level}_7_10.log --stage 7 --stop_stage 10 --st_config "${baseline_config}"
done

# ---- 2. ASR pretraining (1x, 2x), in the first level --------------------------------
asr_needed="1x"   # the 2x model only when a system or the cascade needs it
for s in ${systems}; do [ "$(system_spec "${s}" | cut -d' ' -f4)" = 2x ] && asr_needed="1x 2x"; done
for which in ${asr_needed}; do
    in_steps 2 || break
    dir=$(asr_from "${first_level}" ${which})
    if [ -f "$(workdir "${first_level}")/${dir}/valid.acc.ave.pth" ]; then
        log "Step 2: ${dir} (${which} ASR data) exists: reused"; continue
    fi
    extra=()
    if [ "${which}" = 2x ]; then
        extra=(--asr_extra train_asr_extra ${asr_2x_epochs:+--asr_args "--max_epoch ${asr_2x_epochs}"})
    fi
    log "Step 2: ASR pretraining on ${which} ASR data -> $(workdir "${first_level}")/${dir} (log: ${outdir}/logs/asr_${which}.log)"
    recipe "${first_level}" ${outdir}/logs/asr_${which}.log --stage 6 --stop_stage 6 --asr_exp "${dir}" "${extra[@]}"
done

# ---- 3. ST runs -------------------------------------------------------------------------
runs=()   # "level system seed" lines, seed-major
for seed in ${seeds} ${extra_seeds}; do
    for level in ${levels}; do
        for system in ${systems}; do
            if [[ " ${seeds} " == *" ${seed} "* ]] || [[ " ${extra_seeded} " == *" ${system} "* ]]; then
                runs+=("${level} ${system} ${seed}")
            fi
        done
    done
done
train_and_evaluate() {  # LEVEL SYSTEM SEED: lau_st.sh stages 11-13
    local level=$1 system=$2 seed=$3 config ratio norm asr opts=() st_args=""
    read -r config ratio norm asr <<< "$(system_spec "${system}")"
    opts=(--st_config "${config}")
    [ "${ratio}" = - ] || opts+=(--semantic_target_ratio "${ratio}")
    [ "${norm}" = none ] || st_args="--semantic_target_norm ${norm}"
    st_args="${st_args}${max_epoch:+ --max_epoch ${max_epoch}}"
    OMP_NUM_THREADS=${threads} recipe "${level}" "${outdir}/logs/${level}_${system}_seed${seed}.log" \
        --stage 11 --stop_stage 13 "${opts[@]}" --st_exp "$(run_dir "${level}" "${system}" "${seed}")" \
        --pretrained_asr "$(asr_from "${level}" "${asr}")/valid.acc.ave.pth:encoder:encoder" \
        --seed "${seed}" --inference_nj $(( nj / jobs > 0 ? nj / jobs : 1 )) --score_most_frequent false \
        --times_file "$(run_dir "${level}" "${system}" "${seed}")/stage_times.tsv" \
        ${st_args:+--st_args "${st_args# }"}
}
pending=()
for run in "${runs[@]}"; do
    in_steps 3 || break
    read -r level system seed <<< "${run}"
    if evaluated "${level}" "${system}" "${seed}"; then
        log "Step 3: ${level} ${system} seed ${seed} is evaluated: reused"
    else
        pending+=("${run}")
    fi
done
in_steps 3 && log "Step 3: ${#pending[@]} of ${#runs[@]} ST runs to do, ${jobs} at a time (${threads} threads each)"
running=()
for i in "${!pending[@]}"; do
    read -r level system seed <<< "${pending[$i]}"
    log "Step 3: [$(( i + 1 ))/${#pending[@]}] ${level} ${system} seed ${seed} (log: ${outdir}/logs/${level}_${system}_seed${seed}.log)"
    train_and_evaluate "${level}" "${system}" "${seed}" &
    running+=($!)
    if [ "${#running[@]}" -ge "${jobs}" ]; then
        wait "${running[0]}" || die "an ST run failed (see ${outdir}/logs/)"
        running=("${running[@]:1}")
    fi
done
for pid in "${running[@]}"; do wait "${pid}" || die "an ST run failed (see ${outdir}/logs/)"; done

# ---- 4. cascade per level -------------------------------------------------------------
for level in ${levels}; do
    in_steps 4 || break
    wd=$(workdir "${level}")
    if [ -f "${wd}/exp/cascade/${inference_tag}/test/semantic_eval/semantic_eval.json" ]; then
        log "Step 4: ${level}: the cascade is evaluated: reused"; continue
    fi
    cascade=(local/cascade.sh --mt_config "${mt_config}" --seed "${first_seed}" --src_nbpe "${src_nbpe}"
             --tgt_nbpe "${tgt_nbpe}" --outdir exp/cascade --inference_tag "${inference_tag}" --nj "${nj}"
             --python "${python}" --bambara_norm "${bambara_norm}")
    log "Step 4: ${level}: cascade ASR ($(asr_from "${level}" 1x)) -> MT (${mt_config}) (log: ${outdir}/logs/cascade_${level}.log)"
    if [ "${level}" = "${first_level}" ]; then
        ( cd "${wd}" && "${cascade[@]}" --asr_exp "${asr_1x}" ) > ${outdir}/logs/cascade_${level}.log 2>&1 \
            || die "cascade failed (see ${outdir}/logs/cascade_${level}.log)"
    else
        # Same audio and ASR model as the first level: its ASR hypotheses are reused.
        first_asr=$(workdir "${first_level}")/exp/cascade/asr_decode
        [ -d "${first_asr}" ] || die "the cascade of ${first_level} has no ASR hypotheses yet (${first_asr})"
        mkdir -p "${wd}/exp/cascade" && rm -rf "${wd}/exp/cascade/asr_decode" && cp -r "${first_asr}" "${wd}/exp/cascade/"
        { ( cd "${wd}" && "${cascade[@]}" --stage 1 --stop_stage 2 ) && ( cd "${wd}" && "${cascade[@]}" --stage 4 --stop_stage 5 ); } \
            > ${outdir}/logs/cascade_${level}.log 2>&1 || die "cascade failed (see ${outdir}/logs/cascade_${level}.log)"
    fi
done

# ---- 5. r on the trained models ---------------------------------------------------------
for level in ${levels}; do
    in_steps 5 || break
    for system in ${systems}; do
        [[ "${system}" == lau_* ]] || continue
        dir=$(workdir "${level}")/$(run_dir "${level}" "${system}" "${first_seed}")
        [ -f "${dir}/valid.acc.ave.pth" ] || { log "Step 5: ${dir} is not trained yet: skipped"; continue; }
        [ -f "${dir}/semantic_balance_final.json" ] && continue
        log "Step 5: r of the trained ${level} ${system} seed ${first_seed}"
        ( cd "$(workdir "${level}")" && ${python} -m espnet_lau.bin.semantic_balance \
            --exp_config "$(run_dir "${level}" "${system}" "${first_seed}")/config.yaml" \
            --checkpoint "$(run_dir "${level}" "${system}" "${first_seed}")/valid.acc.ave.pth" \
            --balance_out "$(run_dir "${level}" "${system}" "${first_seed}")/semantic_balance_final.json" \
            --log_level WARNING ) >> ${outdir}/logs/balance_final.log 2>&1 || die "see ${outdir}/logs/balance_final.log"
    done
done

# ---- 6. results -------------------------------------------------------------------------
in_steps 6 || { log "Finished (steps ${stage}-${stop_stage})"; exit 0; }
log "Step 6: ${results}, plots in ${outdir}/plots"
${python} -m espnet_lau.bin.grid_results --grid "${outdir}" --levels ${levels} --systems ${systems} \
    --seeds ${seeds} --extra_seeds ${extra_seeds} --extra_seeded ${extra_seeded} --inference_tag "${inference_tag}" --reference baseline_1xasr \
    --out "${results}" --plot_dir "${outdir}/plots" \
    --title "bambara_fr/st1 LAU grid (test set${max_epoch:+, ST max_epoch ${max_epoch}})"
log "Finished: ${results}"
