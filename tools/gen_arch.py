#!/usr/bin/env python3
"""Writes small F16 GGUFs of the 2026 architectures fitcheck models (Nemotron 3's nemotron_h_moe,
DeepSeek V3.2's deepseek32, GLM-5's glm-dsa, LFM2's lfm2moe, Gemma 4 E2B/E4B's gemma4, MiniMax
M3's minimax-m3, DeepSeek V4's deepseek4, Kimi K3's kimi-k3) so a CPU llama.cpp build can load them and print its buffer sizes. Each keeps
the real model's cache-shaping widths (KV heads and head dims, MLA latent and RoPE dims, indexer
key dim, Mamba-2 and short-conv state dims, DeepSeek V4's 512-wide K head, window and
compression ratios) and shrinks what only sizes weights (hidden width,
layer count, expert count), so the KV and recurrent-state buffers per layer are the real
model's. llama.cpp refuses a file whose tensor list differs from the one it builds for the
architecture (missing or extra tensors), so a file that loads also checks the tensor table;
tests/data/arch_2026_buffers.csv keeps each run's figures.

Usage: gen_arch.py NAME OUT.gguf VOCAB.gguf      (NAME: one of ARCHS below)
Tensor layouts: llama.cpp src/models/{nemotron-h,deepseek32,glm-dsa,lfm2moe,gemma4,minimax-m3,
deepseek4,kimi-k3}.cpp
(b11312).
Needs gguf-py (llama.cpp's gguf-py on PYTHONPATH) and numpy."""
import sys

import gguf
import numpy as np

