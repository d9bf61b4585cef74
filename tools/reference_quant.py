#!/usr/bin/env python3
"""A minimal W4A4 reference written from the QuaRot / DESIGN.md equations, on top of transformers, used to cross-check
`jointquant quantize` (QuaRot's own code needs transformers 4.36; the GPU image has 5.x).

Methods: fp, rtn (no rotation), quarot (fused norms, R1 = random-sign Hadamard diag(s)·Hᵀ/√n with the signs drawn as
torch.randint(0, 2, (n,), generator=torch.Generator().manual_seed(seed)), R2 = Hadamard per head, online Hadamard on
the down_proj input). Weights: RTN per output channel, symmetric; activations: per token, symmetric, on every linear
input of the decoder layers (lm_head stays FP). Perplexity as DESIGN.md: whole text, floor(N/seqlen) windows.

Hadamard matrices of non-power-of-two order use a Paley-I core (q ≡ 3 mod 4 prime) ⊗ Sylvester, which need not be the
matrix the C++ code picks (Sloane's); both are exact rotations, so the FP function is the same and the W4A4 results
are expected to agree within a few percent, not bit for bit.

    python3 tools/reference_quant.py --model resources/demo-model --text resources/demo-corpus/test.txt --seqlen 512
"""
import argparse
import json
import math

import torch
import torch.nn.functional as F
from tokenizers import Tokenizer
import transformers
from transformers import LlamaForCausalLM


def sylvester(n):
    h = torch.ones(1, 1, dtype=torch.float64)
    while h.shape[0] < n:
        h = torch.cat([torch.cat([h, h], 1), torch.cat([h, -h], 1)], 0)
    return h


def paley1(k):
    q = k - 1
    assert all(q % d for d in range(2, int(q ** 0.5) + 1)) and q % 4 == 3, k
    squares = {(i * i) % q for i in range(1, q)}
    chi = lambda a: 0 if a % q == 0 else (1 if a % q in squares else -1)
    Q = torch.tensor([[chi(j - i) for j in range(q)] for i in range(q)], dtype=torch.float64)
    S = torch.zeros(k, k, dtype=torch.float64)
    S[0, 1:] = 1
    S[1:, 0] = -1
    S[1:, 1:] = Q
    return S + torch.eye(k, dtype=torch.float64)


