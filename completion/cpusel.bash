# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for cpusel: commands, each command's options, option
# values and file arguments. Installed as
# share/bash-completion/completions/cpusel. tests/doc/test-completion.sh
# checks that the options here are those 'cpusel COMMAND --help' prints.

_cpusel_options()
{
    case $1 in
        host) echo "--explain --capabilities --kvm" ;;
        decode) echo "--guest --models --qmp --prefer --fallback --migratable --explain" ;;
        dump) echo "--from-cpuid-r --kvm" ;;
        models) echo "--host --kvm --data" ;;
        features) echo "" ;;
        compare) echo "--kvm --qmp" ;;
        encode) echo "--format" ;;
        update) echo "--migratable-host --removed-policy" ;;
        guest) echo "--format --models --kvm --qmp" ;;
        baseline | plan) echo "--expand --migratable --explain --models --qmp" ;;
        domcaps) echo "--kvm --data --host --qmp --models" ;;
        labels) echo "--kvm --data --host --qmp --models --obsolete" ;;
    esac
}

_cpusel_files()
{
    local IFS=$'\n'

    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$1"))
}

_cpusel()
{
    local commands="host decode dump models features compare encode update guest baseline plan domcaps labels"
    local common="--cpu-map --json --help"
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=
    local cmd= i

    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --opt=value: bash splits at '=' (COMP_WORDBREAKS)
    if [[ $cur == "=" ]]; then
        cur=
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --cpu-map)
                ((i++))
                [[ ${COMP_WORDS[i]} == "=" ]] && ((i++))
                ;;
            -*) ;;
            *)
                cmd=${COMP_WORDS[i]}
                break
                ;;
        esac
    done

    case $prev in
        --cpu-map)
            local IFS=$'\n'
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -W system -- "$cur") $(compgen -d -- "$cur"))
            return
            ;;
        --data | --from-cpuid-r | --cpuinfo | --qmp)
            _cpusel_files "$cur"
            return
            ;;
        --format)
            case $cmd in
                encode) COMPREPLY=($(compgen -W "xml xen vmware sections" -- "$cur")) ;;
                guest) COMPREPLY=($(compgen -W "xml qemu json" -- "$cur")) ;;
            esac
            return
            ;;
        --fallback)
            COMPREPLY=($(compgen -W "allow forbid" -- "$cur"))
            return
            ;;
        --removed-policy)
            COMPREPLY=($(compgen -W "force require optional disable forbid" -- "$cur"))
            return
            ;;
        --models | --prefer | --arch | --obsolete)
            return
            ;;
    esac

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--version --help --json --cpu-map" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_cpusel_options "$cmd") $common" -- "$cur"))
        return
    fi
    case $cmd in
        host | dump | models | features | domcaps | labels) ;;
        *) _cpusel_files "$cur" ;;
    esac
}

complete -F _cpusel cpusel