# Widths from each model's config.json (see the catalog entries' sources); `hidden`, layers and
# experts are reduced.
ARCHS = {
    # Nemotron 3 Nano 30B-A3B: Mamba-2 64 heads x 64, state 128, 8 groups; 2 KV heads of 128.
    'nemotron3_nano_4l': dict(arch='nemotron_h_moe', pattern='ME*E', hidden=512, heads=32,
                              kv_heads=2, head_dim=128, mamba_heads=64, mamba_head_dim=64,
                              state=128, groups=8, conv=4, experts=4, used=2, expert_ffn=256,
                              shared_ffn=512, latent=0),
    # Nemotron 3 Super 120B-A12B: Mamba-2 128 heads x 64; LatentMoE (latent 1024 in the real model).
    'nemotron3_super_4l': dict(arch='nemotron_h_moe', pattern='ME*E', hidden=512, heads=32,
                               kv_heads=2, head_dim=128, mamba_heads=128, mamba_head_dim=64,
                               state=128, groups=8, conv=4, experts=4, used=2, expert_ffn=256,
                               shared_ffn=512, latent=128),
    # DeepSeek V3.2: MLA 512 + 64 RoPE, 128 heads x (128 nope + 64 rope), V 128; indexer 64 x 128.
    'deepseek32_2l': dict(arch='deepseek32', layers=2, dense=1, hidden=512, heads=128,
                          q_lora=1536, kv_lora=512, rope=64, nope=128, v=128, ffn=1024,
                          experts=4, used=2, expert_ffn=256, shared=1, idx_heads=64, idx_dim=128),
    # GLM-5: MLA 512 + 64, 64 heads x (192 nope + 64 rope), V 256, q_lora 2048; indexer 32 x 128.
    'glm5_2l': dict(arch='glm-dsa', layers=2, dense=1, hidden=512, heads=64, q_lora=2048,
                    kv_lora=512, rope=64, nope=192, v=256, ffn=1024, experts=4, used=2,
                    expert_ffn=256, shared=1, idx_heads=32, idx_dim=128),
    # LFM2-8B-A1B: short conv L_cache 3, 8 KV heads x 64 on its attention layers; 2 dense layers.
    # The conv state scales with the hidden width (512 here), the query width must equal it.
    'lfm2moe_4l': dict(arch='lfm2moe', layers=4, attention_at=[2], dense=2, hidden=512,
                       heads=8, kv_heads=8, head_dim=64, l_cache=3, ffn=1024, experts=4, used=2,
                       expert_ffn=256),
    # Gemma 4 E2B: 1 KV head of 256 on sliding layers (window 512), 512 on the full ones (every
    # 5th); the last layers reuse earlier caches; KV-shared layers have a double-wide FFN.
    'gemma4_e2b_10l': dict(arch='gemma4', layers=10, period=5, shared=5, hidden=512, heads=8,
                           kv_heads=1, head_dim=256, global_head_dim=512, window=512, ffn=256,
                           ple=64, double_wide=True),
    # Gemma 4 E4B: 2 KV heads, every 6th layer full, no double-wide FFN.
    'gemma4_e4b_12l': dict(arch='gemma4', layers=12, period=6, shared=6, hidden=512, heads=8,
                           kv_heads=2, head_dim=256, global_head_dim=512, window=512, ffn=256,
                           ple=64, double_wide=False),
    # MiniMax M3: 4 KV heads x 128 (partial RoPE 64); MSA indexer 4 heads x 128 on the MoE layers
    # only (3 leading dense layers attend fully); 1 shared expert.
    'minimax_m3_4l': dict(arch='minimax-m3', layers=4, dense=2, hidden=512, heads=64, kv_heads=4,
                          head_dim=128, rope=64, ffn=1024, experts=4, used=2, expert_ffn=256,
                          shared=1, idx_heads=4, idx_dim=128),
    # DeepSeek V4 Flash, layers 1-4 of its compress_ratios (0, 4, 128, 4): one K-only 512-wide
    # head over a 128-token window, compressed K on the ratio-4/128 layers, indexer keys of 128 on
    # the ratio-4 ones; 4 hyper-connection streams; the first 3 layers hash-routed.
    'deepseek4_4l': dict(arch='deepseek4', ratios=[0, 4, 128, 4], mtp=0, hidden=512, heads=16,
                         head_dim=512, rope=64, q_lora=256, o_groups=8, o_lora=128, window=128,
                         hc=4, hash_layers=3, experts=4, used=2, expert_ffn=256, shared=1,
                         idx_heads=64, idx_dim=128),
    # The same with Flash's one MTP block behind them (nextn_predict_layers 1, ratio 0).
    'deepseek4_4l_mtp': dict(arch='deepseek4', ratios=[0, 4, 128, 4], mtp=1, hidden=512,
                             heads=16, head_dim=512, rope=64, q_lora=256, o_groups=8, o_lora=128,
                             window=128, hc=4, hash_layers=3, experts=4, used=2, expert_ffn=256,
                             shared=1, idx_heads=64, idx_dim=128),
    # Kimi K3: KDA on 96 heads x 128 (conv kernel 4), MLA latent 512 + 64 with 96 heads x
    # (128 nope + 64 rope), V 128, output gate; K3's layers 1-4 (KDA, KDA, KDA, MLA), the first
    # with the dense FFN; LatentMoE with 2 shared experts; attention residuals every 2 layers
    # (12 in the real model) so two blocks are banked.
    'kimi_k3_4l': dict(arch='kimi-k3', mla_at=[3], dense=1, hidden=512, heads=96, kda_dim=128,
                       conv=4, q_lora=256, kv_lora=512, rope=64, nope=128, v=128, ffn=1024,
                       experts=4, used=2, expert_ffn=256, shared=2, latent=256, res_block=2),
}

name, out, vocab_path = sys.argv[1], sys.argv[2], sys.argv[3]
A = ARCHS[name]
arch = A['arch']
w = gguf.GGUFWriter(out, arch)
w.add_name(f'synthetic-{name}')
w.add_file_type(1)  # LLAMA_FTYPE_MOSTLY_F16
w.add_context_length(262144)
w.add_embedding_length(A['hidden'])
w.add_layer_norm_rms_eps(1e-5)