def hadamard(n):
    k = n
    while k % 2 == 0:
        k //= 2
    if k == 1:
        H = sylvester(n)
    else:
        core = next(c for c in (12, 20, 28, 44, 60, 108, 140) if n % c == 0 and (n // c) & (n // c - 1) == 0)
        H = torch.kron(paley1(core), sylvester(n // core))
    assert torch.allclose(H @ H.T, n * torch.eye(n, dtype=torch.float64))
    return H / math.sqrt(n)


def quant_sym(x, bits):
    qmax = 2 ** (bits - 1) - 1
    s = x.abs().amax(dim=-1, keepdim=True).clamp(min=1e-5) / qmax
    return torch.clamp(torch.round(x / s), -qmax - 1, qmax) * s


@torch.no_grad()
def prepare(model, method, seed, wbits, abits):
    cfg = model.config
    layers = model.model.layers
    if method == "fp":
        return
    if method == "quarot":
        model.lm_head.weight = torch.nn.Parameter(model.model.embed_tokens.weight.detach().clone())
        for L in layers:
            for lin in (L.self_attn.q_proj, L.self_attn.k_proj, L.self_attn.v_proj):
                lin.weight.mul_(L.input_layernorm.weight)
            for lin in (L.mlp.gate_proj, L.mlp.up_proj):
                lin.weight.mul_(L.post_attention_layernorm.weight)
            L.input_layernorm.weight.fill_(1)
            L.post_attention_layernorm.weight.fill_(1)
        model.lm_head.weight.mul_(model.model.norm.weight)
        model.model.norm.weight.fill_(1)
        n = cfg.hidden_size
        signs = torch.randint(0, 2, (n,), generator=torch.Generator().manual_seed(seed)).double() * 2 - 1
        R1 = torch.diag(signs) @ hadamard(n).T
        dt = model.model.embed_tokens.weight.dtype
        model.model.embed_tokens.weight.copy_((model.model.embed_tokens.weight.double() @ R1).to(dt))
        model.lm_head.weight.copy_((model.lm_head.weight.double() @ R1).to(dt))
        hd = cfg.hidden_size // cfg.num_attention_heads if getattr(cfg, "head_dim", None) is None else cfg.head_dim
        R2 = hadamard(hd)
        Hi = hadamard(cfg.intermediate_size)
        for L in layers:
            for lin in (L.self_attn.q_proj, L.self_attn.k_proj, L.self_attn.v_proj, L.mlp.gate_proj, L.mlp.up_proj):
                lin.weight.copy_((lin.weight.double() @ R1).to(dt))
            for lin in (L.self_attn.o_proj, L.mlp.down_proj):
                lin.weight.copy_((R1.T @ lin.weight.double()).to(dt))
            v = L.self_attn.v_proj.weight.double().view(-1, hd, n)          # [kv, hd, hidden]
            L.self_attn.v_proj.weight.copy_(torch.einsum("de,gdn->gen", R2, v).reshape(-1, n).to(dt))
            o = L.self_attn.o_proj.weight.double().view(n, -1, hd)          # [hidden, heads, hd]
            L.self_attn.o_proj.weight.copy_((o @ R2).reshape(n, -1).to(dt))
            down = L.mlp.down_proj
            down.weight.copy_((down.weight.double() @ Hi.T).to(dt))
            down.register_forward_pre_hook(lambda m, a, H=Hi: ((a[0].double() @ H.T.to(a[0].device)).to(a[0].dtype),))
    for L in layers:
        for lin in (L.self_attn.q_proj, L.self_attn.k_proj, L.self_attn.v_proj, L.self_attn.o_proj,
                    L.mlp.gate_proj, L.mlp.up_proj, L.mlp.down_proj):
            if wbits < 16:
                lin.weight.copy_(quant_sym(lin.weight, wbits))
            if abits < 16:
                lin.register_forward_pre_hook(lambda m, a: (quant_sym(a[0], abits),))


@torch.no_grad()
def perplexity(model, ids, seqlen, device):
    n = len(ids) // seqlen
    t = torch.tensor(ids[: n * seqlen], device=device).view(n, seqlen)
    nll = 0.0
    for i in range(n):
        logits = model(input_ids=t[i:i + 1]).logits
        nll += float(F.cross_entropy(logits[0, :-1].float(), t[i, 1:], reduction="sum"))
    return math.exp(nll / (n * (seqlen - 1)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--seqlen", type=int, default=512)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--methods", default="fp,rtn,quarot")
    ap.add_argument("--w-bits", type=int, default=4)
    ap.add_argument("--a-bits", type=int, default=4)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    ids = Tokenizer.from_file(args.model + "/tokenizer.json").encode(open(args.text, encoding="utf-8").read()).ids
    key = "dtype" if int(transformers.__version__.split(".")[0]) >= 5 else "torch_dtype"
    out = {}
    for method in args.methods.split(","):
        model = LlamaForCausalLM.from_pretrained(args.model, attn_implementation="eager", **{key: torch.float32})
        prepare(model.eval(), method, args.seed, args.w_bits, args.a_bits)  # on the CPU, in float64 where it matters
        model = model.to(args.device)
        out[method] = perplexity(model, ids, args.seqlen, args.device)
    print(json.dumps({"reference": "tools/reference_quant.py", "seqlen": args.seqlen, "w_bits": args.w_bits,
                      "a_bits": args.a_bits, "perplexity": out}))


if __name__ == "__main__":
    main()
