#!/usr/bin/env python3
"""Writes a GGUF with a real model's architecture, a real tokenizer and synthetic weights laid out
like llama-quantize's recipe (Q4_K_M or Q8_0), so llama.cpp loads and runs it at real speed and
with real buffer sizes. Weights are a repeated pseudo-random pattern with valid f16 block scales.

Extends ../shared/groundtruth/gen_model.py with tied-embedding Llama 3.2 models, Llama 3 rope
frequency factors, the 70B attn_v rule and a Q8_0 recipe (rules: llama.cpp src/llama-quant.cpp,
llama_tensor_get_type_impl, build 0c1e570).

Also writes Q4_0 (llama-quantize's recipe) and F16 (convert_hf_to_gguf --outtype f16: every
matrix F16) files, applies llama-quantize's fallback for rows that a 256-wide K-quant block does
not divide (tensor_type_fallback: Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0), and pads the vocab
with [PAD] tokens to the architecture's vocab size when the tokenizer file is smaller (as
convert_hf_to_gguf pads Qwen's), so the embedding and output matrices have the real shapes.

A model whose vocab is smaller than the tokenizer file (SmolLM2's 49,152, TinyLlama's 32,000:
llama.cpp's models/ ships neither tokenizer) keeps the file's first tokens and the merges among
them, so the embedding and output matrices have the real shapes; llama-bench never tokenizes.

Usage: gen_model.py ARCH OUT.gguf VOCAB.gguf [q4_k_m|q8_0|q4_0|f16|q6_k|q5_k_m]
ARCH: llama1b, llama3b, llama8b, llama70b, qwen3moe30b, qwen3moe30b_2l, gemma3_1b, tiny, tinytied,
      tinymoe, qwen3_0_6b, qwen3_1_7b, qwen2_5_0_5b, qwen2_5_1_5b, smollm2_135m, smollm2_360m,
      smollm2_1_7b, gemma3_270m, tinyllama_1_1b, falcon3_1b
Needs gguf-py (llama.cpp's gguf-py on PYTHONPATH, or pip gguf) and numpy."""
import math
import sys

import gguf
import numpy as np
from gguf import GGMLQuantizationType as T