r = gguf.GGUFReader(vocab_path)
V = None
for f in r.fields.values():
    if not f.name.startswith('tokenizer.'):
        continue
    vt = f.types[0]
    val = f.contents()
    if vt == gguf.GGUFValueType.ARRAY:
        w.add_key_value(f.name, val, vt, sub_type=f.types[-1])
        if f.name == 'tokenizer.ggml.tokens':
            V = len(val)
    else:
        w.add_key_value(f.name, val, vt)
w.add_vocab_size(V)

rng = np.random.default_rng(0)
cache = {}


# Small tensors llama-quantize keeps F32 and the CPU ops want in F32.
F32_TENSORS = ('ssm_a', 'ssm_d', 'ssm_norm', 'ssm_conv1d', 'shortconv.conv', 'ffn_gate_inp')


def t(n, *ne):
    """A tensor of llama.cpp shape ne (ne[0] first): F32 for 1-D and SSM scalars, else F16."""
    shape = tuple(reversed(ne))
    small = len(ne) == 1 or any(k in n for k in F32_TENSORS)
    dt = np.float32 if small else np.float16
    key = (shape, dt)
    if key not in cache:
        cache[key] = (rng.standard_normal(shape) * 0.02).astype(dt)
    w.add_tensor(n, cache[key])


def expert_ids(n, used, vocab, experts):
    """DeepSeek V4's hash-routing table (I32 token -> expert ids): valid, distinct ids."""
    ids = (np.arange(vocab * used, dtype=np.int32).reshape(vocab, used)) % experts
    w.add_tensor(n, ids)


E = A['hidden']


def routed_expert_keys(gating, shared=True, scale=None):
    """The routed experts' widths and gating; `scale`: the weights' scale, normalised."""
    w.add_expert_count(A['experts'])
    w.add_expert_used_count(A['used'])
    w.add_expert_feed_forward_length(A['expert_ffn'])
    if shared:
        w.add_expert_shared_count(A['shared'])
    if scale is not None:
        w.add_expert_weights_scale(scale)
        w.add_expert_weights_norm(True)
    w.add_expert_gating_func(gating)


def moe_and_indexer_keys(top_k):
    """DeepSeek-style MoE (leading dense layers, sigmoid-gated experts, shared experts) and the
    sparse-attention indexer's widths, as deepseek32, glm-dsa and minimax-m3 read them."""
    w.add_feed_forward_length(A['ffn'])
    w.add_leading_dense_block_count(A['dense'])
    routed_expert_keys(gguf.ExpertGatingFuncType.SIGMOID)
    w.add_uint32(f'{arch}.attention.indexer.head_count', A['idx_heads'])
    w.add_uint32(f'{arch}.attention.indexer.key_length', A['idx_dim'])
    w.add_uint32(f'{arch}.attention.indexer.top_k', top_k)


def dense_or_moe_ffn(b, i):
    """Layer i's FFN: dense in the leading layers, routed + shared experts after; True if MoE."""
    if i < A['dense']:
        t(b + 'ffn_gate.weight', E, A['ffn'])
        t(b + 'ffn_down.weight', A['ffn'], E)
        t(b + 'ffn_up.weight', E, A['ffn'])
        return False
    F, X, sff = A['expert_ffn'], A['experts'], A['expert_ffn'] * A['shared']
    W = A.get('latent') or E  # Kimi K3's routed experts work in a narrower latent
    t(b + 'ffn_gate_inp.weight', E, X)
    t(b + 'exp_probs_b.bias', X)
    t(b + 'ffn_gate_exps.weight', W, F, X)
    t(b + 'ffn_down_exps.weight', F, W, X)
    t(b + 'ffn_up_exps.weight', W, F, X)
    if W != E:
        t(b + 'ffn_routed_down.weight', E, W)
        t(b + 'ffn_routed_up.weight', W, E)
        t(b + 'ffn_routed_norm.weight', W)
    t(b + 'ffn_gate_shexp.weight', E, sff)
    t(b + 'ffn_down_shexp.weight', sff, E)
    t(b + 'ffn_up_shexp.weight', E, sff)
    return True


