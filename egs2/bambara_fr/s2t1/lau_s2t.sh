#!/usr/bin/env bash
# The stage script of the LAU fine-tuning of OWSM (ESPnet's speech foundation models) for
# Bambara speech -> French text, with the stage numbers, option names and directory names
# of ESPnet's egs2/TEMPLATE/s2t1/s2t.sh wherever s2t.sh has the concept. The data stages
# are those of ../st1 (its local/ scripts and the same Python tools).
#
# Stages (run a range with --stage N --stop_stage M):
#    1  data preparation     ../st1/local/data.sh -> data/{train,dev,test}
#    2  speed perturbation   (off unless --speed_perturb_factors is given)
#    3  format               16 kHz mono wavs, text.<case>.<lang> -> <dumpdir>/raw/org/
#    4  filtering            by duration and target length -> <dumpdir>/raw/
#    5  token list           no BPE training: the checkpoint's bpe.model and token list, with the
#                            language symbol added (extend_tokens) -> <expdir>/pretrained_s2t_<src_lang>;
#                            OWSM's text files text, text.prev, text.ctc in every dump set
#    6                       not used (s2t.sh: LM statistics)
#    7  teacher embeddings   espnet_lau.bin.embed_text on the French targets, without prompt symbols
#    8, 9                    not used (s2t.sh: LM and n-gram)
#   10  S2T statistics       lau_s2t_train --collect_stats true (shapes; the normalisation is the checkpoint's)
#   11  S2T fine-tuning      lau_s2t_train from the checkpoint (baseline or LAU: the config decides),
#                            then export to a stock ESPnet S2T model
#   12  decoding             stock espnet2.bin.s2t_inference, --lang_sym <src_symbol> --task_sym <task_symbol>
#   13  scoring, evaluation  BLEU/chrF/TER, WER/CER, semantic evaluation (../st1/local/score_set.sh), <s2t_exp>/RESULTS.md
#   14  packing              espnet2.bin.pack s2t
set -euo pipefail

