#!/usr/bin/env python
"""Build data/fonts/HangulSubset.ttf, the Hangul font the word2vec scatter
falls back on when the system has none (legacy/chapters/pictures.py hangul_font).

    python tools/make_hangul_font.py /usr/share/fonts/truetype/nanum/NanumGothic.ttf

The source is NanumGothic.ttf of Debian's fonts-nanum (20200506-1; SIL Open
Font License 1.1, data/fonts/OFL.txt). The subset keeps printable ASCII and
every Hangul syllable of legacy/chapters/words.py (golbin's sentences and the
seq2seq words), nothing else, so it stays a few kB. The OFL reserves the
names "Nanum"/"NanumGothic" for the original, so the subset (a Modified
Version) is renamed "SWU Hangul Subset"; copyright and licence names stay.
fontTools is pinned in both lanes' requirements.
"""
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
OUT = os.path.join(REPO, "data", "fonts", "HangulSubset.ttf")
FAMILY = "SWU Hangul Subset"


def characters():
    from legacy.chapters import words
    with open(words.__file__, encoding="utf-8") as handle:
        text = handle.read()
    hangul = sorted(set(c for c in text if "\uac00" <= c <= "\ud7a3"))
    return [chr(c) for c in range(0x20, 0x7f)] + hangul


def main(argv):
    if len(argv) != 2 or not os.path.exists(argv[1]):
        sys.exit("usage: %s PATH/NanumGothic.ttf (Debian: apt-get download fonts-nanum; dpkg -x)" % argv[0])
    from fontTools import subset
    from fontTools.ttLib import TTFont
    font = TTFont(argv[1])
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = [0x409]  # English names only
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5", "kern"]  # VTT sources; kerning unused
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters()])
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 6, 16):
            names.setName(FAMILY.replace(" ", "") if record.nameID == 6 else FAMILY, record.nameID,
                          record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            names.setName("%s; subset of NanumGothic 3.021" % FAMILY, 3, record.platformID, record.platEncID,
                          record.langID)
    names.removeNames(nameID=7)  # the trademark line names NanumGothic
    for record in list(names.names):
        if record.nameID == 13:
            names.setName("This Font Software is licensed under the SIL Open Font License, Version 1.1.", 13,
                          record.platformID, record.platEncID, record.langID)
        elif record.nameID == 14:
            names.setName("http://scripts.sil.org/OFL", 14, record.platformID, record.platEncID, record.langID)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    font.save(OUT)
    print("%s: %d characters, %d bytes" % (OUT, len(characters()), os.path.getsize(OUT)))


if __name__ == "__main__":
    main(sys.argv)
