#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the Debian packages named on the command line that are missing.
# As root it runs apt-get; otherwise it only lists what is missing.
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null || exit 1
    apt-get install -y -q $missing >/dev/null || exit 1
else
    echo "missing Debian packages:$missing (run as root, or install them)" >&2
    exit 1
fi
