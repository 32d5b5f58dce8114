#!/bin/sh
# go test -exec wrapper: runs a cross-compiled Windows test binary under
# Wine in the prefix make test-windows prepared (WINEPREFIX). The binary's
# exit status is the test's.
#
# Its output goes through a file, not straight to go test's pipe: a Wine
# helper process the test starts (a service, or wineserver itself) inherits
# the descriptors and would keep the pipe open after the test exits, and go
# test then waits for it and fails the package ("Test I/O incomplete").
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
"${WINE:-wine64}" "$@" >"$out" 2>&1 || rc=$?
cat "$out"
exit "$rc"
