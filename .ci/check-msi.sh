#!/bin/sh
# Checks dist/Firmsync-<version>.msi (make package-windows): lists what it
# holds with msiinfo, then installs and uninstalls it under Wine in a
# throw-away prefix, per user and silently (msiexec /qn), and checks:
#   1. a plain install puts Firmsync.exe, firmsync.com and the Start Menu
#      shortcut in the user's profile, the console build runs and reports
#      the package's version, and start at login stays off;
#   2. a plain uninstall removes them (and a Run value the app's own setting
#      wrote later) and keeps the firm's data in %AppData%\firmsync;
#   3. AUTOSTART=1 writes the Run value core/autostart writes ("Firmsync",
#      the exe quoted, --hidden), and REMOVEDATA=1 on uninstall removes the
#      data too.
# Usage: sh .ci/check-msi.sh [path/to/Firmsync-x.y.z.msi]
set -eu
root=$(pwd)
version=$(awk -F'"' '/^\[/{s=$0} s=="[Details]" && $1 ~ /^[ \t]*Version[ \t]*=/{print $2; exit}' FyneApp.toml)
msi=${1:-$root/dist/Firmsync-$version.msi}
[ -f "$msi" ] || { echo "check-msi: no $msi (make package-windows)"; exit 1; }

. "$root/.ci/wine/find.sh" check-msi
scratch=$(mktemp -d)
# winemenubuilder would copy the shortcut into this machine's own menus
# (~/.local/share/applications): off.
export WINEDEBUG=-all WINEPREFIX="$scratch/prefix" WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
export LC_ALL=C.UTF-8
cleanup() {
	[ -z "${KEEP_LOG:-}" ] || cp "$WINEPREFIX/drive_c/msi.log" "$KEEP_LOG" 2>/dev/null || true
	"$WINESERVER" -k >/dev/null 2>&1 || true
	rm -rf "$scratch"
}
trap cleanup EXIT INT TERM
start=$(date +%s)
step() { printf '== check-msi: %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }
fails=0
ok() { printf "ok   %s\n" "$*"; }
bad() { printf "FAIL %s\n" "$*"; fails=$((fails + 1)); }
check() { # check <description> <command…>
	d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

step "contents of $(basename "$msi")"
echo "tables: $(msiinfo tables "$msi" | sort | tr '\n' ' ')"
for t in File Shortcut Registry Feature CustomAction; do
	echo "-- $t"
	msiinfo export "$msi" "$t" | tail -n +4
done
pv=$(msiinfo export "$msi" Property | tr -d '\r' | awk -F'\t' '$1=="ProductVersion"{print $2}')
check "ProductVersion $pv is FyneApp.toml's $version" [ "$pv" = "$version" ]
check "Firmsync.exe and firmsync.com are in the File table" \
	sh -c "msiinfo export '$msi' File | cut -f3 | grep -qx Firmsync.exe && msiinfo export '$msi' File | cut -f3 | grep -qx firmsync.com"
check "a Start Menu shortcut to Firmsync.exe with the icon" \
	sh -c "msiinfo export '$msi' Shortcut | awk -F'\t' '\$2==\"ProgramMenuFolder\" && \$5==\"[INSTALLDIR]Firmsync.exe\" && \$9==\"firmsync.ico\"' | grep -q ."

step "Wine prefix"
"$WINE" wineboot -i >/dev/null 2>&1 || true
"$WINESERVER" -w || true
# One persistent wineserver, its output nowhere (see .ci/test-windows.sh);
# never `wineserver -w` after this: it would wait for it forever.
"$WINESERVER" -p </dev/null >/dev/null 2>&1
# Go >= 1.22 programs need ProcessPrng, which Wine 8 lacks: the test aid of
# make test-windows (never in the package) lets the installed program run.
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
	.ci/wine/bcryptprimitives.c -ladvapi32

user=$(ls "$WINEPREFIX/drive_c/users" | grep -vx Public | head -n1)
profile=$WINEPREFIX/drive_c/users/$user
appdir=$profile/AppData/Local/Programs/Firmsync
lnk="$profile/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Firmsync.lnk"
data=$profile/AppData/Roaming/firmsync
runkey='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'
winmsi=$("$WINE" winepath -w "$msi" 2>/dev/null)

msiexec() { # msiexec <args…>: exit status of the installer, log kept
	rc=0
	"$WINE" msiexec "$@" /qn /l*v 'C:\msi.log' >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || { echo "msiexec $* exited $rc; log tail:"; iconv -f UTF-16LE -t UTF-8 "$WINEPREFIX/drive_c/msi.log" 2>/dev/null | tail -n 30 || tail -n 30 "$WINEPREFIX/drive_c/msi.log"; }
	return "$rc"
}
runvalue() { "$WINE" reg query "$runkey" /v Firmsync 2>/dev/null | tr -d '\r' | awk '$1=="Firmsync"{sub(/^[ \t]*Firmsync[ \t]+REG_SZ[ \t]+/, ""); print}'; }
gone() { [ ! -e "$1" ]; }

step "install (plain)"
t0=$(date +%s)
check "msiexec /i exits 0" msiexec /i "$winmsi"
echo "   install took $(($(date +%s) - t0))s"
check "Firmsync.exe in %LocalAppData%\\Programs\\Firmsync" [ -s "$appdir/Firmsync.exe" ]
check "firmsync.com next to it" [ -s "$appdir/firmsync.com" ]
check "the Start Menu shortcut" [ -s "$lnk" ]
v=$("$WINE" "$(printf '%s' "$appdir/firmsync.com")" version 2>&1 | tr -d '\r' || true)
check "the installed firmsync.com runs: '$v'" sh -c "printf '%s' '$v' | grep -q 'firmsync $version '"
check "no Run value without AUTOSTART=1" [ -z "$(runvalue)" ]

# The firm's data, as the app leaves it (a subfolder included).
mkdir -p "$data/logs"
echo x >"$data/firmsync.db"
echo x >"$data/logs/firmsync.log"
# Start at login turned on later by the app itself (core/autostart's value).
"$WINE" reg add "$runkey" /v Firmsync /t REG_SZ /d "\"C:\\users\\$user\\AppData\\Local\\Programs\\Firmsync\\Firmsync.exe\" --hidden" /f >/dev/null 2>&1
check "(the app's Run value is there before the uninstall)" [ -n "$(runvalue)" ]

step "uninstall (plain)"
t0=$(date +%s)
check "msiexec /x exits 0" msiexec /x "$winmsi"
echo "   uninstall took $(($(date +%s) - t0))s"
check "Firmsync.exe is gone" gone "$appdir/Firmsync.exe"
check "firmsync.com is gone" gone "$appdir/firmsync.com"
check "the install folder is gone" gone "$appdir"
check "the Start Menu shortcut is gone" gone "$lnk"
check "the Run value the app wrote is gone" [ -z "$(runvalue)" ]
check "the firm's data stays (firmsync.db, logs)" [ -f "$data/firmsync.db" ] && [ -f "$data/logs/firmsync.log" ]

step "install with AUTOSTART=1"
check "msiexec /i AUTOSTART=1 exits 0" msiexec /i "$winmsi" AUTOSTART=1
rv=$(runvalue)
want="\"C:\\users\\$user\\AppData\\Local\\Programs\\Firmsync\\Firmsync.exe\" --hidden"
check "Run value Firmsync = $rv" [ "$rv" = "$want" ]
check "the shortcut again" [ -s "$lnk" ]

step "uninstall with REMOVEDATA=1"
check "msiexec /x REMOVEDATA=1 exits 0" msiexec /x "$winmsi" REMOVEDATA=1
check "the Run value is gone" [ -z "$(runvalue)" ]
check "Firmsync.exe is gone" gone "$appdir/Firmsync.exe"
check "the shortcut is gone" gone "$lnk"
check "the firm's data is gone" gone "$data"

step "done: $fails failure(s)"
[ "$fails" -eq 0 ]
