#!/usr/bin/env bash
# The cascade baseline: ASR (lau_st.sh stage 6) -> text MT (espnet2's MT task).
#
# Stages:
#   1  MT statistics         espnet2.bin.mt_train --collect_stats on (text.<src_case>.<src_lang>
#                            -> text.<tgt_case>.<tgt_lang>)
#   2  MT training           espnet2.bin.mt_train -> exp/mt_<mt_tag>
#   3  ASR decoding          stock espnet2.bin.asr_inference, <asr_exp> -> Bambara hypotheses
#                            (scored against the gold transcripts: WER/CER in asr_decode/*/score)
#   4  MT decoding           stock espnet2.bin.mt_inference on the ASR hypotheses
#                            -> <outdir>/<inference_tag>/<test>/text
#   5  scoring + semantics   lau_st.sh stage 13 on those hypotheses, exactly as for the
#                            E2E systems (BLEU/chrF/TER, WER/CER, semantic_eval)
# Needs lau_st.sh stages 1-6 (dumps, tokens, ASR model). Run from the recipe directory:
#   local/cascade.sh --asr_exp exp/asr_train_asr_transformer_mini_raw_bam_bpe_tc100 --outdir exp/cascade
set -euo pipefail

log() { echo "$(date +%Y-%m-%dT%H:%M:%S) (cascade.sh) $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# ---- options (each can be given as --name value) --------------------------------
stage=1                  # first stage to run
stop_stage=5             # last stage to run
nj=2                     # parallel decoding processes
ngpu=0                   # GPUs for MT training (through ${cuda_cmd} when > 0, else ${train_cmd})
gpu_inference=false      # decode on the GPU (through ${cuda_cmd})
python=python            # the Python with espnet and espnet_lau
seed=0                   # MT training seed
dumpdir=dump             # as lau_st.sh
train_set=train          # training set (<dumpdir>/raw/<train_set>/text.*)
valid_set=dev            # validation set
test_sets="test"         # evaluation sets
src_lang=bam             # as lau_st.sh: source text.<src_case>.<src_lang>
tgt_lang=fr              # target text.<tgt_case>.<tgt_lang>
src_case=tc              # as lau_st.sh
bambara_norm=expand      # WER/CER of the ASR pass: bambara-text-normalizer WER preset, expand|contract|preserve|none
tgt_case=lc.rm           # as lau_st.sh
src_nbpe=100             # source BPE size, as in lau_st.sh (data/token_list/src_bpe_<mode><n>)
tgt_nbpe=150             # target BPE size
src_bpemode=unigram      # source sentencepiece model type
tgt_bpemode=unigram      # target sentencepiece model type
asr_exp=exp/asr_train_asr_transformer_mini_raw_bam_bpe_tc100  # the first pass: <asr_exp>/valid.acc.ave.pth
mt_config=conf/tuning/train_mt_transformer_mini.yaml  # MT training config
mt_tag=""                # default: from the config, languages and tokens
mt_args=""               # extra options for mt_train
asr_decode_config=conf/tuning/decode_asr.yaml  # asr_inference options
mt_decode_config=conf/tuning/decode_mt.yaml    # mt_inference options
outdir=exp/cascade       # the cascade system: <outdir>/<inference_tag>/<test>/text
inference_tag=decode_st_st_model_valid.acc.ave  # the E2E systems' decode directory name, for the tables

. local/parse_options.sh
[ -f path.sh ] && . ./path.sh
[ -f cmd.sh ] && . ./cmd.sh

data_feats=${dumpdir}/raw
src_text=text.${src_case}.${src_lang}
tgt_text=text.${tgt_case}.${tgt_lang}
[ -n "${mt_tag}" ] || mt_tag=$(basename "${mt_config}" .yaml)_${src_lang}_${tgt_lang}_bpe_${tgt_case}${tgt_nbpe}
mt_exp=exp/mt_${mt_tag}
mt_stats=exp/mt_stats_${src_lang}_${tgt_lang}_bpe${src_nbpe}_bpe${tgt_nbpe}
src_bpe_dir=data/token_list/src_bpe_${src_bpemode}${src_nbpe}
tgt_bpe_dir=data/token_list/tgt_bpe_${tgt_bpemode}${tgt_nbpe}
need() { [ -e "$1" ] || die "missing $1: $2"; }
in_stage() { [ "${stage}" -le "$1" ] && [ "${stop_stage}" -ge "$1" ]; }

[[ "${ngpu}" =~ ^[0-9]+$ ]] || die "--ngpu must be an integer >= 0, got '${ngpu}'"
case "${gpu_inference}" in true|false) ;; *) die "--gpu_inference must be true or false, got '${gpu_inference}'" ;; esac
train_backend=${train_cmd}; [ "${ngpu}" -gt 0 ] && train_backend=${cuda_cmd}
if [ "${gpu_inference}" = true ]; then decode_backend=${cuda_cmd}; decode_ngpu=1; else decode_backend=${decode_cmd}; decode_ngpu=0; fi
mt_data=(--use_preprocessor true --seed "${seed}" --ngpu "${ngpu}"
         --src_token_type bpe --src_bpemodel ${src_bpe_dir}/bpe.model --src_token_list ${src_bpe_dir}/tokens.txt
         --token_type bpe --bpemodel ${tgt_bpe_dir}/bpe.model --token_list ${tgt_bpe_dir}/tokens.txt
         --train_data_path_and_name_and_type ${data_feats}/${train_set}/${src_text},src_text,text
         --train_data_path_and_name_and_type ${data_feats}/${train_set}/${tgt_text},text,text
         --valid_data_path_and_name_and_type ${data_feats}/${valid_set}/${src_text},src_text,text
         --valid_data_path_and_name_and_type ${data_feats}/${valid_set}/${tgt_text},text,text)