def mla_keys(head_count_kv):
    """MLA's latent cache widths (DeepSeek-style: K = latent + RoPE part, V a view of it)."""
    w.add_head_count_kv(head_count_kv)
    w.add_key_length(A['kv_lora'] + A['rope'])
    w.add_value_length(A['kv_lora'])
    w.add_uint32(f'{arch}.attention.key_length_mla', A['nope'] + A['rope'])
    w.add_uint32(f'{arch}.attention.value_length_mla', A['v'])
    w.add_rope_dimension_count(A['rope'])
    w.add_q_lora_rank(A['q_lora'])
    w.add_kv_lora_rank(A['kv_lora'])


def mla_tensors(b, H):
    """An MLA layer's projections up to (not including) its output projection."""
    t(b + 'attn_q_a_norm.weight', A['q_lora'])
    t(b + 'attn_kv_a_norm.weight', A['kv_lora'])
    t(b + 'attn_q_a.weight', E, A['q_lora'])
    t(b + 'attn_q_b.weight', A['q_lora'], H * (A['nope'] + A['rope']))
    t(b + 'attn_kv_a_mqa.weight', E, A['kv_lora'] + A['rope'])
    t(b + 'attn_k_b.weight', A['nope'], A['kv_lora'], H)
    t(b + 'attn_v_b.weight', A['kv_lora'], A['v'], H)


t('token_embd.weight', E, V)
if arch != 'gemma4':  # Gemma 4 ties its output to the embedding
    t('output.weight', E, V)

