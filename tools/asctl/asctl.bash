# bash completion for asctl, read from asctl's own help so it never goes
# stale: the subcommands from `asctl --help`, the commands from `asctl
# commands -o json`, a command's FIELD= paths (jobs[].operation_code) from
# `asctl call COMMAND --help`, a subcommand's options from its --help. All of
# it works offline: the catalog is compiled into asctl.
_asctl()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local sub="" command="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -c | --config | -o | --output | --actor | --timeout | --retries) ((i++)) ;;
        -*) ;;
        *) if [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; elif [[ -z $command ]]; then command=${COMP_WORDS[i]}; fi ;;
        esac
    done
    case $prev in
    -c | --config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -o | --output) COMPREPLY=($(compgen -W "table json csv wide" -- "$cur")); return ;;
    esac
    if [[ -z $sub ]]; then
        local subs
        subs=$(asctl --help 2>/dev/null | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
        COMPREPLY=($(compgen -W "$subs --config --output --json --actor --timeout --retries --help" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        local help
        if [[ $sub == call && -n $command ]]; then help=$(asctl call --help 2>/dev/null); else help=$(asctl "$sub" --help 2>/dev/null); fi
        COMPREPLY=($(compgen -W "$(grep -o -- '--[a-z][a-z-]*' <<<"$help" | sort -u) --json --output --config" -- "$cur"))
        return
    fi
    if [[ ($sub == call || $sub == commands) && -z $command ]]; then
        COMPREPLY=($(compgen -W "$(asctl commands -o json 2>/dev/null | grep -o '"command":"[^"]*"' | cut -d'"' -f4)" -- "$cur"))
        return
    fi
    if [[ $sub == call ]]; then
        local fields
        fields=$(asctl call "$command" --help 2>/dev/null | sed -n '/^Fields/,$s/^  \([^ []*\) .*/\1=/p')
        compopt -o nospace 2>/dev/null
        COMPREPLY=($(compgen -W "$fields" -- "$cur"))
    fi
}
complete -F _asctl asctl
