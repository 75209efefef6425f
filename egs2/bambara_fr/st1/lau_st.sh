#!/usr/bin/env bash
# The stage script of the LAU speech-translation recipe (Bambara speech -> French text).
#
# Stages (run a range with --stage N --stop_stage M):
#    1  data preparation        local/data.sh -> data/{train,dev,test}
#    2  speed perturbation      (off unless --speed_perturb_factors is given)
#    3  format audio            16 kHz mono wavs, normalised targets -> dump/raw/org/
#    4  filtering               by duration and target length -> dump/raw/
#    5  BPE token lists         sentencepiece for the source (Bambara) and target (French)
#    6  ASR pretraining         espnet_lau.bin.asr_train (= espnet2.bin.asr_train, channels-last convs)
#    7  semantic embeddings     espnet_lau.bin.embed_text on the French targets
#    8  ST statistics           lau_st_train --collect_stats true
#    9  ST training             espnet_lau.bin.lau_st_train (baseline or LAU: the config decides)
#   10  export + drift          stock ESPnet model; Total Parameter Drift of the encoder
#   11  decoding                stock espnet2.bin.st_inference on the exported model
#   12  scoring                 BLEU/chrF/TER, WER/CER (score_st), and a trivial baseline
#   13  semantic evaluation     semantic_eval, RESULTS.md and plots
#   14  packing                 espnet2.bin.pack st + offline reload check (espnet_model_zoo)
#   15  upload                  to the Hugging Face hub (optional; needs network and a token)
set -euo pipefail