# name: (gguf arch, layers, embd, heads, kv heads, head dim, ffn, ctx, rope base, eps, moe,
#        tied embeddings, llama3 rope scaling factor or None)
# Sources: the models' config.json on Hugging Face (meta-llama/Llama-3.2-1B, Llama-3.2-3B,
# Llama-3.1-8B, Llama-3.1-70B, Qwen/Qwen3-30B-A3B).
ARCHS = {
    'llama1b': ('llama', 16, 2048, 32, 8, 64, 8192, 131072, 500000.0, 1e-5, None, True, 32.0),
    'llama3b': ('llama', 28, 3072, 24, 8, 128, 8192, 131072, 500000.0, 1e-5, None, True, 32.0),
    'llama8b': ('llama', 32, 4096, 32, 8, 128, 14336, 131072, 500000.0, 1e-5, None, False, 8.0),
    'llama70b': ('llama', 80, 8192, 64, 8, 128, 28672, 131072, 500000.0, 1e-5, None, False, 8.0),
    'qwen3moe30b': ('qwen3moe', 48, 2048, 32, 4, 128, 6144, 40960, 1e6, 1e-6, (128, 8, 768),
                    False, None),
    'tiny': ('llama', 4, 256, 8, 2, 32, 512, 4096, 500000.0, 1e-5, None, False, None),
    'tinytied': ('llama', 4, 256, 8, 2, 32, 512, 4096, 500000.0, 1e-5, None, True, 32.0),
    # expert FFN 256 wide: llama.cpp rejects a Q4_K ffn_down_exps whose rows (the expert width) a
    # 256-wide block does not divide
    'tinymoe': ('qwen3moe', 4, 256, 8, 2, 32, 512, 4096, 1e6, 1e-6, (8, 2, 256), False, None),
    # Qwen3-30B-A3B's widths with 2 of its 48 layers (the compute buffer depends on the widths,
    # not on the depth), so the CPU run stays near 1 GB.
    'qwen3moe30b_2l': ('qwen3moe', 2, 2048, 32, 4, 128, 6144, 40960, 1e6, 1e-6, (128, 8, 768),
                       False, None),
    # google/gemma-3-1b-it config.json: 26 layers, 1152 wide (not a multiple of 256: use q8_0),
    # 4 heads, 1 KV head of 256, MLP 6912, sliding window 512 on 5 of every 6 layers.
    'gemma3_1b': ('gemma3', 26, 1152, 4, 1, 256, 6912, 32768, 1e6, 1e-6, None, True, None),
    # Qwen/Qwen3-0.6B and Qwen3-1.7B config.json (tied embeddings, q/k norms, head dim 128)
    'qwen3_0_6b': ('qwen3', 28, 1024, 16, 8, 128, 3072, 40960, 1e6, 1e-6, None, True, None),
    'qwen3_1_7b': ('qwen3', 28, 2048, 16, 8, 128, 6144, 40960, 1e6, 1e-6, None, True, None),
    # Qwen/Qwen2.5-0.5B-Instruct and Qwen2.5-1.5B-Instruct config.json (tied, q/k/v biases)
    'qwen2_5_0_5b': ('qwen2', 24, 896, 14, 2, 64, 4864, 32768, 1e6, 1e-6, None, True, None),
    'qwen2_5_1_5b': ('qwen2', 28, 1536, 12, 2, 128, 8960, 32768, 1e6, 1e-6, None, True, None),
    # The catalog's arch of HuggingFaceTB/SmolLM2-135M/360M/1.7B-Instruct, google/gemma-3-270m-it,
    # TinyLlama/TinyLlama-1.1B-Chat-v1.0 and tiiuae/Falcon3-1B-Instruct (config.json); the rope base
    # and norm eps are the configs' too, and change no speed.
    'smollm2_135m': ('llama', 30, 576, 9, 3, 64, 1536, 8192, 100000.0, 1e-5, None, True, None),
    'smollm2_360m': ('llama', 32, 960, 15, 5, 64, 2560, 8192, 100000.0, 1e-5, None, True, None),
    'smollm2_1_7b': ('llama', 24, 2048, 32, 32, 64, 8192, 8192, 130000.0, 1e-5, None, True, None),
    'gemma3_270m': ('gemma3', 18, 640, 4, 1, 256, 2048, 32768, 1e6, 1e-6, None, True, None),
    'tinyllama_1_1b': ('llama', 22, 2048, 32, 4, 64, 5632, 2048, 10000.0, 1e-5, None, False, None),
    'falcon3_1b': ('llama', 18, 2048, 8, 4, 256, 8192, 8192, 1000042.0, 1e-6, None, False, None),
}
# Vocab size (config.json vocab_size) of the archs whose tokenizer file is smaller: Gemma 3 has
# its own 262,144-token tokenizer, which llama.cpp's models/ does not ship, so its file uses the
# Llama 3 tokenizer padded to that size; Qwen's GGUFs are padded to 151,936 by convert_hf_to_gguf.
VOCAB_SIZE = {'gemma3_1b': 262144, 'qwen3_0_6b': 151936, 'qwen3_1_7b': 151936,
              'qwen2_5_0_5b': 151936, 'qwen2_5_1_5b': 151936, 'gemma3_270m': 262144,
              'falcon3_1b': 131072,
              # smaller than the Llama 3 tokenizer file: its first tokens are kept (see CUT below)
              'smollm2_135m': 49152, 'smollm2_360m': 49152, 'smollm2_1_7b': 49152,
              'tinyllama_1_1b': 32000}
# Sliding window (tokens) of the archs that have one.
SWA = {'gemma3_1b': 512, 'gemma3_270m': 512}
# llama_ftype: LLAMA_FTYPE_MOSTLY_Q4_K_M, _Q8_0, _Q4_0, _F16, _Q6_K, _Q5_K_M
FILE_TYPE = {'q4_k_m': 15, 'q8_0': 7, 'q4_0': 2, 'f16': 1, 'q6_k': 18, 'q5_k_m': 17}

name, out, vocab_path = sys.argv[1], sys.argv[2], sys.argv[3]
recipe = sys.argv[4] if len(sys.argv) > 4 else 'q4_k_m'
arch, L, E, H, HKV, HD, F, CTX, ROPE, EPS, MOE, TIED, ROPE_FACTOR = ARCHS[name]
n_expert = MOE[0] if MOE else 0
rng = np.random.default_rng(0)
patterns = {}


def more_bits(i):
    # llama-quantize's use_more_bits(i_layer, n_layers)
    return i < L // 8 or i >= 7 * L // 8 or (i - L // 8) % 3 == 2


