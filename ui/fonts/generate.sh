#!/bin/sh
# Regenerates the fonts in this directory: Fyne's bundled Noto Sans (from
# the Fyne module in go.mod) with the arrows of Noto Sans Symbols (Debian's
# fonts-noto-core) added, in the four styles the theme uses. Both are under
# the SIL Open Font License 1.1 (OFL.txt, as Fyne ships it), and so are the
# results. Run from the repository root: sh ui/fonts/generate.sh
set -eu
sh .ci/deps.sh python3-fonttools
fyne=$(go list -m -f '{{.Dir}}' fyne.io/fyne/v2)/theme/font
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download fonts-noto-core >/dev/null && dpkg-deb -x fonts-noto-core_*.deb x)
noto=$tmp/x/usr/share/fonts/truetype/noto
for style in Regular Bold Italic BoldItalic; do
	case $style in
	Bold | BoldItalic) sym=$noto/NotoSansSymbols-Bold.ttf ;;
	*) sym=$noto/NotoSansSymbols-Regular.ttf ;;
	esac
	/usr/bin/python3 ui/fonts/merge.py "$fyne/NotoSans-$style.ttf" "$sym" "ui/fonts/NotoSansArrows-$style.ttf"
done
cp "$fyne/LICENSE.txt" ui/fonts/OFL.txt
chmod 644 ui/fonts/*.ttf ui/fonts/OFL.txt
