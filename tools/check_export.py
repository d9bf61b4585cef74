#!/usr/bin/env python3
"""Checks what `jointquant export` / `export-rotations` write, with the tools other people use (GPU machine:
transformers, torch, h5py; no network). Prints one JSON object; exit status 1 when a check fails.

  --case NAME:DIR:OURS.json:TOL   load DIR with AutoModelForCausalLM (nothing patched), compute perplexity as a
                                  transformers user does (AutoTokenizer on the whole text, non-overlapping windows of
                                  the seqlen in OURS.json, loss of model(ids, labels=ids)), compare with OURS.json's
                                  perplexity (the in-memory model `jointquant export --dataset` evaluated) within TOL
                                  (relative; 0.001 for the FP-rotated export, 0.01 for W4 weights).
  --original EVAL.json            `jointquant eval` of the unrotated model: every case named fp* must also match it
                                  within its TOL (an FP rotation must not change the function).
  --rotations FILE=REF            torch.load(FILE, weights_only=True) must equal REF exactly: REF is a run file (.h5,
                                  /rotations/R1 and /rotations/R2/layer_NN) or a .safetensors copy. A SpinQuant-layout
                                  R2 [head_dim, head_dim] must equal every KV-head group of REF's R2.
  --runfile RUN.h5 --doc docs/runfile.md
                                  every dataset in the run file must match a path documented in the doc's layout
                                  table (and the always-present ones must exist); every string (the attributes
                                  format, config, metrics and columns, the text fields of the tables) must be a
                                  fixed-length string, which h5py returns as bytes, that decodes as UTF-8
                                  (config and metrics as JSON); format_version must be 2.

The text is read as our evaluator reads it (core/data/EvaluationText): "text" = the file as is; "wikitext2" = the
lines of wiki.*.raw, each keeping its "\\n", whitespace-only lines as "", joined with "\\n\\n".
"""
import argparse
import json
import math
import re
import sys


def read_eval_text(path, fmt):
    if not fmt:
        fmt = "wikitext2" if "wiki" in path.lower() else "text"
    with open(path, encoding="utf-8", newline="") as f:
        raw = f.read()
    if fmt == "text":
        return raw
    if fmt in ("wikitext2", "wikitext", "wikitext-2"):
        lines = re.findall(r"[^\n]*\n|[^\n]+$", raw)  # split at "\n" only, as the C++ reader does
        rows = ["" if line.strip(" \t\n\r\x0b\x0c") == "" else line for line in lines]
        return "\n\n".join(rows)
    raise SystemExit(f"check_export.py: dataset format {fmt!r} is not supported here (text, wikitext2)")


def hf_perplexity(model_dir, text, seqlen, device, dtype_name):
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype_name]
    key = "dtype" if int(transformers.__version__.split(".")[0]) >= 5 else "torch_dtype"
    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="eager", **{key: dtype})
    model = model.to(device).eval()
    tok = AutoTokenizer.from_pretrained(model_dir)
    ids = tok(text, return_tensors="pt").input_ids[0]
    n = ids.numel() // seqlen
    if n == 0:
        raise SystemExit(f"check_export.py: the text has {ids.numel()} tokens, fewer than one window of {seqlen}")
    nll = 0.0
    with torch.no_grad():
        for i in range(n):
            window = ids[i * seqlen:(i + 1) * seqlen].unsqueeze(0).to(device)
            loss = model(input_ids=window, labels=window).loss  # mean over the seqlen - 1 predicted tokens
            nll += float(loss) * (seqlen - 1)
    return {"perplexity": math.exp(nll / (n * (seqlen - 1))), "tokens": int(ids.numel()), "windows": n,
            "tie_word_embeddings": bool(model.config.tie_word_embeddings)}


