#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ from files of the repository.

Seeds are starting points, not expected results: small valid inputs of every shape the parsers accept, plus a few
damaged ones so that the error paths are covered from the first second. The run-file seed comes from the C++
writer (build-fuzz/fuzz/make_runfile_seed), which run_all.sh calls; this script only derives variants of it.
Usage: python3 fuzz/make_seeds.py   (from the repository root)
"""
import json
import os
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def out(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def safetensors(tensors, metadata=None):
    """tensors: list of (name, dtype, shape, raw bytes), in file order."""
    header, offset, blob = {}, 0, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blob += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + blob


def seeds_safetensors():
    f32 = struct.pack("<4f", 1.0, -2.0, 0.5, 3.0)
    out("safetensors", "f32.safetensors", safetensors([("w", "F32", [2, 2], f32)]))
    out("safetensors", "mixed.safetensors", safetensors(
        [("a", "F64", [1], struct.pack("<d", 1.5)), ("b", "I64", [2], struct.pack("<2q", 7, -7)),
         ("c", "BF16", [2], b"\x80\x3f\x00\x40"), ("d", "F16", [1, 1], b"\x00\x3c"), ("e", "BOOL", [3], b"\x01\x00\x01"),
         ("f", "U16", [1], b"\x01\x00"), ("g", "F8_E4M3", [2], b"\x38\x40")], {"format": "pt"}))
    out("safetensors", "empty-tensor.safetensors", safetensors([("z", "F32", [0, 3], b""), ("s", "I8", [], b"\x05")]))
    out("safetensors", "no-tensors.safetensors", safetensors([], {"k": "v"}))
    # The demo model's real header, with the data section cut off (offsets then run past the end).
    with open(os.path.join(ROOT, "resources", "demo-model", "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        f.seek(0)
        out("safetensors", "demo-header-only.safetensors", f.read(8 + n))
    out("safetensors", "overlap.safetensors",
        struct.pack("<Q", 96) + json.dumps({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                             "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}
                                            ).encode().ljust(96) + b"\0" * 12)


def seeds_config():
    for d in ("llama-2-7b", "llama-3-8b", "llama-3.2-1b"):
        shutil.copy(os.path.join(ROOT, "tests", "data", "configs", d, "config.json"),
                    os.path.join(CORPUS, "config", d + ".json"))
    shutil.copy(os.path.join(ROOT, "resources", "demo-model", "config.json"), os.path.join(CORPUS, "config", "demo.json"))
    shutil.copy(os.path.join(ROOT, "tests", "data", "tiny-random-llama", "config.json"),
                os.path.join(CORPUS, "config", "tiny-random.json"))


def seeds_tokenizer():
    with open(os.path.join(ROOT, "resources", "demo-model", "tokenizer.json"), encoding="utf-8") as f:
        tok = json.load(f)
    # Trim the demo tokenizer (260 KB) to its first 400 tokens and the merges that stay within them.
    keep = {t: i for t, i in tok["model"]["vocab"].items() if i < 400}
    merges = [m for m in tok["model"]["merges"] if m[0] in keep and m[1] in keep and m[0] + m[1] in keep]
    tok["model"]["vocab"], tok["model"]["merges"] = keep, merges
    trimmed = json.dumps(tok, ensure_ascii=False, separators=(",", ":"))
    out("tokenizer_json", "demo-trimmed.json", trimmed)
    # Llama 2 style: metaspace normalizer, byte fallback, <unk>/<s>/</s>.
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab["<0x%02X>" % b] = 3 + b
    for t in ["▁", "h", "e", "l", "o", "w", "r", "d", "he", "ll", "▁he", "▁hell", "▁hello", "▁w", "or", "▁wor", "ld",
              "▁world"]:
        vocab.setdefault(t, len(vocab))
    llama2 = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, c in enumerate(["<unk>", "<s>", "</s>"])],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
                                                           {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                                                      {"type": "ByteFallback"}, {"type": "Fuse"},
                                                      {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                  "vocab": vocab,
                  "merges": [["h", "e"], ["l", "l"], ["▁", "he"], ["▁he", "ll"], ["▁hell", "o"], ["▁", "w"], ["o", "r"],
                             ["▁w", "or"], ["l", "d"], ["▁wor", "ld"]]},
    }
    out("tokenizer_json", "llama2-style.json", json.dumps(llama2, ensure_ascii=False))
    out("tokenizer_json", "not-json.json", trimmed[: len(trimmed) // 3])

    with open(os.path.join(ROOT, "resources", "demo-corpus", "test.txt"), encoding="utf-8") as f:
        text = f.read()
    out("tokenizer_encode", "corpus-2k.txt", text[:2000])
    out("tokenizer_encode", "specials.txt", "<|begin_of_text|>Hello<|end_of_text|> <|begin_of_text|")
    out("tokenizer_encode", "unicode.txt", "naïve café — 東京 🙂 \u00a0\t\r\n  x's we'll 12345678 ÀÉ")
    out("tokenizer_encode", "spaces.txt", "   \n\n\n  a  \r\n\t\t b   ")


def seeds_runfile():
    src = os.path.join(CORPUS, "runfile", "small.h5")
    if not os.path.exists(src):
        print("make_seeds: no fuzz/corpus/runfile/small.h5 yet (run_all.sh writes it with make_runfile_seed)")
        return
    with open(src, "rb") as f:
        data = f.read()
    for frac in (8, 2):
        out("runfile", "truncated-1of%d.h5" % frac, data[: len(data) // frac])


if __name__ == "__main__":
    os.makedirs(os.path.join(CORPUS, "config"), exist_ok=True)
    seeds_safetensors()
    seeds_config()
    seeds_tokenizer()
    seeds_runfile()
    sys.exit(0)
