#!/bin/sh
# make check-darwin: every package that does not need the GUI toolkit
# cross-compiles for macOS without cgo and passes go vet there (test files
# included), on Apple silicon and Intel. Fyne's window drivers (cgo over
# OpenGL/GLFW and Cocoa) cannot be built for darwin from Linux without
# Apple's SDK, so the packages that pull them in (ui, cmd/firmsync) are
# listed and left out; a package that only uses Fyne's pure-Go types (the
# bundled icons in assets) is still checked. A core package that starts to
# need the GUI shows up in the left-out list.
set -eu
GO=${GO:-go}
start=$(date +%s)
all=$($GO list ./...)
gui="" portable=""
for p in $all; do
	# -deps with the darwin build constraints: what this package would
	# pull in on a Mac, its tests' imports included.
	# -e: the GUI's cgo files are excluded without cgo, which go list
	# reports as an error but still lists the imports.
	if GOOS=darwin CGO_ENABLED=0 $GO list -e -test -deps -f '{{.ImportPath}}' "$p" 2>/dev/null |
		grep -q '^github\.com/go-gl/\|^fyne\.io/fyne/v2/internal/driver/glfw$'; then
		gui="$gui $p"
	else
		portable="$portable $p"
	fi
done
echo "check-darwin: left out (need Fyne's cgo window drivers):"
for p in $gui; do echo "  $p"; done
n=$(echo $portable | wc -w)
for arch in arm64 amd64; do
	echo "check-darwin: go vet, GOOS=darwin GOARCH=$arch CGO_ENABLED=0, $n packages"
	# shellcheck disable=SC2086
	GOOS=darwin GOARCH=$arch CGO_ENABLED=0 $GO vet $portable
done
# vet type-checks; build links the commands too (none of the portable ones
# is a main package that needs cgo).
# shellcheck disable=SC2086
GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $GO build -o /dev/null $portable
echo "check-darwin: ok ($(($(date +%s) - start))s)"
