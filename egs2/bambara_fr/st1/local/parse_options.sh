#!/usr/bin/env bash
# Options of the recipe's scripts: `--name value` or `--name=value` set the variable
# `name` ('-' read as '_') of the script that sources this file. Every line
# `name=default  # comment` at the start of a line of that script is an option; any
# other name is refused; a line `# renamed: --old -> --new` in that script makes --old
# fail with a pointer to --new, a line `# unsupported: --name: why` makes --name fail with the
# reason (options of ESPnet's st.sh that the script does not take). -h/--help prints the
# script's header comment and those lines.
# Source it after the defaults, without arguments: . local/parse_options.sh
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help)  # the script's header comment, then its option lines
            awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
            echo; echo "Options (--name value), with their defaults:"
            grep -E '^[a-z0-9_]+=.*#' "$0" | sed 's/^/    --/'
            exit 0 ;;
        --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
        --*) _option=${1#--}; _option=${_option//-/_}
             if ! grep -qE "^${_option}=" "$0"; then
                 _new=$(sed -nE "s/^# renamed: --${_option} -> --([a-z0-9_]+).*/\1/p" "$0")
                 if [ -n "${_new}" ]; then echo "$0: --${_option} was renamed --${_new}; use --${_new}" >&2; exit 1; fi
                 _why=$(sed -nE "s/^# unsupported: --${_option}: (.*)/\1/p" "$0")
                 if [ -n "${_why}" ]; then echo "$0: --${_option} is not supported here: ${_why}" >&2; exit 1; fi
                 echo "$0: unknown option --${_option} (see $0 --help)" >&2; exit 1
             fi
             if [ $# -lt 2 ]; then echo "$0: option $1 needs a value" >&2; exit 1; fi
             printf -v "${_option}" '%s' "$2"
             shift 2 ;;
        *) echo "$0: unexpected argument '$1' (options are --name value; see $0 --help)" >&2; exit 1 ;;
    esac
done
unset _option