log() { echo "$(date +%Y-%m-%dT%H:%M:%S) (lau_s2t.sh) $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# ---- options (every variable below can be given as --name value) --------------
stage=1                  # first stage to run
stop_stage=13            # last stage to run (14: packing)
skip_data_prep=false     # skip stages 1-5 (as s2t.sh)
skip_train=false         # skip stages 6-11 (as s2t.sh)
skip_eval=false          # skip stages 12-13 (as s2t.sh)
nj=2                     # parallel jobs for CPU work
inference_nj=2           # parallel decoding jobs
gpu_inference=false      # decode on the GPU
ngpu=0                   # GPUs for training
python=python            # the Python with espnet and espnet_lau
seed=0                   # seed of data generation and training
dumpdir=dump             # formatted data
expdir=exp               # experiments

# data (as ../st1)
corpus=mini              # mini (synthetic, offline) | jeli-asr
mini_size=default        # mini corpus size: tiny | default
jeli_asr=""              # jeli-asr: local dataset folder or hub name
jeli_subset=jeli-asr     # jeli-asr | bam-asr-oza | jeli-asr-rmai
jeli_dev_permille=30     # jeli-asr: per mille of the training recordings moved to dev
speed_perturb_factors="" # e.g. "0.9 1.0 1.1"
min_wav_duration=0.3     # seconds
max_wav_duration=20      # seconds: keep it <= the config's preprocessor_conf.speech_length (longer clips are cut)
max_target_chars=400     # drop training targets longer than this (characters)
src_lang=bam             # source language id: data files text.<src_case>.<src_lang>
tgt_lang=fr              # target language id: data files text.<tgt_case>.<tgt_lang>
src_case=tc              # the source transcripts of text.ctc: tc | lc | lc.rm
bambara_norm=expand      # Bambara orthography of the source texts, stage 3: expand | contract | preserve | none
tgt_case=lc.rm           # target of training and scoring: lc.rm | lc | tc
train_set=train          # training set name under data/
valid_set=dev            # validation set name
test_sets="test"         # evaluation sets (space separated)

# the pretrained model and its tokens
pretrained_s2t=""        # the OWSM checkpoint folder, as espnet_model_zoo unpacks it (config.yaml, .pth, bpe.model, feats_stats.npz); read only
src_symbol="<bam>"       # the language symbol of the source (OWSM v3/v3.1/v4 have no <bam>: stage 5 appends it)
lang_token_init=mean     # the new symbol's rows: mean (of all language symbols) or a language symbol, e.g. "<ful>"
reuse_lang_symbol=false  # true: --src_symbol is an existing language symbol of the checkpoint, used for Bambara (nothing appended)
task_symbol="<st_fra>"   # OWSM's task symbol: translation into French
ctc_text=source          # text.ctc: source (the Bambara transcript) | na (<na>: no CTC target)
trust_pickle=false       # true: read a checkpoint that does not load with torch.load(weights_only=True)

# S2T
s2t_config=conf/tuning/train_s2t_owsm_lau_mse_std_r1.0.yaml  # fine-tuning config (no model keys: the model is the checkpoint's)
s2t_tag=""               # default: from the config, languages and case (as s2t.sh)
s2t_exp=""               # default: <expdir>/s2t_<s2t_tag>
s2t_stats_dir=""         # default: <expdir>/s2t_stats_raw_<src_lang>_<tgt_lang>
s2t_args=""              # extra options for lau_s2t_train (part of the default s2t_tag)
teacher=usem3            # the sentence teacher of LAU (as ../st1: usem3 | sentence-transformers:<name-or-path> | shuffle | random | tfidf)
teacher_batch_size=64    # sentences per teacher batch

# decoding and evaluation
inference_config=conf/tuning/decode_s2t.yaml  # s2t_inference options
inference_args=""        # extra options for s2t_inference
inference_s2t_model=valid.acc.ave.pth  # checkpoint of <s2t_exp> to export and decode
inference_tag=""         # default: <inference config name>_s2t_model_<inference_s2t_model>
eval_teacher=usem3       # teacher used to embed outputs in semantic_eval

# unsupported: --use_lm: no language model (s2t.sh stages 6-9)
# unsupported: --nbpe: the checkpoint's BPE model is reused (no BPE stage)
# unsupported: --bpe_train_text: the checkpoint's BPE model is reused (no BPE stage)
# unsupported: --token_type: bpe, the checkpoint's
# unsupported: --feats_normalize: global_mvn with the checkpoint's feats_stats.npz
# unsupported: --audio_format: stage 3 always writes 16 kHz mono 16-bit wav
# unsupported: --download_model: decode a model trained here (../st1 takes --download_model)
run_args=$(printf '%q ' "$0" "$@")
. local/parse_options.sh

[ -f path.sh ] && . ./path.sh
[ -f cmd.sh ] && . ./cmd.sh

for name in stage stop_stage nj inference_nj teacher_batch_size; do
    [[ "${!name}" =~ ^[0-9]+$ ]] && [ "${!name}" -ge 1 ] || die "--${name} must be an integer >= 1, got '${!name}'"
done
for name in gpu_inference reuse_lang_symbol trust_pickle skip_data_prep skip_train skip_eval; do
    case "${!name}" in true|false) ;; *) die "--${name} must be true or false, got '${!name}'" ;; esac
done
case "${ctc_text}" in source|na) ;; *) die "--ctc_text must be source or na, got '${ctc_text}'" ;; esac
for f in "${s2t_config}" "${inference_config}"; do [ -f "${f}" ] || die "${f} does not exist (configs: conf/tuning/)"; done
err=$("${python}" -m espnet_lau.bin.check_configs "s2t_config=${s2t_config}" "inference_config=${inference_config}" 2>&1) \
    || die "${err}"

# ---- derived names (s2t.sh's scheme) ---------------------------------------------
data_feats=${dumpdir}/raw
src_text=text.${src_case}.${src_lang}
tgt_text=text.${tgt_case}.${tgt_lang}
[ -z "${speed_perturb_factors}" ] || train_set=${train_set}_sp
args_tag() { echo "$1" | sed -e "s/--/\_/g" -e "s/[ |=/]//g"; }
pretrained_dir=${expdir}/pretrained_s2t_${src_lang}   # the checkpoint with the language symbol (stage 5)
sem_emb=sem_emb          # the teacher's folder in each dump set (../st1's names)
[ "${teacher}" = usem3 ] || sem_emb=sem_emb_$(printf '%s' "${teacher}" | tr -c 'A-Za-z0-9._-' '_')
[ -n "${s2t_tag}" ] || s2t_tag=$(basename "${s2t_config}" .yaml)_raw_${src_lang}_${tgt_lang}_${tgt_case}$(args_tag "${s2t_args}")
[ -n "${s2t_exp}" ] || s2t_exp=${expdir}/s2t_${s2t_tag}
[ -n "${s2t_stats_dir}" ] || s2t_stats_dir=${expdir}/s2t_stats_raw_${src_lang}_${tgt_lang}
[ -n "${inference_tag}" ] || inference_tag=$(basename "${inference_config}" .yaml)$(args_tag "${inference_args}")_s2t_model_${inference_s2t_model%.pth}
export_dir=${s2t_exp}/export/${inference_s2t_model%.pth}
all_sets="${train_set} ${valid_set} ${test_sets}"
log "Directories: pretrained_dir=${pretrained_dir} s2t_stats_dir=${s2t_stats_dir} s2t_exp=${s2t_exp} inference_tag=${inference_tag}"