def check_case(spec, device, original):
    name, rest = spec.split(":", 1)
    model_dir, ours_path, tol = rest.rsplit(":", 2)
    tol = float(tol)
    with open(ours_path) as f:
        ours = json.load(f)
    settings = ours.get("settings", {})
    ds = ours["datasets"][0]
    fmt = ""
    for d in settings.get("datasets", []):
        if d.get("path") == ds["dataset"]:
            fmt = d.get("format", "")
    seqlen = int(ds["seqlen"])
    # The dtype our evaluator computed in (= the written weights' dtype unless --out-dtype changed it).
    dtype = settings.get("dtype") or ours.get("dtype") or "float32"
    hf = hf_perplexity(model_dir, read_eval_text(ds["dataset"], fmt), seqlen, device, dtype)
    rel = abs(hf["perplexity"] - ours["perplexity"]) / ours["perplexity"]
    out = {"case": name, "dir": model_dir, "hf_perplexity": hf["perplexity"], "ours_perplexity": ours["perplexity"],
           "relative_difference": rel, "tolerance": tol, "hf_tokens": hf["tokens"], "ours_tokens": ds.get("tokens"),
           "windows": hf["windows"], "dtype": dtype, "seqlen": seqlen,
           "ok": rel <= tol and hf["tokens"] == ds.get("tokens", hf["tokens"])}
    if original is not None and name.startswith("fp"):
        rel_o = abs(hf["perplexity"] - original) / original
        out["original_perplexity"] = original
        out["relative_difference_to_original"] = rel_o
        out["ok"] = out["ok"] and rel_o <= tol
    return out


def load_reference_rotations(ref):
    import torch
    out = {}
    if ref.endswith(".h5") or ref.endswith(".hdf5"):
        import h5py
        with h5py.File(ref, "r") as f:
            if "rotations/R1" in f:
                out["R1"] = torch.from_numpy(f["rotations/R1"][()])
            if "rotations/R2" in f:
                for k in f["rotations/R2"]:
                    layer = int(k.split("_")[1])
                    out[f"model.layers.{layer}.self_attn.R2"] = torch.from_numpy(f["rotations/R2"][k][()])
    else:
        from safetensors.torch import load_file
        out = dict(load_file(ref))
    return out


def check_rotations(spec):
    import torch
    path, ref = spec.split("=", 1)
    try:
        mine = torch.load(path, weights_only=True)
    except TypeError:  # torch < 1.13 has no weights_only
        mine = torch.load(path)
    theirs = load_reference_rotations(ref)
    problems = []
    if not isinstance(mine, dict):
        problems.append(f"{path} does not hold a dict")
        mine = {}
    for key, t in theirs.items():
        if key not in mine:
            problems.append(f"{key} missing")
            continue
        m = mine[key]
        if m.dtype != t.dtype:
            problems.append(f"{key}: dtype {m.dtype} vs {t.dtype}")
            continue
        if m.dim() == 2 and t.dim() == 3:  # SpinQuant layout: one R2 shared by every KV-head group
            same = all(torch.equal(m, t[g]) for g in range(t.shape[0]))
        else:
            same = m.shape == t.shape and torch.equal(m, t)
        if not same:
            problems.append(f"{key} differs")
    extra = sorted(set(mine) - set(theirs))
    if extra:
        problems.append(f"keys not in the reference: {extra}")
    return {"file": path, "reference": ref, "keys": len(theirs), "problems": problems,
            "ok": not problems and len(theirs) > 0}


