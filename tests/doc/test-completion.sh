#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion loads in bash and completes commands, each command's
# options (exactly those 'cpusel COMMAND --help' prints), option values and
# file arguments. Usage: test-completion.sh CPUSEL SOURCE_ROOT. Prints TAP.
if [ -z "$BASH_VERSION" ]; then
    command -v bash >/dev/null 2>&1 && exec bash "$0" "$@"
    echo "1..0 # SKIP no bash (install bash to check the completion)"
    exit 77
fi
cpusel=$1
root=$2
script="$root/completion/cpusel.bash"
n=0
failed=0

check() {   # check NAME GOT WANT
    n=$((n + 1))
    if [[ "$2" == "$3" ]]; then
        echo "ok $n - $1"
    else
        failed=$((failed + 1))
        echo "not ok $n - $1"
        echo "#   got:  $2"
        echo "#   want: $3"
    fi
}

sorted() {  # words, sorted and space-separated
    printf '%s\n' "$@" | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# complete WORD...: what the completion offers for the last word
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _cpusel 2>/dev/null
    sorted "${COMPREPLY[@]}"
}

# shellcheck source=/dev/null
. "$script" || { echo "1..0 # cannot load $script"; exit 1; }
check "the completion registers _cpusel for cpusel" "$(complete -p cpusel)" \
    "complete -F _cpusel cpusel"
check "it loads in a fresh bash without errors" \
    "$(bash --norc --noprofile -c ". '$script' && complete -p cpusel" 2>&1)" \
    "complete -F _cpusel cpusel"

commands=$("$cpusel" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p')
check "a command from its first letters" "$(complete_words cpusel ba)" "baseline"
check "every command of cpusel --help, nothing else" "$(complete_words cpusel '')" \
    "$(sorted $commands)"
check "options before the command" "$(complete_words cpusel --ver)" "--version"
check "the command after --cpu-map DIR" "$(complete_words cpusel --cpu-map /tmp de)" \
    "decode"
check "the command after --cpu-map=DIR" \
    "$(complete_words cpusel --cpu-map = /tmp de)" "decode"

for cmd in $commands; do
    want=$("$cpusel" "$cmd" --help | sed -n 's/^ *\(-[a-z], \)\?\(--[a-z0-9-]*\).*/\2/p')
    check "options of '$cmd' are those of its --help" \
        "$(complete_words cpusel "$cmd" --)" "$(sorted $want)"
done

check "--cpu-map offers 'system'" "$(complete_words cpusel models --cpu-map sys)" \
    "system"
check "--fallback values" "$(complete_words cpusel decode --fallback '')" "allow forbid"
check "--format values of encode" "$(complete_words cpusel encode --format '')" \
    "sections vmware xen xml"
check "--format=VALUE" "$(complete_words cpusel guest --format = q)" "qemu"
check "--removed-policy values" "$(complete_words cpusel update --removed-policy f)" \
    "forbid force"
cd "$root/tests" || exit 1
check "file arguments" "$(complete_words cpusel decode data/cpuid/sandybridge-i7-26)" \
    "data/cpuid/sandybridge-i7-2600.xml"
check "files after options" \
    "$(complete_words cpusel compare --json data/cpu-def/host-pen)" \
    "data/cpu-def/host-penryn.xml"
check "--data takes a file" "$(complete_words cpusel models --data data/cpuid/sandybridge-i7-26)" \
    "data/cpuid/sandybridge-i7-2600.xml"
check "no files where a command takes none" \
    "$(complete_words cpusel models data/cpuid/sandy)" ""
echo "1..$n"
[ "$failed" -eq 0 ]