log() { echo "$(date +%Y-%m-%dT%H:%M:%S) (lau_st.sh) $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# ---- options (every variable below can be given as --name value) --------------
stage=1                  # first stage to run
stop_stage=14            # last stage to run
nj=2                     # parallel jobs for CPU work (audio, decoding)
ngpu=0                   # GPUs for training; >1 uses ESPnet's own DDP
cpu_ddp_procs=0          # >1: ST training in N CPU processes (torch DDP, gloo), e.g. to test DDP
python=python            # the Python with espnet and espnet_lau
seed=0                   # seed of data generation and training

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
extra_asr=0              # mini: utterances of extra ASR-only data (data/train_asr_extra)
asr_extra=""             # extra ASR-only data dirs under data/ (space separated)
speed_perturb_factors="" # e.g. "0.9 1.0 1.1"
min_duration=0.3         # seconds
max_duration=20          # seconds (Jeli-ASR has clips over 30 s: raise it there)
max_target_chars=400     # drop training targets longer than this (characters)
text_norm=true           # lower-case, punctuation removed (apostrophes/hyphens kept)
train_set=train          # training set name under data/
valid_set=dev            # validation set name
test_sets="test"         # evaluation sets (space separated)

# tokens
src_nbpe=100             # source (Bambara) BPE vocabulary size
tgt_nbpe=150             # target (French) BPE vocabulary size
bpemode=unigram          # sentencepiece model type: unigram | bpe

# models
asr_config=conf/tuning/train_asr_transformer_mini.yaml  # ASR pretraining config
st_config=conf/tuning/train_st_lau_mse_lambda1.0.yaml  # ST config: baseline or LAU
decode_config=conf/tuning/decode_st.yaml  # st_inference options
asr_tag=""               # default: from the config name
st_tag=""                # default: from the config name
asr_args=""              # extra options for asr_train
st_args=""               # extra options for lau_st_train
live_plots=false         # true: ESPnet redraws exp/*/images after every epoch; false: once, after training
inference_model=valid.acc.ave.pth  # checkpoint of exp/<st> to export and decode
decode_tag=""            # default: decode_<decode config minus decode_>_<inference model>
teacher=usem3            # usem3 | sentence-transformers:<name-or-path>
teacher_batch_size=64    # sentences per teacher batch

# evaluation
eval_teacher=usem3       # teacher used to embed outputs in semantic_eval
llm_url=""               # OpenAI-compatible endpoint for LLM-QA (optional)
llm_model=""             # model name at --llm_url
results=RESULTS.md       # the results table to write ("" = no table: semantic_eval only)
trivial=true             # also score the most-frequent-sentence system (stages 12-13)
times_file=exp/stage_times.tsv  # per-stage wall-clock seconds

# upload
hf_repo=""               # e.g. yourname/lau-st-bambara-fr

. local/parse_options.sh

[ -f path.sh ] && . ./path.sh
[ -f cmd.sh ] && . ./cmd.sh

# ---- derived names ------------------------------------------------------------
config_tag() { basename "$1" .yaml | sed -e 's/^train_//'; }
[ -n "${asr_tag}" ] || asr_tag=$(config_tag "${asr_config}")
[ -n "${st_tag}" ] || st_tag=$(config_tag "${st_config}")
asr_exp=exp/${asr_tag}
st_exp=exp/${st_tag}
asr_stats=exp/asr_stats${asr_extra:+_plus_$(echo ${asr_extra} | tr ' ' '_')}  # per ASR training set
st_stats=exp/st_stats
token_dir=data/token_list
src_bpe_dir=${token_dir}/src_bpe_${bpemode}${src_nbpe}
tgt_bpe_dir=${token_dir}/tgt_bpe_${bpemode}${tgt_nbpe}
export_dir=${st_exp}/export
[ -n "${decode_tag}" ] || decode_tag=decode_$(basename "${decode_config}" .yaml | sed -e "s/^decode_//")_${inference_model%.pth}
packed=${st_exp}/packed/${st_tag}.zip
all_sets="${train_set} ${valid_set} ${test_sets}"
mkdir -p exp "$(dirname "${times_file}")"

# ---- helpers --------------------------------------------------------------------
stage_start=0
run_stage() {  # run_stage N "description": true when stage N is in [stage, stop_stage]
    [ "${stage}" -le "$1" ] && [ "${stop_stage}" -ge "$1" ] || return 1
    current_stage=$1
    stage_start=$(date +%s)
    log "Stage $1: $2"
}
end_stage() {
    local secs=$(( $(date +%s) - stage_start ))
    log "Stage ${current_stage} done in ${secs} s"
    grep -v "^${current_stage}	" "${times_file}" 2>/dev/null > "${times_file}.tmp" || true
    printf '%s\t%s\n' "${current_stage}" "${secs}" >> "${times_file}.tmp"
    sort -n "${times_file}.tmp" > "${times_file}" && rm -f "${times_file}.tmp"
}
need() {  # need FILE STAGE: fail clearly when an earlier stage's output is missing
    [ -e "$1" ] || die "missing $1: run stage $2 first (--stage $2)"
}
draw_training_images() {  # draw_training_images EXP: ESPnet's images, once (--live_plots false)
    [ "${live_plots}" = true ] && return 0
    ${python} -m espnet_lau.bin.plot_training --exp "$1" --log_level WARNING \
        || die "drawing the training images of $1 failed"
    log "Training images: $1/images"
}
yaml_value() {  # yaml_value FILE KEY: a top-level scalar of a YAML config
    "${python}" -c 'import sys, yaml; print((yaml.safe_load(open(sys.argv[1])) or {}).get(sys.argv[2], ""))' "$1" "$2"
}

# ---- stages ---------------------------------------------------------------------
if run_stage 1 "Data preparation (${corpus}) -> data/{${train_set},${valid_set},${test_sets}}"; then
    local/data.sh --python "${python}" --corpus "${corpus}" --mini_size "${mini_size}" --seed "${seed}" --nj "${nj}" \
        --extra_asr "${extra_asr}" ${jeli_asr:+--jeli_asr "${jeli_asr}"} --jeli_subset "${jeli_subset}" \
        --paraphrases "${mini_paraphrases}" --label_noise "${mini_label_noise}" --noise_rate "${mini_noise_rate}" \
        --source_variants "${mini_source_variants}" ${mini_num_train:+--num_train "${mini_num_train}"}
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
if [ -n "${speed_perturb_factors}" ]; then train_set=${train_set}_sp; fi
asr_sets="${train_set} ${asr_extra}"

if run_stage 3 "Format audio (16 kHz mono) and normalise targets -> dump/raw/org"; then
    for dset in ${all_sets} ${asr_extra}; do
        need data/${dset}/wav.scp 1
        ${python} -m espnet_lau.bin.prepare_dump format --src data/${dset} \
            --dst dump/raw/org/${dset} --nj "${nj}" --text_norm "${text_norm}"
    done
    end_stage
fi

if run_stage 4 "Filter by duration [${min_duration}, ${max_duration}] s and target length -> dump/raw"; then
    for dset in ${all_sets} ${asr_extra}; do
        need dump/raw/org/${dset}/wav.scp 3
        case " ${test_sets} " in
            *" ${dset} "*) limits="--min_duration 0 --max_duration 1e9 --max_target_chars 1000000" ;;
            *) limits="--min_duration ${min_duration} --max_duration ${max_duration} --max_target_chars ${max_target_chars}" ;;
        esac
        ${python} -m espnet_lau.bin.prepare_dump filter --src dump/raw/org/${dset} \
            --dst dump/raw/${dset} ${limits}
    done
    end_stage
