# Job backends. Training runs through ESPnet's own launcher:
#   --ngpu 1          one GPU
#   --ngpu N          ESPnet's DDP on N GPUs of this machine (torch.distributed)
# Multi-node or Slurm: point ESPNET_ROOT at an ESPnet checkout and launch a stage with
# ESPnet's launcher, e.g.
#   python -m espnet2.bin.launch --cmd "${ESPNET_ROOT}/egs2/TEMPLATE/asr1/utils/slurm.pl" \
#       --log exp/st/train.log --ngpu 4 --num_nodes 2 -- \
#       python -m espnet_lau.bin.lau_st_train <the options stage 9 prints in its log>
# This recipe ships no Kaldi utils/ (ESPnet's wheel does not include them).
export ESPNET_ROOT=${ESPNET_ROOT:-}
