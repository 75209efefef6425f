#!/usr/bin/env bash
# The cascade baseline: ASR (lau_st.sh stage 6) -> text MT (espnet2's MT task).
#
# Stages:
#   1  MT statistics         espnet2.bin.mt_train --collect_stats on (text.bam -> text)
#   2  MT training           espnet2.bin.mt_train -> exp/<mt_tag>
#   3  ASR decoding          stock espnet2.bin.asr_inference, exp/<asr_tag> -> Bambara hypotheses
#                            (scored against the gold transcripts: WER/CER in asr_decode/*/score)
#   4  MT decoding           stock espnet2.bin.mt_inference on the ASR hypotheses
#                            -> <outdir>/<decode_tag>/<test>/text
#   5  scoring + semantics   lau_st.sh stages 12-13 on those hypotheses, exactly as for the
#                            E2E systems (BLEU/chrF/TER, WER/CER, semantic_eval)
# Needs lau_st.sh stages 1-8 (dumps, tokens, ASR model). Run from the recipe directory:
#   local/cascade.sh --asr_tag asr_transformer_mini --outdir exp/cascade
set -euo pipefail

log() { echo "$(date +%Y-%m-%dT%H:%M:%S) (cascade.sh) $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# ---- options (each can be given as --name value) --------------------------------
stage=1                  # first stage to run
stop_stage=5             # last stage to run
nj=2                     # parallel decoding processes
python=python            # the Python with espnet and espnet_lau
seed=0                   # MT training seed
train_set=train          # training set (dump/raw/<train_set>/{text.bam,text})
valid_set=dev            # validation set
test_sets="test"         # evaluation sets
src_nbpe=100             # source BPE size, as in lau_st.sh (data/token_list/src_bpe_<mode><n>)
tgt_nbpe=150             # target BPE size
bpemode=unigram          # sentencepiece model type
asr_tag=asr_transformer_mini  # the ASR model of the first pass: exp/<asr_tag>/valid.acc.ave.pth
mt_config=conf/tuning/train_mt_transformer_mini.yaml  # MT training config
mt_tag=""                # default: from the config name
mt_args=""               # extra options for mt_train
asr_decode_config=conf/tuning/decode_asr.yaml  # asr_inference options
mt_decode_config=conf/tuning/decode_mt.yaml    # mt_inference options
outdir=exp/cascade       # the cascade system: <outdir>/<decode_tag>/<test>/text
decode_tag=decode_st_valid.acc.ave  # the E2E systems' decode directory name, for the tables

. local/parse_options.sh
[ -f path.sh ] && . ./path.sh

[ -n "${mt_tag}" ] || mt_tag=$(basename "${mt_config}" .yaml | sed -e 's/^train_//')
mt_exp=exp/${mt_tag}
mt_stats=exp/mt_stats
asr_exp=exp/${asr_tag}
src_bpe_dir=data/token_list/src_bpe_${bpemode}${src_nbpe}
tgt_bpe_dir=data/token_list/tgt_bpe_${bpemode}${tgt_nbpe}
need() { [ -e "$1" ] || die "missing $1: $2"; }
in_stages() { [ "${stage}" -le "$1" ] && [ "${stop_stage}" -ge "$1" ]; }

mt_data=(--use_preprocessor true --seed "${seed}" --ngpu 0
         --src_token_type bpe --src_bpemodel ${src_bpe_dir}/bpe.model --src_token_list ${src_bpe_dir}/tokens.txt
         --token_type bpe --bpemodel ${tgt_bpe_dir}/bpe.model --token_list ${tgt_bpe_dir}/tokens.txt
         --train_data_path_and_name_and_type dump/raw/${train_set}/text.bam,src_text,text
         --train_data_path_and_name_and_type dump/raw/${train_set}/text,text,text
         --valid_data_path_and_name_and_type dump/raw/${valid_set}/text.bam,src_text,text
         --valid_data_path_and_name_and_type dump/raw/${valid_set}/text,text,text)

if in_stages 1; then
    need ${tgt_bpe_dir}/tokens.txt "run lau_st.sh stage 5 first"
    need dump/raw/${train_set}/text.bam "run lau_st.sh stages 1-4 first (the corpus needs source transcripts)"
    log "Stage 1: MT statistics -> ${mt_stats} (log: ${mt_stats}.log)"
    ${python} -m espnet2.bin.mt_train --collect_stats true --config "${mt_config}" "${mt_data[@]}" \
        --train_shape_file dump/raw/${train_set}/text.bam --valid_shape_file dump/raw/${valid_set}/text.bam \
        --output_dir ${mt_stats} > ${mt_stats}.log 2>&1 || die "see ${mt_stats}.log"
fi

if in_stages 2; then
    need ${mt_stats}/train/text_shape "run stage 1 first"
    mkdir -p ${mt_exp}
    log "Stage 2: MT training (${mt_config}) -> ${mt_exp} (log: ${mt_exp}/train.log)"
    # shellcheck disable=SC2086
    ${python} -m espnet2.bin.mt_train --config "${mt_config}" "${mt_data[@]}" \
        --train_shape_file ${mt_stats}/train/src_text_shape --train_shape_file ${mt_stats}/train/text_shape \
        --valid_shape_file ${mt_stats}/valid/src_text_shape --valid_shape_file ${mt_stats}/valid/text_shape \
        --fold_length 150 --fold_length 150 --resume true --output_dir ${mt_exp} ${mt_args} \
        > ${mt_exp}/train.log 2>&1 || die "MT training failed: see ${mt_exp}/train.log"
    need ${mt_exp}/valid.acc.ave.pth "MT training wrote no model"
fi

if in_stages 3; then
    need ${asr_exp}/valid.acc.ave.pth "run lau_st.sh stage 6 (ASR pretraining) first"
    for dset in ${test_sets}; do
        asr_dir=${outdir}/asr_decode/${dset}
        log "Stage 3: ASR decoding of ${dset} with ${asr_exp} (${nj} jobs) -> ${asr_dir}/text"
        local/decode_split.sh --nj "${nj}" --keys dump/raw/${dset}/wav.scp --logdir ${asr_dir}/logdir \
            --out ${asr_dir}/text -- ${python} -m espnet2.bin.asr_inference --ngpu 0 --batch_size 1 \
            --data_path_and_name_and_type dump/raw/${dset}/wav.scp,speech,sound \
            --asr_train_config ${asr_exp}/config.yaml --asr_model_file ${asr_exp}/valid.acc.ave.pth \
            --config "${asr_decode_config}" || die "ASR decoding of ${dset} failed"
        ${python} -m espnet_lau.bin.score_st --hyp ${asr_dir}/text --ref dump/raw/${dset}/text.bam \
            --outdir ${asr_dir}/score
    done
fi

if in_stages 4; then
    need ${mt_exp}/valid.acc.ave.pth "run stage 2 first"
    for dset in ${test_sets}; do
        asr_dir=${outdir}/asr_decode/${dset}
        need ${asr_dir}/text "run stage 3 first"
        out=${outdir}/${decode_tag}/${dset}
        log "Stage 4: MT decoding of the ASR hypotheses of ${dset} (${nj} jobs) -> ${out}/text"
        local/decode_split.sh --nj "${nj}" --keys ${asr_dir}/text --logdir ${out}/logdir \
            --out ${out}/text -- ${python} -m espnet2.bin.mt_inference --ngpu 0 --batch_size 1 \
            --data_path_and_name_and_type ${asr_dir}/text,src_text,text \
            --mt_train_config ${mt_exp}/config.yaml --mt_model_file ${mt_exp}/valid.acc.ave.pth \
            --config "${mt_decode_config}" || die "MT decoding of ${dset} failed"
    done
fi

if in_stages 5; then
    log "Stage 5: scoring and semantic evaluation (lau_st.sh stages 12-13 on ${outdir})"
    case "${outdir}" in exp/*) ;; *) die "--outdir must be under exp/ (lau_st.sh finds systems there)" ;; esac
    ./lau_st.sh --stage 12 --stop_stage 13 --st_tag "${outdir#exp/}" --python "${python}" \
        --test_sets "${test_sets}" --train_set "${train_set}" --trivial false --results "" \
        --times_file "${outdir}/stage_times.tsv" --decode_tag "${decode_tag}"
fi
log "Finished"