fi

if run_stage 5 "BPE token lists: source ${bpemode}${src_nbpe}, target ${bpemode}${tgt_nbpe}"; then
    need dump/raw/${train_set}/text 4
    cat $(for d in ${asr_sets}; do echo dump/raw/${d}/text.bam; done) | sort > dump/raw/srctext.tmp
    ${python} -m espnet_lau.bin.train_bpe --text dump/raw/srctext.tmp \
        --model_prefix ${src_bpe_dir}/bpe --vocab_size "${src_nbpe}" --model_type "${bpemode}"
    rm -f dump/raw/srctext.tmp
    ${python} -m espnet_lau.bin.train_bpe --text dump/raw/${train_set}/text \
        --model_prefix ${tgt_bpe_dir}/bpe --vocab_size "${tgt_nbpe}" --model_type "${bpemode}"
    end_stage
fi

asr_train_dir=dump/raw/${train_set}
if [ -n "${asr_extra}" ]; then asr_train_dir=dump/raw/${train_set}_asr; fi
if run_stage 6 "ASR pretraining on the source transcripts (${asr_config}) -> ${asr_exp}"; then
    need ${src_bpe_dir}/tokens.txt 5
    if [ -n "${asr_extra}" ]; then
        log "ASR training data: ${asr_sets} -> ${asr_train_dir}"
        mkdir -p ${asr_train_dir}
        for f in wav.scp text.bam utt2spk; do
            cat $(for d in ${asr_sets}; do echo dump/raw/${d}/${f}; done) | sort > ${asr_train_dir}/${f}
        done
    fi
    asr_data=(--use_preprocessor true --token_type bpe --bpemodel ${src_bpe_dir}/bpe.model
              --token_list ${src_bpe_dir}/tokens.txt --ngpu "${ngpu}" --seed "${seed}"
              --train_data_path_and_name_and_type ${asr_train_dir}/wav.scp,speech,sound
              --train_data_path_and_name_and_type ${asr_train_dir}/text.bam,text,text
              --valid_data_path_and_name_and_type dump/raw/${valid_set}/wav.scp,speech,sound
              --valid_data_path_and_name_and_type dump/raw/${valid_set}/text.bam,text,text)
    log "ASR statistics -> ${asr_stats}"
    ${python} -m espnet_lau.bin.asr_train --collect_stats true --config "${asr_config}" "${asr_data[@]}" \
        --train_shape_file ${asr_train_dir}/wav.scp --valid_shape_file dump/raw/${valid_set}/wav.scp \
        --output_dir ${asr_stats} > ${asr_stats}.log 2>&1 || die "see ${asr_stats}.log"
    log "ASR training (log: ${asr_exp}/train.log)"
    mkdir -p ${asr_exp}
    # shellcheck disable=SC2086
    ${python} -m espnet_lau.bin.asr_train --config "${asr_config}" "${asr_data[@]}" \
        --normalize global_mvn --normalize_conf stats_file=${asr_stats}/train/feats_stats.npz \
        --train_shape_file ${asr_stats}/train/speech_shape --train_shape_file ${asr_stats}/train/text_shape \
        --fold_length 80000 --fold_length 150 \
        --valid_shape_file ${asr_stats}/valid/speech_shape --valid_shape_file ${asr_stats}/valid/text_shape \
        --use_matplotlib "${live_plots}" --resume true --output_dir ${asr_exp} ${asr_args} \
        > ${asr_exp}/train.log 2>&1 || die "ASR training failed: see ${asr_exp}/train.log"
    need ${asr_exp}/valid.acc.ave.pth 6
    draw_training_images ${asr_exp}
    end_stage