if in_stage 1; then
    need ${tgt_bpe_dir}/tokens.txt "run lau_st.sh stage 5 first"
    need ${data_feats}/${train_set}/${src_text} "run lau_st.sh stages 1-4 first (the corpus needs source transcripts)"
    log "Stage 1: MT statistics -> ${mt_stats} (log: ${mt_stats}.log)"
    ${python} -m espnet2.bin.mt_train --collect_stats true --config "${mt_config}" "${mt_data[@]}" \
        --train_shape_file ${data_feats}/${train_set}/${src_text} --valid_shape_file ${data_feats}/${valid_set}/${src_text} \
        --output_dir ${mt_stats} > ${mt_stats}.log 2>&1 || die "see ${mt_stats}.log"
fi

if in_stage 2; then
    need ${mt_stats}/train/text_shape "run stage 1 first"
    mkdir -p ${mt_exp}
    log "Stage 2: MT training (${mt_config}) -> ${mt_exp} (log: ${mt_exp}/train.log)"
    # shellcheck disable=SC2086
    ${train_backend} --gpu "${ngpu}" ${mt_exp}/train.log ${python} -m espnet2.bin.mt_train --config "${mt_config}" "${mt_data[@]}" \
        --train_shape_file ${mt_stats}/train/src_text_shape --train_shape_file ${mt_stats}/train/text_shape \
        --valid_shape_file ${mt_stats}/valid/src_text_shape --valid_shape_file ${mt_stats}/valid/text_shape \
        --fold_length 150 --fold_length 150 --resume true --output_dir ${mt_exp} ${mt_args} \
        || die "MT training failed: see ${mt_exp}/train.log"
    need ${mt_exp}/valid.acc.ave.pth "MT training wrote no model"
fi

if in_stage 3; then
    need ${asr_exp}/valid.acc.ave.pth "run lau_st.sh stage 6 (ASR pretraining) first"
    for dset in ${test_sets}; do
        asr_dir=${outdir}/asr_decode/${dset}
        log "Stage 3: ASR decoding of ${dset} with ${asr_exp} (${nj} jobs) -> ${asr_dir}/text"
        local/decode_split.sh --nj "${nj}" --cmd "${decode_backend}" --ngpu "${decode_ngpu}" --log_name asr_inference \
            --keys ${data_feats}/${dset}/wav.scp --logdir ${asr_dir}/logdir \
            --out ${asr_dir}/text -- ${python} -m espnet2.bin.asr_inference --ngpu "${decode_ngpu}" --batch_size 1 \
            --data_path_and_name_and_type ${data_feats}/${dset}/wav.scp,speech,sound \
            --asr_train_config ${asr_exp}/config.yaml --asr_model_file ${asr_exp}/valid.acc.ave.pth \
            --config "${asr_decode_config}" || die "ASR decoding of ${dset} failed"
        ${python} -m espnet_lau.bin.score_st --hyp ${asr_dir}/text --ref ${data_feats}/${dset}/${src_text} \
            --outdir ${asr_dir}/score_wer --case "${src_case}" \
            --bambara_norm "${bambara_norm}"
    done
fi

if in_stage 4; then
    need ${mt_exp}/valid.acc.ave.pth "run stage 2 first"
    for dset in ${test_sets}; do
        asr_dir=${outdir}/asr_decode/${dset}
        need ${asr_dir}/text "run stage 3 first"
        out=${outdir}/${inference_tag}/${dset}
        log "Stage 4: MT decoding of the ASR hypotheses of ${dset} (${nj} jobs) -> ${out}/text"
        local/decode_split.sh --nj "${nj}" --cmd "${decode_backend}" --ngpu "${decode_ngpu}" --log_name mt_inference \
            --keys ${asr_dir}/text --logdir ${out}/logdir \
            --out ${out}/text -- ${python} -m espnet2.bin.mt_inference --ngpu "${decode_ngpu}" --batch_size 1 \
            --data_path_and_name_and_type ${asr_dir}/text,src_text,text \
            --mt_train_config ${mt_exp}/config.yaml --mt_model_file ${mt_exp}/valid.acc.ave.pth \
            --config "${mt_decode_config}" || die "MT decoding of ${dset} failed"
    done
fi

if in_stage 5; then
    log "Stage 5: scoring and semantic evaluation (lau_st.sh stage 13 on ${outdir})"
    ./lau_st.sh --stage 13 --stop_stage 13 --st_exp "${outdir}" --python "${python}" \
        --dumpdir "${dumpdir}" --test_sets "${test_sets}" --train_set "${train_set}" --score_most_frequent false \
        --src_lang "${src_lang}" --tgt_lang "${tgt_lang}" --src_case "${src_case}" --tgt_case "${tgt_case}" \
        --times_file "${outdir}/stage_times.tsv" --inference_tag "${inference_tag}"
fi
log "Finished"
