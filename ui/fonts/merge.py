"""Adds the arrows (U+2190-U+2194) of Noto Sans Symbols to Fyne's bundled
Noto Sans, keeping Noto Sans's vertical metrics, so that Firmsync's labels
("Hired leads → Clio matters") never depend on the system's fonts.
Run by generate.sh; needs python3-fonttools.
usage: merge.py BASE.ttf SYMBOLS.ttf OUT.ttf
"""
import os
import sys
import tempfile

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

ARROWS = [0x2190, 0x2191, 0x2192, 0x2193, 0x2194]


def main(base, symbols, out):
    opts = subset.Options()
    opts.layout_features = []
    opts.name_IDs = ['*']
    sym = TTFont(symbols)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=ARROWS)
    sub.subset(sym)
    for table in ('GSUB', 'GPOS', 'GDEF'):
        if table in sym:
            del sym[table]
    with tempfile.TemporaryDirectory() as tmp:
        arrows = os.path.join(tmp, 'arrows.ttf')
        sym.save(arrows)
        merged = Merger().merge([base, arrows])
    # The merge takes the taller font's line metrics; the line height of
    # every label must stay Noto Sans's.
    b = TTFont(base)
    for k in ('ascent', 'descent', 'lineGap'):
        setattr(merged['hhea'], k, getattr(b['hhea'], k))
    for k in ('sTypoAscender', 'sTypoDescender', 'sTypoLineGap', 'usWinAscent', 'usWinDescent'):
        setattr(merged['OS/2'], k, getattr(b['OS/2'], k))
    merged['head'].yMax, merged['head'].yMin = b['head'].yMax, b['head'].yMin
    merged.save(out)


if __name__ == '__main__':
    main(*sys.argv[1:4])