fi

if run_stage 7 "Semantic embeddings of the targets (teacher: ${teacher})"; then
    for dset in ${train_set} ${valid_set}; do
        need dump/raw/${dset}/text 4
        # Targets are already normalised in dump/ (stage 3); embed_text applies the same
        # normaliser again, which leaves them unchanged.
        ${python} -m espnet_lau.bin.embed_text --teacher "${teacher}" --text dump/raw/${dset}/text \
            --outdir dump/raw/${dset}/sem_emb --batch_size "${teacher_batch_size}" \
            --cache_dir dump/sem_emb_cache
    done
    end_stage
fi

st_data=(--use_preprocessor true --token_type bpe --bpemodel ${tgt_bpe_dir}/bpe.model
         --token_list ${tgt_bpe_dir}/tokens.txt --ngpu "${ngpu}" --seed "${seed}"
         --train_data_path_and_name_and_type dump/raw/${train_set}/wav.scp,speech,sound
         --train_data_path_and_name_and_type dump/raw/${train_set}/text,text,text
         --valid_data_path_and_name_and_type dump/raw/${valid_set}/wav.scp,speech,sound
         --valid_data_path_and_name_and_type dump/raw/${valid_set}/text,text,text)
if run_stage 8 "ST statistics -> ${st_stats}"; then
    need ${tgt_bpe_dir}/tokens.txt 5
    ${python} -m espnet_lau.bin.lau_st_train --collect_stats true --config "${st_config}" \
        "${st_data[@]}" --train_shape_file dump/raw/${train_set}/wav.scp \
        --valid_shape_file dump/raw/${valid_set}/wav.scp --output_dir ${st_stats} \
        > exp/st_stats.log 2>&1 || die "see exp/st_stats.log"
    end_stage
fi

