# fish completion for modrun: commands and options from modrun's own --help.

function __modrun_command
    set -l words (commandline -opc)
    set -e words[1]
    for w in $words
        if not string match -q -- '-*' $w
            echo $w
            return
        end
    end
end

function __modrun_complete
    set -l cmd (__modrun_command)
    set -l cur (commandline -ct)
    if test -z "$cmd"
        if string match -q -- '-*' $cur
            modrun --help 2>/dev/null | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\} *\(--[a-z0-9-]*\) *[^ ]* *\(.*\)/\2\t\3/p'
        else
            modrun --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z]*\)  *\(.*\)/\1\t\2/p'
        end
        return
    end
    if string match -q -- '-*' $cur
        modrun $cmd --help 2>/dev/null | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\} *\(--[a-z0-9-]*\).*/\2/p'
    else if modrun $cmd --help 2>/dev/null | string match -q -- '* ID*'
        modrun list -q 2>/dev/null
    end
end

complete -c modrun -f -a '(__modrun_complete)'
