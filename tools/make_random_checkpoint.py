#!/usr/bin/env python3
"""Random-weight Llama checkpoint of a real model's shape (for speed/memory benchmarks; its perplexity means
nothing). Usage: python3 tools/make_random_checkpoint.py CONFIG.json TOKENIZER.json OUT_DIR [--layers N]"""
import argparse
import json
import os
import shutil

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM

ap = argparse.ArgumentParser()
ap.add_argument("config")
ap.add_argument("tokenizer")
ap.add_argument("out")
ap.add_argument("--layers", type=int, default=0, help="override num_hidden_layers (0 = keep)")
args = ap.parse_args()
cfg = json.load(open(args.config))
if args.layers:
    cfg["num_hidden_layers"] = args.layers
cfg.pop("transformers_version", None)
config = LlamaConfig(**cfg)
torch.manual_seed(0)
with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
    model = LlamaForCausalLM(config).to(torch.bfloat16)
model.save_pretrained(args.out, safe_serialization=True)
shutil.copy(args.tokenizer, os.path.join(args.out, "tokenizer.json"))
print("wrote", args.out, sum(p.numel() for p in model.parameters()), "parameters")