if run_stage 9 "ST training (${st_config}, semantic_weight=$(yaml_value "${st_config}" semantic_weight)) -> ${st_exp}"; then
    need ${st_stats}/train/feats_stats.npz 8
    need dump/raw/${train_set}/sem_emb/sem_emb.scp 7
    need ${asr_exp}/valid.acc.ave.pth 6
    mkdir -p ${st_exp}
    log "Encoder initialised from ${asr_exp}/valid.acc.ave.pth (log: ${st_exp}/train.log)"
    # Distributed training: ESPnet's own DDP. The ST model keeps a source CTC layer that
    # ST-only training never uses, so DDP must allow unused parameters.
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
    st_train_args=("${st_data[@]}"
        --train_data_path_and_name_and_type dump/raw/${train_set}/sem_emb/sem_emb.scp,sem_emb,npy
        --valid_data_path_and_name_and_type dump/raw/${valid_set}/sem_emb/sem_emb.scp,sem_emb,npy
        --normalize global_mvn --normalize_conf stats_file=${st_stats}/train/feats_stats.npz
        --train_shape_file ${st_stats}/train/speech_shape --train_shape_file ${st_stats}/train/text_shape
        --fold_length 80000 --fold_length 150
        --valid_shape_file ${st_stats}/valid/speech_shape --valid_shape_file ${st_stats}/valid/text_shape
        --init_param ${asr_exp}/valid.acc.ave.pth:encoder:encoder)
    if awk "BEGIN { exit !($(yaml_value "${st_config}" semantic_weight) + 0 > 0) }" \
            && [ ! -f ${st_exp}/checkpoint.pth ]; then
        # How strongly L_sem pulls on the encoder at the start of training (r ~ 1: balanced).
        # shellcheck disable=SC2086
        ${python} -m espnet_lau.bin.semantic_balance --config "${st_config}" "${st_train_args[@]}" \
            --balance_out ${st_exp}/semantic_balance.json ${st_args} --log_level WARNING \
            > ${st_exp}/semantic_balance.log 2>&1 || die "see ${st_exp}/semantic_balance.log"
        log "$(tail -n 1 ${st_exp}/semantic_balance.log)"
    fi
    # shellcheck disable=SC2086
    ${python} "${launch[@]}" --config "${st_config}" "${st_train_args[@]}" "${ddp[@]}" \
        --use_matplotlib "${live_plots}" --resume true --output_dir ${st_exp} ${st_args} \
        > ${st_exp}/train.log 2>&1 || die "ST training failed: see ${st_exp}/train.log"
    need ${st_exp}/${inference_model} 9
    draw_training_images ${st_exp}
    end_stage
fi

if run_stage 10 "Export to a stock ESPnet model and Total Parameter Drift of the encoder"; then
    need ${st_exp}/${inference_model} 9
    ${python} -m espnet_lau.bin.export_stock --config ${st_exp}/config.yaml \
        --model_file ${st_exp}/${inference_model} --outdir ${export_dir}
    ${python} -m espnet_lau.bin.param_drift --init ${asr_exp}/valid.acc.ave.pth \
        --final ${export_dir}/model.pth --prefix encoder. --outdir ${st_exp}/drift
    end_stage
fi

if run_stage 11 "Decoding ${test_sets} with stock espnet2.bin.st_inference (${nj} jobs)"; then
    need ${export_dir}/model.pth 10
    for dset in ${test_sets}; do
        outdir=${st_exp}/${decode_tag}/${dset}
        local/decode_split.sh --nj "${nj}" --keys dump/raw/${dset}/wav.scp --logdir ${outdir}/logdir \
            --out ${outdir}/text -- ${python} -m espnet2.bin.st_inference --ngpu 0 --batch_size 1 \
            --data_path_and_name_and_type dump/raw/${dset}/wav.scp,speech,sound \
            --st_train_config ${export_dir}/config.yaml --st_model_file ${export_dir}/model.pth \
            --config "${decode_config}" || die "decoding ${dset} failed"
    done
    end_stage
fi

if run_stage 12 "Scoring: BLEU/chrF/TER and WER/CER"; then
    for dset in ${test_sets}; do
        outdir=${st_exp}/${decode_tag}/${dset}
        need ${outdir}/text 11
        refs=(--ref dump/raw/${dset}/text)
        for ref in dump/raw/${dset}/text.ref*; do [ -f "${ref}" ] && refs+=(--ref "${ref}"); done
        ${python} -m espnet_lau.bin.score_st --hyp ${outdir}/text "${refs[@]}" --outdir ${outdir}/score
        [ "${trivial}" = true ] || continue
        trivial_dir=exp/trivial_most_frequent/${dset}
        ${python} -m espnet_lau.bin.most_frequent_baseline --train_text dump/raw/${train_set}/text \
            --keys dump/raw/${dset}/text --out ${trivial_dir}/text
        ${python} -m espnet_lau.bin.score_st --hyp ${trivial_dir}/text "${refs[@]}" --outdir ${trivial_dir}/score
    done
    end_stage
