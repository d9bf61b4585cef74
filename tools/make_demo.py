#!/usr/bin/env python3
"""Makes the bundled demo model and the golden reference data, with Hugging Face `tokenizers` and `transformers`.

Run on a CUDA machine (training takes about a minute on one H100; everything else also runs on CPU):
    python3 tools/make_demo.py --repo . --llama3-tokenizer T3.json --llama2-tokenizer T2.json --out OUT_DIR

It writes, under OUT_DIR (mirroring the repository layout):
  resources/demo-model/               tokenizer.json (byte-level BPE, vocab 4096, Llama-3 pre-tokenizer), config.json,
                                      model.safetensors (bf16, save_pretrained), tokenizer_config.json
  tests/data/tiny-random-llama/       a random float32 Llama with non-power-of-two sizes and non-unit norms
  tests/data/golden/tokenizer_ids.json             ids for tests/data/golden/tokenizer_cases.json, three tokenizers
  tests/data/golden/demo_forward.safetensors       logits + hidden states (HF output_hidden_states layout), fp32 & bf16
  tests/data/golden/tiny_forward.safetensors       logits of the tiny random model, fp32
  tests/data/golden/demo_perplexity.json           HF perplexity of the demo test text, seqlen 512/2048, fp32/bf16
All golden values come from transformers (attn_implementation="eager"); nothing is computed by our C++ code.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
import transformers
from transformers import LlamaConfig, LlamaForCausalLM

# The Llama-3 split pattern, as published in Meta's tokenizer.json.
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
BOS, EOS = "<|begin_of_text|>", "<|end_of_text|>"
TRANSFORMERS_5 = int(transformers.__version__.split(".")[0]) >= 5


def log(*a):
    print("[make_demo %6.1fs]" % (time.time() - T0), *a, flush=True)


def train_tokenizer(train_file, vocab_size):
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[BOS, EOS], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train([train_file], trainer)
    bos = tok.token_to_id(BOS)
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos)]),
    ])
    return tok


def make_config(**kw):
    rope = kw.pop("rope")
    if TRANSFORMERS_5:
        return LlamaConfig(rope_parameters=rope, **kw)
    theta = rope.pop("rope_theta")
    scaling = None if rope.get("rope_type", "default") == "default" else rope
    return LlamaConfig(rope_theta=theta, rope_scaling=scaling, **kw)


def load(path, dtype, device):
    key = "dtype" if TRANSFORMERS_5 else "torch_dtype"
    m = LlamaForCausalLM.from_pretrained(path, attn_implementation="eager", **{key: dtype})
    return m.to(device).eval()


def train_model(config, ids, device, steps, seqlen, batch):
    torch.manual_seed(0)
    # Eager attention throughout: switching the attention implementation after construction can silently drop the
    # causal mask in transformers 5 (seen: train loss 0.23 with test perplexity 19k).
    config._attn_implementation = "eager"
    model = LlamaForCausalLM(config).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.1, betas=(0.9, 0.95))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 100) * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    data = torch.tensor(ids, dtype=torch.long, device=device)
    g = torch.Generator(device="cpu").manual_seed(0)
    model.train()
    for step in range(steps):
        starts = torch.randint(0, len(ids) - seqlen - 1, (batch,), generator=g)
        x = torch.stack([data[s:s + seqlen] for s in starts.tolist()])
        with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16):
            loss = model(input_ids=x, labels=x).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if step % 200 == 0 or step == steps - 1:
            log("step %d loss %.4f" % (step, loss.item()))
    model.eval()
    return model


@torch.no_grad()
def perplexity(model, ids, seqlen, device):
    n = len(ids) // seqlen
    t = torch.tensor(ids[: n * seqlen], dtype=torch.long, device=device).view(n, seqlen)
    total, count = 0.0, 0
    for i in range(n):
        logits = model(input_ids=t[i:i + 1]).logits
        nll = F.cross_entropy(logits[0, :-1].float(), t[i, 1:], reduction="sum")
        total += float(nll)
        count += seqlen - 1
    return {"perplexity": math.exp(total / count), "windows": n, "nll_sum": total, "predicted": count}


@torch.no_grad()
def forward_golden(model, input_ids, prefix, out):
    res = model(input_ids=input_ids, output_hidden_states=True)
    out[prefix + ".logits"] = res.logits.float().cpu().contiguous()
    for i, h in enumerate(res.hidden_states):
        out[prefix + ".hidden.%d" % i] = h.float().cpu().contiguous()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default=".")
    ap.add_argument("--llama3-tokenizer", required=True)
    ap.add_argument("--llama2-tokenizer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=1000)
    args = ap.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cuda.matmul.allow_tf32 = False
    repo, out = args.repo, args.out
    model_dir = os.path.join(out, "resources/demo-model")
    tiny_dir = os.path.join(out, "tests/data/tiny-random-llama")
    golden = os.path.join(out, "tests/data/golden")
    for d in (model_dir, tiny_dir, golden):
        os.makedirs(d, exist_ok=True)
    train_file = os.path.join(repo, "resources/demo-corpus/train.txt")
    test_text = open(os.path.join(repo, "resources/demo-corpus/test.txt"), encoding="utf-8").read()
    info = {"transformers": transformers.__version__, "torch": torch.__version__,
            "tokenizers": __import__("tokenizers").__version__, "device": torch.cuda.get_device_name() if device == "cuda" else "cpu"}
    log(info)

    # 1. Demo tokenizer.
    tok = train_tokenizer(train_file, 4096)
    tok.save(os.path.join(model_dir, "tokenizer.json"))
    json.dump({"bos_token": BOS, "eos_token": EOS, "model_max_length": 4096, "add_bos_token": True,
               "tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": False},
              open(os.path.join(model_dir, "tokenizer_config.json"), "w"), indent=2)
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    log("demo tokenizer vocab", tok.get_vocab_size())

    # 2. Tokenizer golden ids.
    cases = json.load(open(os.path.join(repo, "tests/data/golden/tokenizer_cases.json"), encoding="utf-8"))["cases"]
    ids = {"cases": cases, "versions": info}
    for name, path in (("demo", os.path.join(model_dir, "tokenizer.json")), ("llama3", args.llama3_tokenizer),
                       ("llama2", args.llama2_tokenizer)):
        t = Tokenizer.from_file(path)
        ids[name] = {"with_special": [t.encode(c).ids for c in cases],
                     "without_special": [t.encode(c, add_special_tokens=False).ids for c in cases]}
        big = open(train_file, encoding="utf-8").read()[:1_000_000]
        t0 = time.time()
        n = len(t.encode(big).ids)
        ids[name]["train_1mb"] = {"count": n, "hf_seconds": time.time() - t0}
    json.dump(ids, open(os.path.join(golden, "tokenizer_ids.json"), "w", encoding="utf-8"), ensure_ascii=False)

    # 3. Demo model: train, save bf16.
    train_ids = tok.encode(open(train_file, encoding="utf-8").read()).ids
    config = make_config(vocab_size=4096, hidden_size=256, intermediate_size=768, num_hidden_layers=4,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                         rms_norm_eps=1e-5, tie_word_embeddings=True, bos_token_id=tok.token_to_id(BOS),
                         eos_token_id=tok.token_to_id(EOS),
                         rope={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0,
                               "high_freq_factor": 4.0, "original_max_position_embeddings": 512})
    model = train_model(config, train_ids, device, args.steps, 512, 32)
    # Held-out check before saving: a causal model of this size lands far below the 4096 of a uniform guess.
    test_ids_check = tok.encode(test_text).ids
    log("held-out perplexity (fp32 training weights, seqlen 512):",
        perplexity(model, test_ids_check, 512, device)["perplexity"])
    model.to(torch.bfloat16).save_pretrained(model_dir, safe_serialization=True)
    for extra in ("generation_config.json",):
        p = os.path.join(model_dir, extra)
        if os.path.exists(p):
            os.remove(p)
    log("saved demo model", os.listdir(model_dir))

    # 4. Forward golden on CPU (deterministic), from the saved bf16 checkpoint.
    test_ids = tok.encode(test_text).ids
    input_ids = torch.tensor([test_ids[0:64], test_ids[5000:5064]], dtype=torch.long)
    fwd = {"input_ids": input_ids}
    forward_golden(load(model_dir, torch.float32, "cpu"), input_ids, "fp32", fwd)
    forward_golden(load(model_dir, torch.bfloat16, "cpu"), input_ids, "bf16", fwd)
    save_file(fwd, os.path.join(golden, "demo_forward.safetensors"))

    # 5. Perplexity golden: whole test text tokenized once (BOS first), floor(N/seqlen) windows.
    ppl = {"text_file": "resources/demo-corpus/test.txt", "tokens": len(test_ids), "versions": info, "results": {}}
    for dev in ("cpu", device) if device != "cpu" else ("cpu",):
        for dtype_name, dtype in (("float32", torch.float32), ("bfloat16", torch.bfloat16)):
            m = load(model_dir, dtype, dev)
            for seqlen in (512, 2048):
                r = perplexity(m, test_ids, seqlen, dev)
                ppl["results"].setdefault(dev, {}).setdefault(dtype_name, {})[str(seqlen)] = r
                log(dev, dtype_name, seqlen, r["perplexity"])
    json.dump(ppl, open(os.path.join(golden, "demo_perplexity.json"), "w"), indent=1)

    # 6. Tiny random model: non-power-of-two sizes (hidden 192 = 12*16, intermediate 640 = 20*32), untied,
    #    no rope scaling, non-unit RMSNorm weights so that norm fusion is exercised.
    torch.manual_seed(1234)
    tiny_cfg = make_config(vocab_size=512, hidden_size=192, intermediate_size=640, num_hidden_layers=2,
                           num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=256,
                           rms_norm_eps=1e-5, tie_word_embeddings=False, initializer_range=0.08,
                           bos_token_id=1, eos_token_id=2, rope={"rope_type": "default", "rope_theta": 10000.0})
    tiny = LlamaForCausalLM(tiny_cfg).float().eval()
    with torch.no_grad():
        for n, p in tiny.named_parameters():
            if "norm" in n:
                p.copy_(1.0 + 0.3 * torch.randn_like(p))
    tiny.save_pretrained(tiny_dir, safe_serialization=True)
    p = os.path.join(tiny_dir, "generation_config.json")
    if os.path.exists(p):
        os.remove(p)
    tiny_ids = torch.randint(0, 512, (2, 32), generator=torch.Generator().manual_seed(7))
    tf = {"input_ids": tiny_ids}
    forward_golden(load(tiny_dir, torch.float32, "cpu"), tiny_ids, "fp32", tf)
    save_file(tf, os.path.join(golden, "tiny_forward.safetensors"))
    log("done")


T0 = time.time()
if __name__ == "__main__":
    main()
