#!/bin/sh
# make test-windows: builds firmsync.exe with the mingw-w64 cross compiler,
# cross-compiles the test binaries of core/..., connectors/... and
# cmd/firmsync for Windows, and runs them under Wine in a throw-away prefix;
# then starts the desktop app under Wine and Xvfb (.ci/wine/smoke.sh).
#
# Wine-only test aids (never part of a build that ships):
#   - .ci/wine/bcryptprimitives.c: Debian 12's Wine 8 lacks ProcessPrng,
#     which every Go >= 1.22 program loads at start.
#   - a -overlay for the test binaries: Go 1.26's os.RemoveAll deletes with
#     FileDispositionInformationEx and falls back to the classic delete only
#     on the status codes Windows gives; Wine 8 answers
#     STATUS_NOT_IMPLEMENTED, so every t.TempDir cleanup failed. The overlay
#     is generated from this machine's GOROOT and adds that one code to the
#     fallback. firmsync.exe itself is built without it.
#
# No race detector here: the same code already runs under -race on Linux
# in make test-go, where a data race shows just the same (the few
# Windows-only files are small and single-threaded), and -race under Wine,
# which does work (a core/events binary passes), would multiply the longest
# package's time against CI's 40-minute budget.
#
# TESTWIN_FLAGS replaces the go test flags (default -short: the crash and
# rebuild drills and the full demo sync are long and run on Linux);
# TESTWIN_ONLY_SMOKE=1 skips the unit tests (make screenshots-windows);
# TESTWIN_SHOT is where the smoke test's screenshot goes.
set -eu
GO=${GO:-go}
root=$(pwd)
out=$root/bin/windows
mkdir -p "$out"

. "$root/.ci/wine/find.sh" test-windows
scratch=$(mktemp -d)
export WINE WINEDEBUG=-all WINEPREFIX="$scratch/prefix" WINEDLLOVERRIDES="mscoree,mshtml="
cleanup() {
	"$WINESERVER" -k >/dev/null 2>&1 || true
	rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

step() { printf '== test-windows: %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }
start=$(date +%s)

export GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc

step "shim DLL for Wine"
x86_64-w64-mingw32-gcc -shared -O2 -o "$out/bcryptprimitives.dll" .ci/wine/bcryptprimitives.c -ladvapi32

step "Wine prefix"
"$WINE" wineboot -i >/dev/null 2>&1 || true
"$WINESERVER" -w || true
# One wineserver for the whole run, started here with its output nowhere:
# otherwise the first test binary starts it and it holds that binary's
# output pipe open (see .ci/wine/exec.sh). It ends with the cleanup.
"$WINESERVER" -p </dev/null >/dev/null 2>&1
cp "$out/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"

step "firmsync.exe"
$GO build -o "$out/firmsync.exe" ./cmd/firmsync

step "overlay for os.RemoveAll under Wine"
goroot=$($GO env GOROOT)
src=$goroot/src/internal/syscall/windows/at_windows.go
mkdir -p "$scratch/overlay"
sed 's|^\(\t\tSTATUS_NOT_SUPPORTED: *// the file system doesn.t support FILE_DISPOSITION_INFORMATION_EX.*\)$|\t\tNTStatus(0xC0000002), // STATUS_NOT_IMPLEMENTED: Wine 8 (make test-windows only)\n\1|' \
	"$src" >"$scratch/overlay/at_windows.go"
if cmp -s "$src" "$scratch/overlay/at_windows.go"; then
	echo "test-windows: $src changed shape; update the overlay in .ci/test-windows.sh"
	exit 1
fi
printf '{"Replace":{"%s":"%s"}}\n' "$src" "$scratch/overlay/at_windows.go" >"$scratch/overlay.json"

if [ -z "${TESTWIN_ONLY_SMOKE:-}" ]; then
step "unit tests under Wine"
# -short: see TESTWIN_FLAGS; -p 2: each binary is a Wine process of its own.
$GO test -overlay "$scratch/overlay.json" -count=1 ${TESTWIN_FLAGS:--short} -timeout 20m \
	-exec "$root/.ci/wine/exec.sh" ./core/... ./connectors/... ./cmd/firmsync
fi

step "desktop smoke test under Wine and Xvfb"
unset GOOS GOARCH CGO_ENABLED CC
xvfb-run -a -s "-screen 0 1280x800x24" sh .ci/wine/smoke.sh "$out/firmsync.exe" "${TESTWIN_SHOT:-$out/windows-window.png}"

step "done"
