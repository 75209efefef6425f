# Job backends, as in ESPnet's egs2 recipes: every training goes through ${train_cmd}
# (or ${cuda_cmd} with --ngpu > 0), decoding through ${decode_cmd} (or ${cuda_cmd} with
# --gpu_inference true). Each is called like Kaldi's run.pl:
#     ${decode_cmd} JOB=1:N exp/x/log/decode.JOB.log COMMAND ARGS...
#
# cmd_backend=local (default): local/run_jobs.sh, parallel jobs on this machine.
# cmd_backend=slurm | sge | ssh | run: the backends of an ESPnet checkout
#     (${ESPNET_ROOT}/egs2/TEMPLATE/asr1/utils/{slurm,queue,ssh,run}.pl); set ESPNET_ROOT
#     and, for slurm and sge, the queue settings in conf/slurm.conf or conf/queue.conf.
# Multi-GPU training on one machine is ESPnet's own DDP (--ngpu N); multi-node training
# goes through ESPnet's launcher (python -m espnet2.bin.launch) with these backends.
cmd_backend=${cmd_backend:-local}
export ESPNET_ROOT=${ESPNET_ROOT:-}
case "${cmd_backend}" in
    local)
        train_cmd="local/run_jobs.sh"
        cuda_cmd="local/run_jobs.sh"
        decode_cmd="local/run_jobs.sh" ;;
    slurm|sge|ssh|run)
        _utils=${ESPNET_ROOT}/egs2/TEMPLATE/asr1/utils
        case "${cmd_backend}" in slurm) _pl=slurm.pl ;; sge) _pl=queue.pl ;; *) _pl=${cmd_backend}.pl ;; esac
        if [ -z "${ESPNET_ROOT}" ] || [ ! -x "${_utils}/${_pl}" ]; then
            echo "cmd.sh: cmd_backend=${cmd_backend} needs ESPNET_ROOT pointing at an ESPnet checkout with ${_pl} in egs2/TEMPLATE/asr1/utils" >&2
            exit 1
        fi
        _conf=""
        [ "${cmd_backend}" = slurm ] && [ -f conf/slurm.conf ] && _conf="--config conf/slurm.conf"
        [ "${cmd_backend}" = sge ] && [ -f conf/queue.conf ] && _conf="--config conf/queue.conf"
        train_cmd="${_utils}/${_pl} ${_conf}"
        cuda_cmd="${_utils}/${_pl} ${_conf}"
        decode_cmd="${_utils}/${_pl} ${_conf}" ;;
    *)
        echo "cmd.sh: unknown cmd_backend '${cmd_backend}' (local | slurm | sge | ssh | run)" >&2
        exit 1 ;;
esac