in_stage() { [ "${stage}" -le "$1" ] && [ "${stop_stage}" -ge "$1" ]; }
run_stage() {  # run_stage N "what": N in [stage, stop_stage] and not skipped by --skip_*
    in_stage "$1" || return 1
    if { [ "$1" -le 5 ] && [ "${skip_data_prep}" = true ]; } || { [ "$1" -ge 6 ] && [ "$1" -le 11 ] && [ "${skip_train}" = true ]; } \
            || { [ "$1" -ge 12 ] && [ "$1" -le 13 ] && [ "${skip_eval}" = true ]; }; then
        log "Stage $1: skipped"; return 1
    fi
    log "Stage $1: $2"
}
need() { [ -e "$1" ] || die "missing $1: run stage $2 first (--stage $2)"; }

# ---- stages 1-4: the data of ../st1 ---------------------------------------------
if run_stage 1 "Data preparation (${corpus}) -> data/"; then
    local/data.sh --python "${python}" --corpus "${corpus}" --mini_size "${mini_size}" --seed "${seed}" --nj "${nj}" \
        ${jeli_asr:+--jeli_asr "${jeli_asr}"} --jeli_subset "${jeli_subset}" --dev_permille "${jeli_dev_permille}"
fi
if run_stage 2 "Speed perturbation (factors: ${speed_perturb_factors:-none})" && [ -n "${speed_perturb_factors}" ]; then
    ${python} -m espnet_lau.bin.speed_perturb --src data/${train_set%_sp} --dst data/${train_set} \
        --factors ${speed_perturb_factors} --nj "${nj}"
fi
if run_stage 3 "Format audio and ${tgt_text}, ${src_text} -> ${data_feats}/org"; then
    for dset in ${all_sets}; do
        ${python} -m espnet_lau.bin.prepare_dump format --src data/${dset} --dst ${data_feats}/org/${dset} \
            --nj "${nj}" --langs "${src_lang}:${src_case}" "${tgt_lang}:${tgt_case}" \
            --bambara_norm "${bambara_norm}" --bambara_lang "${src_lang}"
    done
fi
if run_stage 4 "Filter by duration [${min_wav_duration}, ${max_wav_duration}] s -> ${data_feats}"; then
    for dset in ${all_sets}; do
        case " ${test_sets} " in
            *" ${dset} "*) limits="--min_duration 0 --max_duration 1e9 --max_target_chars 1000000 --warn_above ${max_wav_duration}" ;;
            *) limits="--min_duration ${min_wav_duration} --max_duration ${max_wav_duration} --max_target_chars ${max_target_chars}" ;;
        esac
        # shellcheck disable=SC2086
        ${python} -m espnet_lau.bin.prepare_dump filter --src ${data_feats}/org/${dset} --dst ${data_feats}/${dset} \
            --target_file "${tgt_text}" ${limits}
    done
    # shellcheck disable=SC2046
    ${python} -m espnet_lau.bin.prepare_dump disjoint $(for d in ${all_sets}; do echo ${data_feats}/${d}; done)
fi