def documented_patterns(doc_path):
    """(regex, raw path, kind) of every row of the layout table in docs/runfile.md."""
    rows = []
    with open(doc_path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\|\s*`(/[^`]*)`\s*\|\s*(dataset|group)\s*\|", line)
            if not m:
                continue
            raw, kind = m.group(1), m.group(2)
            rx = re.escape(raw)
            rx = rx.replace(re.escape("<name>"), ".+")
            rx = re.sub(re.escape("<") + r"[a-z_]+" + re.escape(">"), "[^/]+", rx)
            rx = rx.replace("layer_NN", r"layer_\d{2,}")
            rows.append((re.compile("^" + rx + "$"), raw, kind))
    return rows


def string_problems(f):
    """Run files hold fixed-length strings only (format version 2): h5py returns them as bytes (numpy.bytes_, or
    an 'S' field of a table), never as str, which is what it gives for a variable-length string."""
    import h5py
    problems = []

    def check_attr(obj, name, what, parse_json=False):
        if name not in obj.attrs:
            return
        if h5py.check_string_dtype(obj.attrs.get_id(name).dtype) is None:
            problems.append(f"{what}: not a string")
            return
        if obj.attrs.get_id(name).get_type().is_variable_str():
            problems.append(f"{what}: a variable-length string")
            return
        value = obj.attrs[name]
        if not isinstance(value, bytes):
            problems.append(f"{what}: h5py gave {type(value).__name__}, not bytes")
            return
        try:
            text = value.decode("utf-8")
            if parse_json:
                json.loads(text)
        except (UnicodeDecodeError, ValueError) as e:
            problems.append(f"{what}: {e}")

    if f.attrs.get("format") != b"jointquant-run":
        problems.append(f"format attribute is {f.attrs.get('format')!r}, not b'jointquant-run'")
    if f.attrs.get("format_version") != 2:
        problems.append(f"format_version is {f.attrs.get('format_version')!r}, not 2")
    check_attr(f, "format", "attribute format")
    check_attr(f, "config", "attribute config", parse_json=True)
    check_attr(f, "metrics", "attribute metrics", parse_json=True)
    if "curves" in f:
        f["curves"].visititems(lambda name, obj: check_attr(obj, "columns", f"/curves/{name} attribute columns")
                               if isinstance(obj, h5py.Dataset) else None)
    for table, fields in (("metrics/perplexity", ("method", "dataset")), ("metrics/timings", ("stage",))):
        if table not in f:
            continue
        dtype = f[table].dtype
        for field in fields:
            if field not in (dtype.names or ()):
                problems.append(f"/{table}: no field {field}")
            elif dtype[field].kind != "S":
                problems.append(f"/{table} field {field}: numpy kind {dtype[field].kind!r}, not a fixed-length 'S'")
            else:
                for value in f[table][field]:
                    try:
                        value.decode("utf-8")
                    except UnicodeDecodeError as e:
                        problems.append(f"/{table} field {field}: {e}")
    return problems


def check_runfile(run_path, doc_path):
    import h5py
    patterns = documented_patterns(doc_path)
    datasets, groups = [], []
    with h5py.File(run_path, "r") as f:
        f.visititems(lambda name, obj: (datasets if isinstance(obj, h5py.Dataset) else groups).append("/" + name))
        attrs = sorted(f.attrs.keys())
        strings = string_problems(f)
    undocumented = [d for d in datasets if not any(rx.match(d) for rx, _, kind in patterns if kind == "dataset")]
    used = sorted({raw for rx, raw, kind in patterns if kind == "dataset" for d in datasets if rx.match(d)})
    unused = sorted({raw for _, raw, kind in patterns if kind == "dataset"} - set(used))
    required_groups = [raw for _, raw, kind in patterns if kind == "group" and "<" not in raw]
    missing_groups = [g for g in required_groups if g not in groups]
    always = ["/metrics/perplexity", "/metrics/timings"]
    missing = [d for d in always if d not in datasets]
    return {"file": run_path, "doc": doc_path, "documented_rows": len(patterns), "datasets": datasets,
            "attributes": attrs, "undocumented": undocumented, "documented_present": used,
            "documented_absent": unused, "missing_groups": missing_groups, "missing_required": missing,
            "string_problems": strings,
            "ok": not undocumented and not missing_groups and not missing and "format" in attrs and not strings}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", action="append", default=[], help="NAME:DIR:OURS.json:TOL")
    ap.add_argument("--original", help="`jointquant eval` JSON of the unrotated model")
    ap.add_argument("--rotations", action="append", default=[], help="FILE=REF (.h5 run file or .safetensors)")
    ap.add_argument("--runfile", help="run file to check against --doc")
    ap.add_argument("--doc", default="docs/runfile.md")
    ap.add_argument("--device", default=None)
    args = ap.parse_args()

    result = {"tool": "tools/check_export.py"}
    device = args.device
    if args.case or args.rotations:
        import torch
        import transformers
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        result.update({"torch": torch.__version__, "transformers": transformers.__version__, "device": device})
    original = None
    if args.original:
        with open(args.original) as f:
            original = json.load(f)["perplexity"]
    result["cases"] = [check_case(c, device, original) for c in args.case]
    result["rotations"] = [check_rotations(r) for r in args.rotations]
    if args.runfile:
        result["runfile"] = check_runfile(args.runfile, args.doc)
    checks = result["cases"] + result["rotations"] + ([result["runfile"]] if args.runfile else [])
    result["ok"] = bool(checks) and all(c["ok"] for c in checks)
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