if arch == 'nemotron_h_moe':
    P = A['pattern']
    L = len(P)
    d_inner = A['mamba_heads'] * A['mamba_head_dim']
    gs = A['groups'] * A['state']
    w.add_block_count(L)
    w.add_head_count(A['heads'])
    w.add_head_count_kv([A['kv_heads'] if c == '*' else 0 for c in P])
    w.add_key_length(A['head_dim'])
    w.add_value_length(A['head_dim'])
    w.add_feed_forward_length([A['expert_ffn'] if c == 'E' else 0 for c in P])
    w.add_ssm_conv_kernel(A['conv'])
    w.add_ssm_inner_size(d_inner)
    w.add_ssm_state_size(A['state'])
    w.add_ssm_time_step_rank(A['mamba_heads'])
    w.add_ssm_group_count(A['groups'])
    w.add_layer_norm_eps(1e-5)
    w.add_expert_count(A['experts'])
    w.add_expert_used_count(A['used'])
    w.add_expert_feed_forward_length(A['expert_ffn'])
    w.add_expert_shared_feed_forward_length(A['shared_ffn'])
    w.add_expert_shared_count(1)
    if A['latent']:
        w.add_uint32(f'{arch}.moe_latent_size', A['latent'])
    X = A['latent'] or E
    t('output_norm.weight', E)
    for i, c in enumerate(P):
        b = f'blk.{i}.'
        t(b + 'attn_norm.weight', E)
        if c == 'M':
            t(b + 'ssm_in.weight', E, 2 * d_inner + 2 * gs + A['mamba_heads'])
            t(b + 'ssm_conv1d.weight', A['conv'], d_inner + 2 * gs)
            t(b + 'ssm_conv1d.bias', d_inner + 2 * gs)
            t(b + 'ssm_dt.bias', A['mamba_heads'])
            t(b + 'ssm_a', 1, A['mamba_heads'])
            t(b + 'ssm_d', 1, A['mamba_heads'])
            t(b + 'ssm_norm.weight', d_inner // A['groups'], A['groups'])
            t(b + 'ssm_out.weight', d_inner, E)
        elif c == '*':
            t(b + 'attn_q.weight', E, A['heads'] * A['head_dim'])
            t(b + 'attn_k.weight', E, A['kv_heads'] * A['head_dim'])
            t(b + 'attn_v.weight', E, A['kv_heads'] * A['head_dim'])
            t(b + 'attn_output.weight', A['heads'] * A['head_dim'], E)
        else:
            t(b + 'ffn_gate_inp.weight', E, A['experts'])
            t(b + 'exp_probs_b.bias', A['experts'])
            if A['latent']:
                t(b + 'ffn_latent_down.weight', E, X)
                t(b + 'ffn_latent_up.weight', X, E)
            t(b + 'ffn_up_exps.weight', X, A['expert_ffn'], A['experts'])
            t(b + 'ffn_down_exps.weight', A['expert_ffn'], X, A['experts'])
            t(b + 'ffn_up_shexp.weight', E, A['shared_ffn'])
            t(b + 'ffn_down_shexp.weight', A['shared_ffn'], E)
elif arch in ('deepseek32', 'glm-dsa'):
    L, H = A['layers'], A['heads']
    w.add_block_count(L)
    w.add_head_count(H)
    mla_keys(1)
    moe_and_indexer_keys(2048)
    t('output_norm.weight', E)
    for i in range(L):
        b = f'blk.{i}.'
        t(b + 'attn_norm.weight', E)
        mla_tensors(b, H)
        t(b + 'attn_output.weight', H * A['v'], E)
        t(b + 'ffn_norm.weight', E)
        t(b + 'indexer.k_norm.weight', A['idx_dim'])
        t(b + 'indexer.k_norm.bias', A['idx_dim'])
        t(b + 'indexer.proj.weight', E, A['idx_heads'])
        t(b + 'indexer.attn_k.weight', E, A['idx_dim'])
        t(b + 'indexer.attn_q_b.weight', A['q_lora'], A['idx_heads'] * A['idx_dim'])
        dense_or_moe_ffn(b, i)
elif arch == 'minimax-m3':
    L, H, HD = A['layers'], A['heads'], A['head_dim']
    w.add_block_count(L)
    w.add_head_count(H)
    w.add_head_count_kv(A['kv_heads'])
    w.add_key_length(HD)
    w.add_value_length(HD)
    w.add_rope_dimension_count(A['rope'])
    moe_and_indexer_keys(16)
    w.add_uint32(f'{arch}.attention.indexer.block_size', 128)
    w.add_uint32(f'{arch}.attention.indexer.local_blocks', 1)
    t('output_norm.weight', E)
    for i in range(L):
        b = f'blk.{i}.'
        t(b + 'attn_norm.weight', E)
        t(b + 'attn_q.weight', E, H * HD)
        t(b + 'attn_k.weight', E, A['kv_heads'] * HD)
        t(b + 'attn_v.weight', E, A['kv_heads'] * HD)
        t(b + 'attn_output.weight', H * HD, E)
        t(b + 'attn_q_norm.weight', HD)
        t(b + 'attn_k_norm.weight', HD)
        t(b + 'ffn_norm.weight', E)
        if dense_or_moe_ffn(b, i):
            t(b + 'indexer.q_proj.weight', E, A['idx_heads'] * A['idx_dim'])
            t(b + 'indexer.k_proj.weight', E, A['idx_dim'])
            t(b + 'indexer.q_norm.weight', A['idx_dim'])
            t(b + 'indexer.k_norm.weight', A['idx_dim'])
elif arch == 'lfm2moe':
    L, HD = A['layers'], A['head_dim']
    w.add_block_count(L)
    w.add_head_count(A['heads'])
    w.add_head_count_kv([A['kv_heads'] if i in A['attention_at'] else 0 for i in range(L)])
    w.add_feed_forward_length(A['ffn'])
    w.add_uint32(f'{arch}.shortconv.l_cache', A['l_cache'])
    w.add_leading_dense_block_count(A['dense'])
    routed_expert_keys(gguf.ExpertGatingFuncType.SIGMOID, shared=False)
    w.add_rope_dimension_count(HD)
    t('token_embd_norm.weight', E)
    for i in range(L):
        b = f'blk.{i}.'
        t(b + 'ffn_norm.weight', E)
        if i >= A['dense']:
            t(b + 'ffn_gate_inp.weight', E, A['experts'])
            t(b + 'ffn_gate_exps.weight', E, A['expert_ffn'], A['experts'])
            t(b + 'ffn_down_exps.weight', A['expert_ffn'], E, A['experts'])
            t(b + 'ffn_up_exps.weight', E, A['expert_ffn'], A['experts'])
            t(b + 'exp_probs_b.bias', A['experts'])
        else:
            t(b + 'ffn_gate.weight', E, A['ffn'])
            t(b + 'ffn_down.weight', A['ffn'], E)
            t(b + 'ffn_up.weight', E, A['ffn'])
        t(b + 'attn_norm.weight', E)
        if i in A['attention_at']:
            t(b + 'attn_q_norm.weight', HD)
            t(b + 'attn_k_norm.weight', HD)
            t(b + 'attn_q.weight', E, E)
            t(b + 'attn_k.weight', E, A['kv_heads'] * HD)
            t(b + 'attn_v.weight', E, A['kv_heads'] * HD)
            t(b + 'attn_output.weight', E, E)
        else:
            t(b + 'shortconv.conv.weight', A['l_cache'], E)
            t(b + 'shortconv.in_proj.weight', E, 3 * E)
            t(b + 'shortconv.out_proj.weight', E, E)

elif arch == 'gemma4':
    L, H, PLE = A['layers'], A['heads'], A['ple']
    swa = [(i + 1) % A['period'] != 0 for i in range(L)]
    first_shared = L - A['shared']
    ffn = [A['ffn'] * (2 if A['double_wide'] and i >= first_shared else 1) for i in range(L)]
    w.add_block_count(L)
    w.add_head_count(H)
    w.add_head_count_kv(A['kv_heads'])
    w.add_key_length(A['global_head_dim'])
    w.add_value_length(A['global_head_dim'])
    w.add_uint32(f'{arch}.attention.key_length_swa', A['head_dim'])
    w.add_uint32(f'{arch}.attention.value_length_swa', A['head_dim'])
    w.add_rope_dimension_count(A['global_head_dim'])
    w.add_uint32(f'{arch}.rope.dimension_count_swa', A['head_dim'])
    w.add_sliding_window(A['window'])
    w.add_array(f'{arch}.attention.sliding_window_pattern', swa)
    w.add_uint32(f'{arch}.attention.shared_kv_layers', A['shared'])
    w.add_uint32(f'{arch}.embedding_length_per_layer_input', PLE)
    w.add_feed_forward_length(ffn)
    t('per_layer_token_embd.weight', PLE * L, V)
    t('per_layer_model_proj.weight', E, PLE * L)
    t('per_layer_proj_norm.weight', PLE)
    t('output_norm.weight', E)
    rope_done = False
    for i in range(L):
        b = f'blk.{i}.'
        hd = A['head_dim'] if swa[i] else A['global_head_dim']
        # Shared layers keep their (unused) K/V tensors, as GGUFs converted from Google's own
        # checkpoints do (llama.cpp#21739 made them optional for later re-saves).
        t(b + 'attn_norm.weight', E)
        t(b + 'attn_q.weight', E, hd * H)
        t(b + 'attn_k.weight', E, A['kv_heads'] * hd)
        t(b + 'attn_v.weight', E, A['kv_heads'] * hd)
        t(b + 'attn_k_norm.weight', hd)
        t(b + 'attn_output.weight', hd * H, E)
        t(b + 'attn_q_norm.weight', hd)
        t(b + 'post_attention_norm.weight', E)
        if not swa[i] and not rope_done:
            t('rope_freqs.weight', hd // 2)
            rope_done = True
        t(b + 'ffn_norm.weight', E)
        t(b + 'ffn_gate.weight', E, ffn[i])
        t(b + 'ffn_up.weight', E, ffn[i])
        t(b + 'ffn_down.weight', ffn[i], E)
        t(b + 'post_ffw_norm.weight', E)
        t(b + 'inp_gate.weight', E, PLE)
        t(b + 'proj.weight', PLE, E)
        t(b + 'post_norm.weight', E)

elif arch == 'deepseek4':
    R, H, HD, Q, G, OR, HC = (A['ratios'], A['heads'], A['head_dim'], A['q_lora'], A['o_groups'],
                              A['o_lora'], A['hc'])
    L = len(R) + A['mtp']
    ratios = R + [0] * A['mtp']
    mix = (2 + HC) * HC
    ID = A['idx_dim']
    w.add_block_count(L)
    if A['mtp']:
        w.add_uint32(f'{arch}.nextn_predict_layers', A['mtp'])
    w.add_head_count(H)
    w.add_head_count_kv(1)
    w.add_key_length(HD)
    w.add_value_length(HD)
    w.add_rope_dimension_count(A['rope'])
    w.add_q_lora_rank(Q)
    w.add_sliding_window(A['window'])
    routed_expert_keys(gguf.ExpertGatingFuncType.SQRTSOFTPLUS, scale=1.5)
    w.add_float32(f'{arch}.swiglu_clamp_exp', 10.0)
    w.add_uint32(f'{arch}.attention.indexer.head_count', A['idx_heads'])
    w.add_uint32(f'{arch}.attention.indexer.key_length', ID)
    w.add_uint32(f'{arch}.attention.indexer.top_k', 512)
    w.add_uint32(f'{arch}.attention.output_group_count', G)
    w.add_uint32(f'{arch}.attention.output_lora_rank', OR)
    w.add_float32(f'{arch}.attention.compress_rope_freq_base', 160000.0)
    w.add_array(f'{arch}.attention.compress_ratios', ratios)
    w.add_uint32(f'{arch}.hyper_connection.count', HC)
    w.add_uint32(f'{arch}.hyper_connection.sinkhorn_iterations', 20)
    w.add_float32(f'{arch}.hyper_connection.epsilon', 1e-6)
    w.add_uint32(f'{arch}.hash_layer_count', A['hash_layers'])
    t('output_norm.weight', E)
    t('output_hc_fn.weight', HC * E, HC)
    t('output_hc_base.weight', HC)
    t('output_hc_scale.weight', 1)
    F, X = A['expert_ffn'], A['experts']
    for i in range(L):
        b = f'blk.{i}.'
        t(b + 'attn_norm.weight', E)
        t(b + 'attn_sinks.weight', H)
        t(b + 'attn_q_a.weight', E, Q)
        t(b + 'attn_q_a_norm.weight', Q)
        t(b + 'attn_q_b.weight', Q, H * HD)
        t(b + 'attn_kv.weight', E, HD)
        t(b + 'attn_kv_a_norm.weight', HD)
        t(b + 'attn_output_a.weight', H * HD // G, OR * G)
        t(b + 'attn_output_b.weight', G * OR, E)
        for part in ('attn', 'ffn'):
            t(b + f'hc_{part}_fn.weight', HC * E, mix)
            t(b + f'hc_{part}_base.weight', mix)
            t(b + f'hc_{part}_scale.weight', 3)
        ratio = ratios[i]
        if ratio:
            coff = 2 if ratio == 4 else 1
            t(b + 'attn_compressor_kv.weight', E, coff * HD)
            t(b + 'attn_compressor_gate.weight', E, coff * HD)
            t(b + 'attn_compressor_ape.weight', coff * HD, ratio)
            t(b + 'attn_compressor_norm.weight', HD)
        if ratio == 4:
            t(b + 'indexer.proj.weight', E, A['idx_heads'])
            t(b + 'indexer.attn_q_b.weight', Q, A['idx_heads'] * ID)
            t(b + 'indexer_compressor_kv.weight', E, 2 * ID)
            t(b + 'indexer_compressor_gate.weight', E, 2 * ID)
            t(b + 'indexer_compressor_ape.weight', 2 * ID, ratio)
            t(b + 'indexer_compressor_norm.weight', ID)
        t(b + 'ffn_gate_inp.weight', E, X)
        if i < A['hash_layers']:
            expert_ids(b + 'ffn_gate_tid2eid.weight', A['used'], V, X)
        else:
            t(b + 'exp_probs_b.bias', X)
        t(b + 'ffn_norm.weight', E)
        t(b + 'ffn_gate_exps.weight', E, F, X)
        t(b + 'ffn_down_exps.weight', F, E, X)
        t(b + 'ffn_up_exps.weight', E, F, X)
        sff = F * A['shared']
        t(b + 'ffn_gate_shexp.weight', E, sff)
        t(b + 'ffn_down_shexp.weight', sff, E)
        t(b + 'ffn_up_shexp.weight', E, sff)
        if i >= len(R):
            t(b + 'nextn.eh_proj.weight', 2 * E, E)
            t(b + 'nextn.enorm.weight', E)
            t(b + 'nextn.hnorm.weight', E)

elif arch == 'kimi-k3':
    H, HD, M = A['heads'], A['kda_dim'], A['mla_at']
    L, DI = 4, A['heads'] * A['kda_dim']
    w.add_block_count(L)
    w.add_head_count(H)
    mla_keys([1 if i in M else 0 for i in range(L)])  # 0 KV heads mark a KDA layer
    w.add_ssm_conv_kernel(A['conv'])
    w.add_uint32(f'{arch}.kda.head_dim', HD)
    w.add_float32(f'{arch}.kda.gate_lower_bound', -5.0)
    w.add_feed_forward_length(A['ffn'])
    w.add_leading_dense_block_count(A['dense'])
    routed_expert_keys(gguf.ExpertGatingFuncType.SIGMOID, scale=1.0)
    w.add_uint32(f'{arch}.expert_latent_length', A['latent'])
    w.add_uint32(f'{arch}.attn_res.block_size', A['res_block'])
    w.add_float32(f'{arch}.activation.situ_beta', 4.0)
    w.add_float32(f'{arch}.activation.situ_linear_beta', 25.0)
    t('output_norm.weight', E)
    t('output_res_score.weight', E)
    for i in range(L):
        b = f'blk.{i}.'
        for n in ('attn_norm', 'ffn_norm', 'attn_res_score', 'ffn_res_score'):
            t(b + n + '.weight', E)
        if i in M:
            mla_tensors(b, H)
            t(b + 'attn_gate.weight', E, H * A['v'])
            t(b + 'attn_output.weight', H * A['v'], E)
        else:
            for part in 'qkv':
                t(b + f'ssm_conv1d_{part}.weight', A['conv'], 1, DI)
                t(b + f'attn_{part}.weight', E, DI)
            t(b + 'ssm_f_a.weight', E, HD)
            t(b + 'ssm_f_b.weight', HD, DI)
            t(b + 'ssm_beta.weight', E, H)
            t(b + 'ssm_a', H)
            t(b + 'ssm_dt.bias', DI)
            t(b + 'ssm_g.weight', E, DI)
            t(b + 'ssm_norm.weight', HD)
            t(b + 'attn_output.weight', DI, E)
        dense_or_moe_ffn(b, i)

w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file(progress=False)
w.close()
print('wrote', out)