def qtype(role, i=0):
    """Tensor type under the recipe, following llama_tensor_get_type_impl for these archs."""
    if recipe == 'q8_0':
        return T.Q8_0
    if recipe == 'f16':
        return T.F16
    if recipe == 'q6_k':  # every 2-D weight, the output and embeddings too
        return T.Q6_K
    if role == 'output' or (role == 'token_embd' and TIED):
        return T.Q6_K
    if recipe == 'q4_0':
        return T.Q4_0
    base = T.Q5_K if recipe == 'q5_k_m' else T.Q4_K
    if role == 'attn_v':
        if more_bits(i):
            return T.Q6_K
        return T.Q5_K if (arch == 'llama' and L == 80 and H != HKV) else base  # LLM_TYPE_70B
    if role == 'ffn_down' and more_bits(i):
        return T.Q6_K
    return base


def fallback(qt, cols):
    """llama-quantize's tensor_type_fallback: a row length the block size does not divide."""
    if cols % gguf.GGML_QUANT_SIZES[qt][0] == 0:
        return qt
    return {T.Q4_K: T.Q5_0, T.Q5_K: T.Q5_1, T.Q6_K: T.Q8_0}[qt]


def quant_rows(rows, cols, qt, experts=None):
    """One shared array per shape: rows of quant blocks with a valid f16 scale in each block."""
    key = (rows, cols, qt, experts)
    if key in patterns:
        return patterns[key]
    bs, ts = gguf.GGML_QUANT_SIZES[qt]
    nb = cols // bs
    shape = (rows, nb, ts) if experts is None else (experts, rows, nb, ts)
    if qt == T.F16:  # small finite values, not random bit patterns (NaNs)
        v = (rng.standard_normal(shape[:-2] + (cols,)) * 0.02).astype(np.float16)
        patterns[key] = v
        return v
    a = rng.integers(0, 256, size=shape, dtype=np.uint8)
    d = np.frombuffer(np.float16(0.002).tobytes(), dtype=np.uint8)
    if qt == T.Q4_K or qt == T.Q5_K:  # d, dmin first
        a[..., 0:2] = d
        a[..., 2:4] = d
    elif qt == T.Q6_K:  # d last
        a[..., ts - 2:ts] = d
    elif qt in (T.Q8_0, T.Q4_0, T.Q5_0):  # d first
        a[..., 0:2] = d
    elif qt == T.Q5_1:  # d, m first
        a[..., 0:2] = d
        a[..., 2:4] = d
    a = a.reshape(shape[:-2] + (nb * ts,))
    patterns[key] = a
    return a