# ---- stage 5: the checkpoint's tokens, the language symbol, OWSM's text files --------
if run_stage 5 "Token list of ${pretrained_s2t:-<--pretrained_s2t>} with ${src_symbol}; text, text.prev, text.ctc"; then
    [ -n "${pretrained_s2t}" ] || die "--pretrained_s2t is required: the OWSM checkpoint folder (docs/owsm.md)"
    ${python} -m espnet_lau.bin.extend_tokens --pretrained_s2t "${pretrained_s2t}" --outdir ${pretrained_dir} \
        --symbol "${src_symbol}" --init "${lang_token_init}" --reuse_symbol "${reuse_lang_symbol}" \
        --trust_pickle "${trust_pickle}"
    ctc_opts=(); [ "${ctc_text}" = na ] || ctc_opts=(--source_file "${src_text}")
    # shellcheck disable=SC2046
    ${python} -m espnet_lau.bin.prepare_s2t_text --data_dir $(for d in ${all_sets}; do echo ${data_feats}/${d}; done) \
        --target_file "${tgt_text}" "${ctc_opts[@]}" --src_symbol "${src_symbol}" --task_symbol "${task_symbol}"
fi

# ---- stage 7: the teacher's targets: the French text alone, no prompt symbols ---------
if run_stage 7 "Teacher embeddings of ${tgt_text} (teacher: ${teacher})"; then
    for dset in ${train_set} ${valid_set}; do
        need ${data_feats}/${dset}/${tgt_text} 4
        ${python} -m espnet_lau.bin.embed_text --teacher "${teacher}" \
            --fit_text ${data_feats}/${train_set}/${tgt_text} --text ${data_feats}/${dset}/${tgt_text} \
            --outdir ${data_feats}/${dset}/${sem_emb} --batch_size "${teacher_batch_size}" \
            --cache_dir ${dumpdir}/sem_emb_cache
    done
fi

s2t_data=(--use_preprocessor true --token_type bpe --bpemodel ${pretrained_dir}/bpe.model
          --token_list ${pretrained_dir}/tokens.txt --ngpu "${ngpu}" --seed "${seed}")
for phase in train valid; do
    dset=${train_set}; [ ${phase} = train ] || dset=${valid_set}
    s2t_data+=(--${phase}_data_path_and_name_and_type ${data_feats}/${dset}/wav.scp,speech,sound
               --${phase}_data_path_and_name_and_type ${data_feats}/${dset}/text,text,text
               --${phase}_data_path_and_name_and_type ${data_feats}/${dset}/text.prev,text_prev,text
               --${phase}_data_path_and_name_and_type ${data_feats}/${dset}/text.ctc,text_ctc,text)
done
finetune_config() {  # finetune_config OUT: the checkpoint's model with the settings of --s2t_config
    ${python} -m espnet_lau.bin.s2t_finetune_config --pretrained_config ${pretrained_dir}/config.yaml \
        --finetune_config "${s2t_config}" --out "$1"
}

if run_stage 10 "S2T statistics -> ${s2t_stats_dir}"; then
    need ${pretrained_dir}/tokens.txt 5
    need ${data_feats}/${train_set}/text 5
    mkdir -p ${s2t_stats_dir}
    finetune_config ${s2t_stats_dir}/config_finetune.yaml
    ${python} -m espnet_lau.bin.lau_s2t_train --collect_stats true --config ${s2t_stats_dir}/config_finetune.yaml \
        "${s2t_data[@]}" --train_shape_file ${data_feats}/${train_set}/wav.scp \
        --valid_shape_file ${data_feats}/${valid_set}/wav.scp --output_dir ${s2t_stats_dir} \
        > ${s2t_stats_dir}/collect_stats.log 2>&1 || die "see ${s2t_stats_dir}/collect_stats.log"
fi

