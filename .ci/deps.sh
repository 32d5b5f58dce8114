#!/bin/sh
# Installs the Debian/Ubuntu packages named as arguments when any is missing.
# On other systems it prints what is needed and carries on.
set -eu
if ! command -v dpkg-query >/dev/null 2>&1; then
	case "$(uname -s)" in
	Darwin) echo "macOS: install Xcode command-line tools (xcode-select --install) and Go 1.26+." ;;
	MINGW*|MSYS*|CYGWIN*) echo "Windows: install Go 1.26+ and a gcc (e.g. MSYS2 mingw-w64) for cgo." ;;
	*) echo "Install a C compiler and the OpenGL/X11 development headers for Fyne, and Go 1.26+." ;;
	esac
	exit 0
fi
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "Installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
