# Sourced by .ci/test-windows.sh and .ci/check-msi.sh: sets WINE and
# WINESERVER (Debian keeps wine64 off PATH), or exits with what to install.
# $1 names the caller in the message.
WINE=${WINE:-}
for w in wine64 /usr/lib/wine/wine64 wine; do
	[ -n "$WINE" ] && break
	if command -v "$w" >/dev/null 2>&1; then WINE=$(command -v "$w"); fi
done
[ -n "$WINE" ] || { echo "$1: no wine64 (apt-get install wine64)"; exit 1; }
WINESERVER=$(dirname "$WINE")/wineserver
[ -x "$WINESERVER" ] || WINESERVER=wineserver
