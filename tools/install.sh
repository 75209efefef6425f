#!/usr/bin/env bash
# Set up everything espnet-lau needs on a fresh machine (Python 3.11, CPU):
#   - Debian packages espeak-ng and sox (speech synthesis for the mini corpus and tests)
#   - a virtual environment at .venv with the pinned Python stack (tools/constraints.txt)
#   - espnet==202511, espnet_model_zoo and torchaudio without their dependency pins
#   - espnet_lau itself, editable, with every extra (".[all]": recipe, teachers, eval, hub, ssl)
#   - with uv (pinned in constraints.txt, reading pip's own configuration: index, find-links,
#     constraints, certificate), several times faster than pip; INSTALLER=pip uses pip
# Idempotent: a second run checks a stamp and returns in seconds.
#
# Usage: tools/install.sh            (PYTHON=python3.11 VENV=.venv may be overridden)
#        TORCH_BUILD=cuda tools/install.sh
#            torch 2.13.0 as the package index serves it (on PyPI: the CUDA build, several GB),
#            for a GPU machine, instead of the CPU build (TORCH_BUILD=cpu, the default).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${root}"
PYTHON=${PYTHON:-python3.11}
TORCH_BUILD=${TORCH_BUILD:-cpu}
case "${TORCH_BUILD}" in cpu|cuda) ;; *) echo "[install] ERROR: TORCH_BUILD must be cpu or cuda, got '${TORCH_BUILD}'" >&2; exit 1 ;; esac
VENV=${VENV:-${root}/.venv}
ESPNET_VERSION=202511
MODEL_ZOO_VERSION=0.1.7
TORCHAUDIO_VERSION=2.11.0

log() { echo "[install] $(date '+%H:%M:%S') $*"; }

# ---- Debian packages ---------------------------------------------------------
missing=()
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox)
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "[install] ERROR: need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
        sudo_cmd=sudo
    fi
    log "apt-get install ${missing[*]}"
    ${sudo_cmd} apt-get update -qq
    DEBIAN_FRONTEND=noninteractive ${sudo_cmd} apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ---- Python environment --------------------------------------------------------
stamp_file="${VENV}/.espnet_lau_install_stamp"
stamp=$( (cat tools/requirements.txt tools/constraints.txt pyproject.toml tools/install.sh; echo "${TORCH_BUILD}") | sha256sum | cut -d' ' -f1)
if [ -f "${stamp_file}" ] && [ "$(cat "${stamp_file}")" = "${stamp}" ] \
        && "${VENV}/bin/python" -c "import espnet_lau, espnet2" >/dev/null 2>&1; then
    log "environment ${VENV} is up to date"
    exit 0
fi

if [ ! -x "${VENV}/bin/python" ]; then
    command -v "${PYTHON}" >/dev/null 2>&1 || { echo "[install] ERROR: ${PYTHON} not found" >&2; exit 1; }
    log "creating virtual environment ${VENV}"
    "${PYTHON}" -m venv "${VENV}"
fi
pip=("${VENV}/bin/python" -m pip --disable-pip-version-check -q)

# uv reads none of pip's configuration: give it pip's, as the machine set it (pip.conf files
# and PIP_* variables, the latter winning), so both installers see the same packages.
uv_env_from_pip_config() {
    local line key value pip_config=("${VENV}/bin/python" -m pip config list)  # (-q prints nothing)
    while IFS= read -r line; do
        key=${line%%=*}; value=${line#*=}; value=${value#\'}; value=${value%\'}
        value=${value//\\n/ }
        case "${key##*.}" in
            index-url) export UV_DEFAULT_INDEX="${value}" ;;
            extra-index-url) export UV_INDEX="${value}" ;;
            find-links) export UV_FIND_LINKS="$(echo ${value} | tr ' ' ',')" ;;
            constraint) export UV_CONSTRAINT="${value}" ;;
            cert) export SSL_CERT_FILE="${value}" ;;
            trusted-host) export UV_INSECURE_HOST="${value}" ;;
            timeout|default-timeout) export UV_HTTP_TIMEOUT="${value%%.*}" ;;
        esac
    done < <("${pip_config[@]}" | grep -v '^:env:'; "${pip_config[@]}" | grep '^:env:')
    export UV_INDEX_STRATEGY=unsafe-best-match  # pip's rule: the best version over all indexes
}
INSTALLER=${INSTALLER:-uv}
case "${INSTALLER}" in
    uv)
        log "installing uv (the installer)"
        "${pip[@]}" install -c tools/constraints.txt uv
        uv_env_from_pip_config
        export UV_COMPILE_BYTECODE=1  # as pip does: compiled once here, in parallel, not at first import
        install=("${VENV}/bin/uv" pip install -q --python "${VENV}/bin/python") ;;
    pip) install=("${pip[@]}" install) ;;
    *) echo "[install] ERROR: INSTALLER must be uv or pip, got '${INSTALLER}'" >&2; exit 1 ;;
esac

# torch first, so that no later requirement can pull another build: the CPU wheel pinned
# in tools/constraints.txt, or (TORCH_BUILD=cuda) the index's own torch 2.13.0, with the
# constraints less their CPU torch pin.
constraints=tools/constraints.txt
if [ "${TORCH_BUILD}" = cuda ]; then
    constraints=${VENV}/constraints_cuda.txt
    grep -v '^torch==' tools/constraints.txt > "${constraints}"
fi
log "installing torch (${TORCH_BUILD}) and the pinned requirements (a few minutes on first run)"
"${install[@]}" -c "${constraints}" torch==2.13.0
"${install[@]}" -c "${constraints}" -r tools/requirements.txt

# espnet 202511 pins setuptools<74 but runs fine with the setuptools torch 2.13 needs.
log "installing espnet==${ESPNET_VERSION}, espnet_model_zoo, torchaudio without dependency pins"
"${install[@]}" --no-deps "espnet==${ESPNET_VERSION}" "espnet_model_zoo==${MODEL_ZOO_VERSION}" \
    "torchaudio==${TORCHAUDIO_VERSION}"
# No CPU build of torchaudio exists; ESPnet's ST path only imports it. Its compiled
# extensions link CUDA, so remove them: torchaudio then imports in pure-Python mode.
ta_lib=$("${VENV}/bin/python" - <<'PY'
import importlib.util, os
spec = importlib.util.find_spec("torchaudio")
print(os.path.join(os.path.dirname(spec.origin), "lib"))
PY
)
rm -f "${ta_lib}"/*.so

"${install[@]}" -c "${constraints}" -e ".[all]"

log "checking imports"
TORCH_BUILD=${TORCH_BUILD} "${VENV}/bin/python" - <<'PY'
import os, warnings
warnings.simplefilter("ignore")
import torch, espnet2.tasks.st, espnet_model_zoo.downloader, espnet_lau  # noqa: F401
if os.environ["TORCH_BUILD"] == "cpu":
    assert "+cpu" in torch.__version__, f"expected a CPU torch, got {torch.__version__}"
print(f"[install] torch {torch.__version__}, espnet {espnet2.__version__ if hasattr(espnet2, '__version__') else 'ok'}")
PY
echo "${stamp}" > "${stamp_file}"
log "done: activate with 'source ${VENV}/bin/activate'"
