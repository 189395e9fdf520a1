# bash completion for modrun. The commands and options come from modrun's
# own --help (generated from its option tables), so they are never stale.

# _modrun_opts HELP-TEXT [with-arg]: the long options in a --help text
# (only those that take a value with "with-arg").
_modrun_opts()
{
    if [ "${2:-}" = with-arg ]; then
        sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\} *\(--[a-z0-9-]*\) [^ ].*/\2/p' <<<"$1"
        sed -n 's/^ *-\([a-zA-Z]\), --[a-z0-9-]* [^ ].*/-\1/p' <<<"$1"
    else
        sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\} *\(--[a-z0-9-]*\).*/\2/p' <<<"$1"
    fi
}

_modrun()
{
    local mr=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local ghelp i cmd="" root=()
    COMPREPLY=()
    ghelp=$("$mr" --help 2>/dev/null) || return 0
    local gargs=" $(_modrun_opts "$ghelp" with-arg | tr '\n' ' ') "
    # the command is the first word that is neither a global option nor its value
    for ((i = 1; i < COMP_CWORD; i++)); do
        local w=${COMP_WORDS[i]}
        if [[ $w == -* ]]; then
            [[ $w == --root ]] && root=(--root "${COMP_WORDS[i+1]}")
            [[ $w != *=* && $gargs == *" $w "* ]] && ((i++))
            continue
        fi
        cmd=$w
        break
    done
    if [ -z "$cmd" ]; then
        if [[ $gargs == *" $prev "* ]]; then
            case $prev in
            --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
            --log-level) COMPREPLY=($(compgen -W "debug info warn error" -- "$cur")) ;;
            *) COMPREPLY=($(compgen -f -- "$cur")) ;;
            esac
        elif [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$(_modrun_opts "$ghelp")" -- "$cur"))
        else
            local cmds
            cmds=$(sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' <<<"$ghelp")
            COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
        fi
        return 0
    fi
    local chelp
    chelp=$("$mr" "$cmd" --help 2>/dev/null) || return 0
    local cargs=" $(_modrun_opts "$chelp" with-arg | tr '\n' ' ') "
    if [[ $cargs == *" $prev "* ]]; then
        case $prev in
        --format|-f) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;;
        --manage-cgroups-mode) COMPREPLY=($(compgen -W "soft full strict" -- "$cur")) ;;
        --empty-ns) COMPREPLY=($(compgen -W "network" -- "$cur")) ;;
        --image-path|--work-path|--parent-path|--bundle|-b) COMPREPLY=($(compgen -d -- "$cur")) ;;
        *) COMPREPLY=($(compgen -f -- "$cur")) ;;
        esac
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_modrun_opts "$chelp")" -- "$cur"))
    elif [ "$cmd" = help ]; then
        COMPREPLY=($(compgen -W "$(sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' <<<"$ghelp")" -- "$cur"))
    elif [[ $chelp == *" ID"* ]]; then
        COMPREPLY=($(compgen -W "$("$mr" "${root[@]}" list -q 2>/dev/null)" -- "$cur"))
    fi
    return 0
}
complete -F _modrun modrun
