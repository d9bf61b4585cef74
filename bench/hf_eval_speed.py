#!/usr/bin/env python3
"""Perplexity evaluation with transformers, timed the way bench/gpu_speed_check.sh times `jointquant eval`:
the whole text tokenized once (BOS first), non-overlapping windows of --seqlen, --batch windows per forward pass,
NLL summed in float32; only the forward passes and the loss are timed (tokenization and loading are reported
apart). Prints one JSON object. Usage: hf_eval_speed.py --model DIR --text FILE [--seqlen 2048] [--batch 1]
[--dtype bfloat16] [--attn sdpa]"""
import argparse
import json
import math
import time

import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM

ap = argparse.ArgumentParser()
ap.add_argument("--model", required=True)
ap.add_argument("--text", required=True)
ap.add_argument("--seqlen", type=int, default=2048)
ap.add_argument("--batch", type=int, default=1)
ap.add_argument("--dtype", default="bfloat16")
ap.add_argument("--attn", default="sdpa")
ap.add_argument("--repeat", type=int, default=1, help="evaluate the text repeated this many times")
args = ap.parse_args()

t0 = time.perf_counter()
tok = Tokenizer.from_file(f"{args.model}/tokenizer.json")
text = open(args.text, encoding="utf-8").read()
if args.repeat > 1:
    text = "\n\n".join([text] * args.repeat)
ids = tok.encode(text).ids
cfg = json.load(open(f"{args.model}/config.json"))
bos = cfg.get("bos_token_id")
if bos is not None and (not ids or ids[0] != bos):
    ids = [bos] + ids
tokenize_s = time.perf_counter() - t0

t0 = time.perf_counter()
model = AutoModelForCausalLM.from_pretrained(args.model, dtype=getattr(torch, args.dtype),
                                             attn_implementation=args.attn).cuda().eval()
load_s = time.perf_counter() - t0

windows = len(ids) // args.seqlen
x = torch.tensor(ids[: windows * args.seqlen], device="cuda").view(windows, args.seqlen)
torch.cuda.reset_peak_memory_stats()


def run():
    nll = 0.0
    with torch.inference_mode():
        for b in range(0, windows, args.batch):
            inp = x[b: b + args.batch]
            logits = model(inp).logits
            lp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
            nll += -lp.gather(-1, inp[:, 1:, None]).sum().item()
    return nll


run_warm = x[: min(windows, args.batch)]
with torch.inference_mode():
    model(run_warm)  # warm-up: kernels and allocator
torch.cuda.synchronize()
t0 = time.perf_counter()
nll = run()
torch.cuda.synchronize()
eval_s = time.perf_counter() - t0
predicted = windows * (args.seqlen - 1)
print(json.dumps({"tool": "transformers", "perplexity": math.exp(nll / predicted), "windows": windows,
                  "seqlen": args.seqlen, "batch": args.batch, "dtype": args.dtype, "attn": args.attn,
                  "eval_seconds": eval_s, "tokens_per_second": windows * args.seqlen / eval_s,
                  "tokenize_seconds": tokenize_s, "load_seconds": load_s,
                  "peak_memory_gib": torch.cuda.max_memory_allocated() / 2**30}))