fi

if run_stage 13 "Semantic evaluation, ${results} and plots"; then
    runs=()
    for dset in ${test_sets}; do
        outdir=${st_exp}/${decode_tag}/${dset}
        need ${outdir}/score/scores.json 12
        extra=()
        [ -f dump/raw/${dset}/topic ] && extra+=(--topic dump/raw/${dset}/topic)
        [ -f dump/raw/${dset}/qa.jsonl ] && extra+=(--qa dump/raw/${dset}/qa.jsonl)
        [ -f dump/raw/${dset}/utt2meaning ] && extra+=(--meaning dump/raw/${dset}/utt2meaning)
        [ -f dump/raw/${dset}/utt2combination ] && extra+=(--combination dump/raw/${dset}/utt2combination)
        [ -n "${llm_url}" ] && extra+=(--llm_url "${llm_url}" --llm_model "${llm_model}")
        sys_dirs=(${outdir})
        [ "${trivial}" = true ] && sys_dirs+=(exp/trivial_most_frequent/${dset})
        for sys_dir in "${sys_dirs[@]}"; do
            ${python} -m espnet_lau.bin.semantic_eval --hyp ${sys_dir}/text --ref dump/raw/${dset}/text \
                --teacher "${eval_teacher}" "${extra[@]}" --llm_cache exp/llm_cache \
                --outdir ${sys_dir}/semantic_eval
        done
        [ -n "${results}" ] || continue
        # Every ST system of this recipe decoded on ${dset}, plus the trivial system.
        for run_dir in exp/*/${decode_tag}/${dset}; do
            [ -f "${run_dir}/score/scores.json" ] || continue
            exp_dir=${run_dir%%/${decode_tag}/*}
            [ -f "${exp_dir}/drift/drift.json" ] && ln -sfn ../../drift "${run_dir}/drift"
            runs+=(--run "$(basename "${exp_dir}")_${dset}=${run_dir}")
        done
        runs+=(--run "trivial_most_frequent_${dset}=exp/trivial_most_frequent/${dset}")
    done
    if [ -n "${results}" ]; then
        ${python} -m espnet_lau.bin.make_results "${runs[@]}" --out "${results}" --plot_dir exp/plots \
            --title "bambara_fr/st1 (${corpus}), ${decode_tag}"
        log "Wrote ${results} and exp/plots/"
    fi
    end_stage
fi

if run_stage 14 "Packing for the ESPnet model zoo -> ${packed}, and offline reload check"; then
    need ${export_dir}/model.pth 10
    mkdir -p "$(dirname ${packed})"
    ${python} -m espnet2.bin.pack st --st_train_config ${export_dir}/config.yaml \
        --st_model_file ${export_dir}/model.pth --option ${tgt_bpe_dir}/bpe.model \
        --option ${st_stats}/train/feats_stats.npz ${results:+--option "${results}"} --outpath ${packed}
    first_test=${test_sets%% *}
    ${python} -m espnet_lau.bin.check_packed --zip ${packed} --wav_scp dump/raw/${first_test}/wav.scp \
        --hyp ${st_exp}/${decode_tag}/${first_test}/text --decode_config "${decode_config}" \
        --cachedir ${st_exp}/packed/unpacked
    end_stage
fi

if run_stage 15 "Upload ${packed} to the Hugging Face hub"; then
    need ${packed} 14
    [ -n "${hf_repo}" ] || die "set --hf_repo yourname/model-name to upload"
    ${python} -m espnet_lau.bin.upload_hf --zip ${packed} --repo "${hf_repo}"
    end_stage
fi

if [ -f "${times_file}" ]; then
    log "Time per stage (seconds):"
    awk -F'\t' '{ printf "    stage %-3s %6d s\n", $1, $2; total += $2 } END { printf "    total     %6d s\n", total }' "${times_file}"
fi
log "Finished"
