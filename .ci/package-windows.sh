#!/bin/sh
# make package-windows: builds dist/Firmsync-<version>.msi, a per-user
# Windows installer (no administrator rights: %LocalAppData%\Programs\Firmsync,
# the user's Start Menu, HKCU), with msitools' wixl from .ci/msi/firmsync.wxs.
#
# Why wixl and not NSIS: an MSI is what firms' IT deploys (Intune, GPO,
# `msiexec /qn` with properties), Windows Installer does the uninstall
# bookkeeping, repair and upgrades itself, and msitools also gives CI
# msiinfo to list what the package holds. wixl lacks a UI (the install
# shows Windows Installer's progress only) and some WiX elements; the .wxs
# says where that shaped it.
#
# Two builds of the same program go in:
#   Firmsync.exe  the GUI subsystem (-H windowsgui): the Start Menu shortcut
#                 and start at login open the window without a console
#                 window behind it;
#   firmsync.com  the console subsystem: typing `firmsync sync` in a
#                 terminal opened in the install folder (or with it on PATH)
#                 runs this one, because cmd and PowerShell try .com before
#                 .exe, and its output shows in that terminal.
#
# The version is FyneApp.toml's [Details] Version; it also goes into
# `firmsync version` (-X main.version). No -trimpath: it would change every
# cache key and cost CI a cold rebuild (~7 min) after make test-windows.
# Env: GO, OUT (default dist).
set -eu
GO=${GO:-go}
root=$(pwd)
out=${OUT:-$root/dist}

command -v wixl >/dev/null 2>&1 || { echo "package-windows: no wixl (apt-get install wixl msitools)"; exit 1; }
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || { echo "package-windows: no mingw-w64 (apt-get install gcc-mingw-w64-x86-64)"; exit 1; }

# The Version line of the [Details] table.
version=$(awk -F'"' '/^\[/{s=$0} s=="[Details]" && $1 ~ /^[ \t]*Version[ \t]*=/{print $2; exit}' FyneApp.toml)
case $version in
[0-9]*.[0-9]*.[0-9]*) ;;
*) echo "package-windows: no x.y.z Version in FyneApp.toml's [Details] (got '$version')"; exit 1 ;;
esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT INT TERM
start=$(date +%s)
step() { printf '== package-windows: %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }

step "Firmsync.exe and firmsync.com $version (mingw-w64)"
ld="-s -w -X main.version=$version"
env GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
	$GO build -ldflags "$ld -H windowsgui" -o "$stage/Firmsync.exe" ./cmd/firmsync
env GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
	$GO build -ldflags "$ld" -o "$stage/firmsync.com" ./cmd/firmsync

step "icon"
$GO run .ci/msi/mkico.go assets/icon.png "$stage/firmsync.ico"

step "MSI"
# wixl resolves sources relative to the working directory only (absolute
# paths are refused), hence the staging folder.
cp .ci/msi/firmsync.wxs "$stage/"
mkdir -p "$out"
msi=$out/Firmsync-$version.msi
(cd "$stage" && wixl -a x64 -D Version="$version" -D ExePath=Firmsync.exe -D ComPath=firmsync.com \
	-D IconPath=firmsync.ico -o "$stage/out.msi" firmsync.wxs)
mv "$stage/out.msi" "$msi"
step "wrote $msi ($(du -h "$msi" | cut -f1))"