def llama3_rope_factors(dim, base, factor, low=1.0, high=4.0, old_ctx=8192):
    """Per-frequency factors as convert_hf_to_gguf writes them for rope_type llama3."""
    low_wavelen, high_wavelen = old_ctx / low, old_ctx / high
    out = []
    for k in range(0, dim, 2):
        freq = 1.0 / base ** (k / dim)
        wavelen = 2 * math.pi / freq
        if wavelen < high_wavelen:
            out.append(1.0)
        elif wavelen > low_wavelen:
            out.append(factor)
        else:
            smooth = (old_ctx / wavelen - low) / (high - low)
            out.append(1.0 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


w = gguf.GGUFWriter(out, arch)
w.add_name(f'synthetic-{name}-{recipe}')
w.add_context_length(CTX)
w.add_embedding_length(E)
w.add_block_count(L)
w.add_feed_forward_length(F)
w.add_head_count(H)
w.add_head_count_kv(HKV)
w.add_key_length(HD)
w.add_value_length(HD)
w.add_rope_freq_base(ROPE)
w.add_layer_norm_rms_eps(EPS)
w.add_rope_dimension_count(HD)
w.add_file_type(FILE_TYPE[recipe])
if name in SWA:
    w.add_sliding_window(SWA[name])
if MOE:
    ne, nu, ff = MOE
    w.add_expert_count(ne)
    w.add_expert_used_count(nu)
    w.add_expert_feed_forward_length(ff)

# the real tokenizer, copied from llama.cpp's vocab-only file
r = gguf.GGUFReader(vocab_path)
V = None
CUT = VOCAB_SIZE.get(name)
kept = None
if CUT and CUT < len(r.fields['tokenizer.ggml.tokens'].contents()):
    kept = set(r.fields['tokenizer.ggml.tokens'].contents()[:CUT])
else:
    CUT = None
for f in r.fields.values():
    if not f.name.startswith('tokenizer.'):
        continue
    vt = f.types[0]
    val = f.contents()
    if vt == gguf.GGUFValueType.ARRAY:
        if CUT and f.name == 'tokenizer.ggml.merges':  # only merges of kept tokens into a kept one
            val = [m for m in val if (p := m.split(' ', 1)) and len(p) == 2
                   and p[0] in kept and p[1] in kept and p[0] + p[1] in kept]
        elif CUT:
            val = val[:CUT]
        pad = VOCAB_SIZE.get(name, 0) - len(val) if f.name != 'tokenizer.ggml.merges' else 0
        if pad > 0:  # [PAD] tokens of type USER_DEFINED (4), as convert_hf_to_gguf adds them
            start = len(val)
            if f.name == 'tokenizer.ggml.tokens':
                val = val + [f'[PAD{start + k}]' for k in range(pad)]
            elif f.name == 'tokenizer.ggml.token_type':
                val = val + [4] * pad
            elif f.name == 'tokenizer.ggml.scores':
                val = val + [-1000.0] * pad
        w.add_key_value(f.name, val, vt, sub_type=f.types[-1])
        if f.name == 'tokenizer.ggml.tokens':
            V = len(val)
    else:
        w.add_key_value(f.name, val, vt)
w.add_vocab_size(V)

ones = {}


def norm(n, size):
    if size not in ones:
        ones[size] = np.ones(size, dtype=np.float32)
    w.add_tensor(n, ones[size])


def q(n, rows, cols, qt, experts=None):
    qt = fallback(qt, cols)
    if qt == T.F16:
        w.add_tensor(n, quant_rows(rows, cols, qt, experts))
    else:
        w.add_tensor(n, quant_rows(rows, cols, qt, experts), raw_dtype=qt)


q('token_embd.weight', V, E, qtype('token_embd'))
if ROPE_FACTOR:
    w.add_tensor('rope_freqs.weight', llama3_rope_factors(HD, ROPE, ROPE_FACTOR))
for i in range(L):
    b = f'blk.{i}.'
    norm(b + 'attn_norm.weight', E)
    q(b + 'attn_q.weight', H * HD, E, qtype('attn_q', i))
    q(b + 'attn_k.weight', HKV * HD, E, qtype('attn_k', i))
    q(b + 'attn_v.weight', HKV * HD, E, qtype('attn_v', i))
    q(b + 'attn_output.weight', E, H * HD, qtype('attn_output', i))
    norm(b + 'ffn_norm.weight', E)
    if arch == 'gemma3':
        norm(b + 'post_attention_norm.weight', E)
        norm(b + 'post_ffw_norm.weight', E)
        norm(b + 'attn_q_norm.weight', HD)
        norm(b + 'attn_k_norm.weight', HD)
    if arch == 'qwen2':
        norm(b + 'attn_q.bias', H * HD)
        norm(b + 'attn_k.bias', HKV * HD)
        norm(b + 'attn_v.bias', HKV * HD)
    if arch == 'qwen3':
        norm(b + 'attn_q_norm.weight', HD)
        norm(b + 'attn_k_norm.weight', HD)
    if arch == 'qwen3moe':
        norm(b + 'attn_q_norm.weight', HD)
        norm(b + 'attn_k_norm.weight', HD)
        ne, nu, ff = MOE
        if 'router' not in patterns:
            patterns['router'] = (rng.standard_normal((ne, E)) * 0.05).astype(np.float32)
        w.add_tensor(b + 'ffn_gate_inp.weight', patterns['router'])
        q(b + 'ffn_gate_exps.weight', ff, E, qtype('ffn_gate', i), ne)
        q(b + 'ffn_up_exps.weight', ff, E, qtype('ffn_up', i), ne)
        q(b + 'ffn_down_exps.weight', E, ff, qtype('ffn_down', i), ne)
    else:
        q(b + 'ffn_gate.weight', F, E, qtype('ffn_gate', i))
        q(b + 'ffn_up.weight', F, E, qtype('ffn_up', i))
        q(b + 'ffn_down.weight', E, F, qtype('ffn_down', i))
norm('output_norm.weight', E)
if not TIED:
    q('output.weight', V, E, qtype('output'))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file(progress=False)
w.close()
print('wrote', out)
