#!/usr/bin/env python3
"""Converts a run file of format version 1 (variable-length strings) to format version 2 (fixed-length strings),
which JointQuant reads (docs/runfile.md, "Format versions"). Needs h5py (Debian: python3-h5py).

  tools/upgrade_runfile.py OLD.h5 NEW.h5

Copies OLD.h5 to NEW.h5, then rewrites every string JointQuant stores: the root attributes format, config and
metrics, the `columns` attribute of each curve, and the string fields of /metrics/perplexity and /metrics/timings,
as null-padded fixed-length UTF-8 strings; format_version becomes 2. Datasets of numbers are copied as they are.

h5py reads the old variable-length strings through libhdf5, which can hang on a damaged file (the reason version
2 exists): convert only files you trust, such as your own earlier runs.
"""
import shutil
import sys

import h5py
import numpy as np


def fixed_bytes(value):
    """A str or bytes value as (bytes, fixed-length UTF-8 dtype of exactly its size, at least 1)."""
    if isinstance(value, np.ndarray):
        value = value.item()
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return data, h5py.string_dtype("utf-8", max(len(data), 1))


def rewrite_attribute(obj, name):
    if name not in obj.attrs:
        return
    data, dtype = fixed_bytes(obj.attrs[name])
    del obj.attrs[name]
    obj.attrs.create(name, np.array(data, dtype=dtype))


def rewrite_table(f, path, text_fields):
    if path not in f:
        return
    old = f[path][()]
    columns = []
    for name in old.dtype.names:
        if name in text_fields:
            values = [fixed_bytes(v)[0] for v in old[name]]
            width = max([len(v) for v in values] + [1])
            columns.append((name, h5py.string_dtype("utf-8", width), values))
        else:
            columns.append((name, old.dtype[name], list(old[name])))
    new = np.zeros(len(old), dtype=[(n, t) for n, t, _ in columns])
    for name, _, values in columns:
        new[name] = values
    del f[path]
    f.create_dataset(path, data=new)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = sys.argv[1], sys.argv[2]
    with h5py.File(src, "r") as f:
        if f.attrs.get("format") not in (b"jointquant-run", "jointquant-run"):
            print(f"{src}: not a JointQuant run file", file=sys.stderr)
            return 1
        version = int(f.attrs.get("format_version", 0))
        if version != 1:
            print(f"{src}: format version {version}, nothing to convert (only version 1 is)", file=sys.stderr)
            return 1
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        for name in ("format", "config", "metrics"):
            rewrite_attribute(f, name)
        if "curves" in f:
            f["curves"].visititems(lambda _, obj: rewrite_attribute(obj, "columns")
                                   if isinstance(obj, h5py.Dataset) else None)
        rewrite_table(f, "metrics/perplexity", {"method", "dataset"})
        rewrite_table(f, "metrics/timings", {"stage"})
        f.attrs.modify("format_version", np.int32(2))
    print(f"{dst}: run file format version 2")
    return 0


if __name__ == "__main__":
    sys.exit(main())
