#!/usr/bin/env bash
# Data preparation of the Bambara→French ST recipe: writes data/{train,dev,test}
# (Kaldi format: wav.scp text text.bam utt2spk spk2utt ...) relative to the current
# directory, which is the recipe directory when called from run.sh.
#
#   --corpus mini      SYNTHETIC offline mini corpus (espeak-ng speech, slot grammar);
#                      adds data/train_asr_extra with --mini_asr_extra_utts N (ASR-only).
#   --corpus jeli-asr  the real Jeli-ASR corpus (RobotsMali/jeli-asr) from --jeli_asr:
#                      a local copy of the dataset repository, a save_to_disk folder or
#                      a hub name (needs network).
#   --asr_extra_sources "SRC ..."  real ASR-only corpora (Jeli-style, bam-asr-early,
#                      kunkado-style) -> data/train_asr_extra, without the clips of
#                      data/{train,dev,test}.
# See docs/data.md for the corpus design and the file formats.
set -euo pipefail

log() { echo "$(basename "$0") $(date '+%Y-%m-%dT%H:%M:%S') $*"; }

# ---- options (each can be given as --name value) ---------------------------------------
corpus=mini            # mini | jeli-asr
data_dir=data          # output data root
seed=1                 # random seed of the mini corpus
nj=$(nproc 2>/dev/null || echo 1)   # parallel jobs
mini_size=default      # tiny | default
noise_rate=0.15        # share of training targets with surface noise (mini)
paraphrases=3          # training targets drawn from the first N paraphrases, 1-10 (mini)
label_noise=0          # share of training targets corrupted in meaning (mini)
source_variants=false  # vary the Bambara side: particles, fronted time words (mini)
num_train=""           # number of training utterances (mini; default: from --mini_size)
mini_asr_extra_utts=0  # mini: this many synthetic ASR-only utterances in data/train_asr_extra
jeli_asr=              # Jeli-ASR folder or hub name; empty: downloads/jeli-asr if it exists, else RobotsMali/jeli-asr
jeli_subset=jeli-asr   # jeli-asr (= bam-asr-oza + jeli-asr-rmai) | bam-asr-oza | jeli-asr-rmai
dev_permille=30        # Jeli-ASR: per mille of the training recordings moved to dev (sha1(recording) rule)
recording_regex=""     # real corpora: regex with a (?P<recording>...) group on the clip file name ("" = the default)
asr_extra_sources=""   # real ASR-only corpora (folders or hub names, space separated) -> data/train_asr_extra
asr_extra_label=corrected_else_semi  # kunkado-style sets: corrected_else_semi | corrected | semi
asr_extra_splits=train # splits of the ASR-only corpora to read
python=python3         # Python interpreter with espnet_lau installed

# renamed: --extra_asr -> --mini_asr_extra_utts
. "$(dirname "$0")/parse_options.sh"

[ -f ./path.sh ] && . ./path.sh

case "${corpus}" in
    mini)
        log "Generating the SYNTHETIC mini corpus (size=${mini_size}, seed=${seed}, noise_rate=${noise_rate}, paraphrases=${paraphrases}, label_noise=${label_noise}, source_variants=${source_variants}, num_train=${num_train:-default}, mini_asr_extra_utts=${mini_asr_extra_utts}, nj=${nj}) into ${data_dir}/"
        "${python}" -m espnet_lau.bin.prepare_mini_corpus \
            --output_dir "${data_dir}" \
            --size "${mini_size}" \
            --seed "${seed}" \
            --noise_rate "${noise_rate}" \
            --paraphrases "${paraphrases}" \
            --label_noise "${label_noise}" \
            --source_variants "${source_variants}" \
            ${num_train:+--num_train "${num_train}"} \
            --asr_extra_utts "${mini_asr_extra_utts}" \
            --nj "${nj}"
        ;;
    jeli-asr|jeli_asr)
        if [ -z "${jeli_asr}" ]; then
            if [ -d downloads/jeli-asr ]; then jeli_asr=downloads/jeli-asr; else jeli_asr=RobotsMali/jeli-asr; fi
        fi
        log "Preparing Jeli-ASR from ${jeli_asr} (subset=${jeli_subset}, dev_permille=${dev_permille}, nj=${nj}) into ${data_dir}/"
        "${python}" -m espnet_lau.bin.prepare_jeli_asr \
            --source "${jeli_asr}" \
            --subset "${jeli_subset}" \
            --output_dir "${data_dir}" \
            --dev_permille "${dev_permille}" \
            ${recording_regex:+--recording_regex "${recording_regex}"} \
            --nj "${nj}"
        ;;
    *)
        echo "$0: --corpus must be mini or jeli-asr, got '${corpus}'" >&2; exit 1 ;;
esac

if [ -n "${asr_extra_sources}" ]; then
    if [ "${mini_asr_extra_utts}" != 0 ]; then echo "$0: --mini_asr_extra_utts (synthetic) and --asr_extra_sources both write ${data_dir}/train_asr_extra: give one" >&2; exit 1; fi
    sources=()
    for src in ${asr_extra_sources}; do sources+=(--source "${src}"); done
    log "Preparing ASR-only data from ${asr_extra_sources} (splits: ${asr_extra_splits}, label: ${asr_extra_label}) into ${data_dir}/train_asr_extra"
    # shellcheck disable=SC2086
    "${python}" -m espnet_lau.bin.prepare_asr_extra "${sources[@]}" --output_dir "${data_dir}/train_asr_extra" \
        --label "${asr_extra_label}" --splits ${asr_extra_splits} --nj "${nj}" \
        --exclude_dirs "${data_dir}/train" "${data_dir}/dev" "${data_dir}/test" \
        ${recording_regex:+--recording_regex "${recording_regex}"}
fi

for dset in train dev test; do
    [ -f "${data_dir}/${dset}/wav.scp" ] || { echo "$0: ${data_dir}/${dset}/wav.scp was not written" >&2; exit 1; }
    log "${data_dir}/${dset}: $(wc -l < "${data_dir}/${dset}/wav.scp") utterances"
done
log "Successfully finished. [elapsed=${SECONDS}s]"
