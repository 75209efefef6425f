#!/usr/bin/env bash
# LAU speech translation, Bambara speech -> French text.
#   ./run.sh                               # the offline synthetic mini corpus, stages 1-14
#   ./run.sh --stage 11 --st_config conf/tuning/train_st_lau_cosine_lambda0.2.yaml
#   ./run.sh --corpus jeli-asr --jeli_asr /data/jeli-asr --max_wav_duration 40 \
#       --asr_config conf/tuning/train_asr_conformer_jeli.yaml \
#       --st_config conf/tuning/train_st_conformer_jeli_lau_mse_lambda1.0.yaml --ngpu 1
# Options: ./lau_st.sh --help
set -euo pipefail

asr_config=conf/tuning/train_asr_transformer_mini.yaml
st_config=conf/tuning/train_st_lau_mse_std_r1.0.yaml  # the grid's best-supported system; train_st_baseline.yaml: the baseline, train_st_lau_mse_lambda1.0.yaml: the paper's setting
inference_config=conf/tuning/decode_st.yaml

./lau_st.sh \
    --corpus mini \
    --src_lang bam \
    --tgt_lang fr \
    --teacher usem3 \
    --asr_config "${asr_config}" \
    --st_config "${st_config}" \
    --inference_config "${inference_config}" \
    --src_nbpe 100 \
    --tgt_nbpe 150 \
    "$@"
