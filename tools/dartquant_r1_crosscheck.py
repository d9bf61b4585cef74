#!/usr/bin/env python3
"""Cross-check of our R1 calibration (method dartquant) against DartQuant's own train_R1 on the same data.

Input: the safetensors file that `jointquant quantize --method dartquant --dump-r1-data FILE` writes (captured R1
rows per layer, our start and final R1) and our JSON result. DartQuant's calibrater/r1_base_qr.py is fetched by the
user (never committed) and imported with stand-ins for its unused imports (wandb, model loading); its
get_orthogonal_matrix returns our start R1 so both runs start from the same rotation. Both final R1 are scored here
with one formula (the Whip loss, mean over a layer's rows of sum_j exp(-|x R|_j), summed over layers).
Prints one JSON object.
Usage: dartquant_r1_crosscheck.py --dump FILE --ours JSON --dartquant DIR_WITH_r1_base_qr.py
       [--lr 1e-3 --mom 0.9 --epochs 10 --bsz 64 --subset 0.1 --cos]"""
import argparse
import contextlib
import json
import sys
import time
import types

import numpy as np
import torch
from safetensors.torch import load_file

ap = argparse.ArgumentParser()
ap.add_argument("--dump", required=True)
ap.add_argument("--ours", required=True)
ap.add_argument("--dartquant", required=True)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--mom", type=float, default=0.9)
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--bsz", type=int, default=64)
ap.add_argument("--subset", type=float, default=0.1)
ap.add_argument("--cos", action="store_true")
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()

data = load_file(args.dump)
from safetensors import safe_open
with safe_open(args.dump, "pt") as f:
    meta = f.metadata() or {}
item_rows = int(meta.get("item_rows", "2048"))
layers = [data[k] for k in sorted(k for k in data if k.startswith("layer_"))]
start, ours_final = data["r1_start"], data["r1_final"]
hidden = start.shape[0]

# DartQuant's dataset: one item per file, each a [rows, hidden] block; here one per item_rows rows of each layer.
items = [blk for x in layers for blk in x.reshape(-1, item_rows, hidden)]


class Items(torch.utils.data.Dataset):
    def __len__(self):
        return len(items)

    def __getitem__(self, i):
        return items[i]


def stub(name, **attrs):
    m = types.ModuleType(name)
    for k, v in attrs.items():
        setattr(m, k, v)
    sys.modules[name] = m


dev = "cuda" if torch.cuda.is_available() else "cpu"
stub("wandb")
stub("dataloader", R1Dataset=None)
stub("rotation_utils", get_orthogonal_matrix=lambda n, mode, device: start.clone().to(device))
stub("utils", supported_models=[], supported_datasets=[])
stub("model_utils", get_model=None)
sys.path.insert(0, args.dartquant)
import r1_base_qr  # noqa: E402  (DartQuant's file)

ns = argparse.Namespace(hidden_size=hidden, init_mode="hadamard", optim="sgd", lr=args.lr, mom=args.mom,
                        cos_lr=args.cos, ep=args.epochs, bsz=args.bsz, train_subset_size=args.subset,
                        accumulation_steps=1, wandb=False)
np.random.seed(args.seed)
torch.manual_seed(args.seed)
if dev == "cuda":
    torch.cuda.synchronize()
t0 = time.perf_counter()
with contextlib.redirect_stdout(sys.stderr):  # its epoch log must not mix with our JSON
    theirs = r1_base_qr.train_R1(Items(), ns).float().cpu()
if dev == "cuda":
    torch.cuda.synchronize()
their_seconds = time.perf_counter() - t0


def whip_sum(r):
    r = r.to(dev, torch.float64)
    total = 0.0
    per = []
    for x in layers:
        y = x.to(dev, torch.float64) @ r
        v = torch.exp(-y.abs()).sum(-1).mean().item()
        per.append(v)
        total += v
    return total, per


ours_json = json.load(open(args.ours))
s0, _ = whip_sum(start)
so, per_o = whip_sum(ours_final)
st, per_t = whip_sum(theirs)
our_seconds = ours_json.get("seconds", {}).get("calibrate.R1")
print(json.dumps({
    "hidden": hidden, "layers": len(layers), "items": len(items), "item_rows": item_rows,
    "settings": vars(args),
    "whip_sum_start": s0, "whip_sum_ours": so, "whip_sum_dartquant": st,
    "relative_difference": (so - st) / st,
    "ours_layer_loss": per_o, "dartquant_layer_loss": per_t,
    "orthogonality_error_dartquant": (theirs.double() @ theirs.double().T - torch.eye(hidden, dtype=torch.float64)).abs().max().item(),
    "seconds_ours": our_seconds, "seconds_dartquant": their_seconds,
    "speedup_ours_vs_dartquant": (their_seconds / our_seconds) if our_seconds else None,
    "note": "ours includes scoring start and final R1 on every layer; DartQuant's time is train_R1 alone",
}, indent=1))