if run_stage 11 "S2T fine-tuning (${s2t_config}) from ${pretrained_dir} -> ${s2t_exp}, export"; then
    need ${s2t_stats_dir}/train/speech_shape 10
    need ${data_feats}/${train_set}/${sem_emb}/sem_emb.scp 7
    mkdir -p ${s2t_exp}
    printf '#!/usr/bin/env bash\ncd %q && %s--stage 11 "$@"; exit $?\n' "$(pwd)" "${run_args}" > ${s2t_exp}/run.sh
    chmod +x ${s2t_exp}/run.sh
    finetune_config ${s2t_exp}/config_finetune.yaml
    cmd=${train_cmd}; [ "${ngpu}" -gt 0 ] && cmd=${cuda_cmd}
    log "Fine-tuning from ${pretrained_dir}/model.pth (log: ${s2t_exp}/train.log)"
    # shellcheck disable=SC2086
    ${cmd} --gpu "${ngpu}" ${s2t_exp}/train.log ${python} -m espnet_lau.bin.lau_s2t_train \
        --config ${s2t_exp}/config_finetune.yaml "${s2t_data[@]}" \
        --train_data_path_and_name_and_type ${data_feats}/${train_set}/${sem_emb}/sem_emb.scp,sem_emb,npy \
        --valid_data_path_and_name_and_type ${data_feats}/${valid_set}/${sem_emb}/sem_emb.scp,sem_emb,npy \
        --train_shape_file ${s2t_stats_dir}/train/speech_shape --train_shape_file ${s2t_stats_dir}/train/text_shape \
        --valid_shape_file ${s2t_stats_dir}/valid/speech_shape --valid_shape_file ${s2t_stats_dir}/valid/text_shape \
        --fold_length 800000 --fold_length 150 --init_param ${pretrained_dir}/model.pth \
        --normalize_conf stats_file=${pretrained_dir}/feats_stats.npz \
        --use_matplotlib false --resume true --output_dir ${s2t_exp} ${s2t_args} \
        || die "S2T fine-tuning failed: see ${s2t_exp}/train.log"
    need ${s2t_exp}/${inference_s2t_model} 11
    ${python} -m espnet_lau.bin.export_stock --task s2t --config ${s2t_exp}/config.yaml \
        --model_file ${s2t_exp}/${inference_s2t_model} --outdir ${export_dir} --overwrite true
fi

if run_stage 12 "Decoding ${test_sets} with stock espnet2.bin.s2t_inference (${src_symbol} ${task_symbol})"; then
    need ${export_dir}/model.pth 11
    ${python} -m espnet_lau.bin.export_stock --verify true --model_file ${s2t_exp}/${inference_s2t_model} \
        --outdir ${export_dir} || exit 1
    if [ "${gpu_inference}" = true ]; then _cmd=${cuda_cmd}; _ngpu=1; else _cmd=${decode_cmd}; _ngpu=0; fi
    for dset in ${test_sets}; do
        outdir=${s2t_exp}/${inference_tag}/${dset}
        # shellcheck disable=SC2086
        local/decode_split.sh --nj "${inference_nj}" --cmd "${_cmd}" --ngpu "${_ngpu}" --log_name s2t_inference \
            --hyp_name text_nospecial --keys ${data_feats}/${dset}/wav.scp --logdir ${outdir}/logdir \
            --out ${outdir}/text -- ${python} -m espnet2.bin.s2t_inference --ngpu "${_ngpu}" --batch_size 1 \
            --data_path_and_name_and_type ${data_feats}/${dset}/wav.scp,speech,sound \
            --s2t_train_config ${export_dir}/config.yaml --s2t_model_file ${export_dir}/model.pth \
            --lang_sym "${src_symbol}" --task_sym "${task_symbol}" \
            --config "${inference_config}" ${inference_args} || die "decoding ${dset} failed"
    done
fi

if run_stage 13 "Scoring (BLEU/chrF/TER, WER/CER), semantic evaluation and ${s2t_exp}/RESULTS.md"; then
    runs=()
    for dset in ${test_sets}; do
        outdir=${s2t_exp}/${inference_tag}/${dset}
        need ${outdir}/text 12
        local/score_set.sh --python "${python}" --data ${data_feats}/${dset} --tgt_text "${tgt_text}" \
            --case "${tgt_case}" --hyp_dir ${outdir} --eval_teacher "${eval_teacher}" --llm_cache ${expdir}/llm_cache
        runs+=(--run "$(basename "${s2t_exp}")_${dset}=${outdir}")
    done
    ${python} -m espnet_lau.bin.make_results "${runs[@]}" --out ${s2t_exp}/RESULTS.md --plot_dir ${s2t_exp}/plots \
        --title "bambara_fr/s2t1 (${corpus}): ${s2t_exp##*/}, ${inference_tag}"
fi

if run_stage 14 "Packing -> ${s2t_exp}/${s2t_exp##*/}.zip"; then
    need ${export_dir}/model.pth 11
    ${python} -m espnet2.bin.pack s2t --s2t_train_config ${export_dir}/config.yaml \
        --s2t_model_file ${export_dir}/model.pth --option ${pretrained_dir}/bpe.model \
        --option ${pretrained_dir}/feats_stats.npz --outpath ${s2t_exp}/${s2t_exp##*/}.zip
fi
log "Finished"
