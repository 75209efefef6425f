# Environment of the recipe: the repository's virtual environment (tools/install.sh).
recipe_root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "${recipe_root}/../../.." && pwd)
if [ -z "${VIRTUAL_ENV:-}" ] && [ -f "${repo_root}/.venv/bin/activate" ]; then
    # shellcheck disable=SC1091
    . "${repo_root}/.venv/bin/activate"
fi
export PYTHONIOENCODING=UTF-8
# Hub lookups hang for a long time on machines without network: set these to 0 online.
export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1}
export TRANSFORMERS_OFFLINE=${TRANSFORMERS_OFFLINE:-1}
