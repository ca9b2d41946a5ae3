#!/usr/bin/env python3
"""Hand transcription of public 2025-2026 speed measurements into
tests/data/public_speed_2025_2026.csv (columns of ground_truth_speed.csv). Each block below is one
source: its URL, date, build and device as the source states them, then the rows as
(model, params_b, active_params_b, quant, size_gib, test, tokens/s, stddev). Nothing here is
estimated; a blank field means the source does not say. Sources already in
ground_truth_speed.csv are not repeated. The llama-bench tables transcribed under
tools/public_tables/ are added by tools/bench_tables.py; duplicates are dropped and decode rows
above the bandwidth roofline flagged. Run: python3 tools/public_speed_rows.py"""
import csv
import os
import re

import bench_tables

COLS = ('source,source_ref,source_type,hardware,gpu_count,memory_bandwidth_gbps,bw_basis,backend,'
        'engine,build,model,params_b,active_params_b,quant,model_size_gib,test,n_prompt,n_gen,depth,'
        'n_ctx,flash_attn,metric,value,unit,stddev,quality_flag,notes').split(',')
MIB = 1 / 1024

SOURCES = []


def source(name, ref, stype, hw, bw, basis, backend, engine, build, date, rows, notes='', gpus=1,
           fa='', flag=''):
    SOURCES.append(dict(name=name, ref=ref, stype=stype, hw=hw, bw=bw, basis=basis, backend=backend,
                        engine=engine, build=build, date=date, rows=rows, notes=notes, gpus=gpus,
                        fa=fa, flag=flag))


TINYLLAMA = ('TinyLlama-1.1B (1T OpenOrca)', 1.10, 1.10, 'Q4_K_M', 636.18 * MIB)
LLAMA32_3B = ('Llama-3.2-3B-Instruct', 3.21, 3.21, 'Q4_K_M', 1.87)
QWEN25_14B = ('Qwen2.5-14B-Instruct', 14.77, 14.77, 'Q4_K_M', 8.37)


def m(model, *tests):
    """Rows for one model: tests are (test, value[, stddev])."""
    return [(model, t) for t in tests]


# geerlingguy/ai-benchmarks: llama-bench -ngl 99 -p 512,4096 -n 128 (Vulkan builds), one issue per card
source('geerlingguy/ai-benchmarks issue #43', 'https://github.com/geerlingguy/ai-benchmarks/issues/43 (comment 2025-12-09)',
       'primary (llama-bench table in issue comment)', 'NVIDIA GeForce RTX 4090', 1008, 'vendor spec',
       'Vulkan', 'llama.cpp llama-bench', '086a63e3a (7340)', '2025-12-09',
       m(TINYLLAMA, ('pp512', 10802.35, 9881.63), ('pp4096', 18709.17, 59.99), ('tg128', 762.37, 4.41))
       + m(LLAMA32_3B, ('pp512', 20323.29, 8.21)),
       notes='host Intel Core Ultra 265K, Ubuntu 25.10; ngl 99')
source('geerlingguy/ai-benchmarks issue #40', 'https://github.com/geerlingguy/ai-benchmarks/issues/40 (comment 2025-12-06)',
       'primary (llama-bench table in issue comment)', 'NVIDIA GeForce RTX 3060 12GB', 360, 'vendor spec',
       'Vulkan', 'llama.cpp llama-bench', '933414c0b (7293)', '2025-12-06',
       m(TINYLLAMA, ('pp512', 6744.18, 179.28), ('pp4096', 3981.80, 0.91), ('tg128', 279.05, 0.37)),
       notes='host Raspberry Pi CM5 16GB (PCIe), Pi OS Trixie; ngl 99',
       flag='unusual host: Raspberry Pi CM5 over PCIe')
source('geerlingguy/ai-benchmarks issue #46', 'https://github.com/geerlingguy/ai-benchmarks/issues/46 (comment 2025-12-18)',
       'primary (llama-bench table in issue comment)', 'NVIDIA GeForce RTX 2080 Ti', 616, 'vendor spec',
       'Vulkan', 'llama.cpp llama-bench', 'f9ec8858e (7474)', '2025-12-18',
       m(TINYLLAMA, ('pp512', 7094.19, 32.69), ('pp4096', 5393.59, 7.13), ('tg128', 424.32, 0.31))
       + m(LLAMA32_3B, ('pp512', 4418.37, 513.04)),
       notes='host Intel Core Ultra 265K, Ubuntu 25.10; ngl 99')
source('geerlingguy/ai-benchmarks issue #23', 'https://github.com/geerlingguy/ai-benchmarks/issues/23 (description 2025-09-22)',
       'primary (llama-bench table in issue)', 'AMD Radeon RX 7900 XT', 800, 'vendor spec',
       'Vulkan (RADV)', 'llama.cpp llama-bench', '1d0125bc (6552)', '2025-09-22',
       m(QWEN25_14B, ('pp512', 335.63, 0.78), ('pp4096', 67.23, 0.28), ('tg128', 7.16, 0.15)),
       notes='host Raspberry Pi 5 over a PCIe x1 link; ngl 99; -r 2; vk_driver=radv; vk_matrix=none',
       flag='unusual host: Raspberry Pi 5 PCIe x1')

LLAMA32_3B_OLLAMA = ('Llama-3.2-3B-Instruct (ollama llama3.2:3b)', 3.21, 3.21, 'Q4_K_M (Ollama default tag)', None)
LLAMA31_8B_OLLAMA = ('Llama-3.1-8B-Instruct (ollama llama3.1:8b)', 8.03, 8.03, 'Q4_K_M (Ollama default tag)', None)
LLAMA2_13B_OLLAMA = ('Llama-2-13B-chat (ollama llama2:13b)', 13.02, 13.02, 'Q4_0 (Ollama default tag)', None)
R1_14B_OLLAMA = ('DeepSeek-R1-Distill-Qwen-14B (ollama deepseek-r1:14b)', 14.77, 14.77, 'Q4_K_M (Ollama default tag)', None)
TINYLLAMA_OLLAMA = ('TinyLlama-1.1B-Chat (ollama tinyllama:1.1b)', 1.10, 1.10, 'Q4_0 (Ollama default tag)', None)
OBENCH = ('Ollama, eval rate of "ollama run --verbose" (geerlingguy/ollama-benchmark obench.sh, '
          'average of 3 runs)')

source('geerlingguy/ai-benchmarks issue #27', 'https://github.com/geerlingguy/ai-benchmarks/issues/27 (description 2025-10-10)',
       'primary (llama-bench table in issue)', 'Intel Arc Pro B50', 224, 'vendor spec',
       'Vulkan', 'llama.cpp llama-bench', '12bbc3fa (6715)', '2025-10-10',
       m(LLAMA32_3B, ('pp512', 489.15, 0.33)),
       notes='host Raspberry Pi 500+ (PCIe); ngl 99; -r 2', flag='unusual host: Raspberry Pi 500+ PCIe')
source('geerlingguy/ai-benchmarks issue #13', 'https://github.com/geerlingguy/ai-benchmarks/issues/13 (comment 2025-04-27, 9.0.0 SystemReady firmware)',
       'primary (Ollama eval rates in issue comment)', 'Radxa Orion O6 (CIX P1, 12-core Armv9 CPU)', '', '',
       'CPU (Ollama)', OBENCH, 'Ollama version not stated', '2025-04-27', gpus=0, rows=
       m(LLAMA32_3B_OLLAMA, ('tg', 16.49)) + m(LLAMA31_8B_OLLAMA, ('tg', 7.60)) + m(LLAMA2_13B_OLLAMA, ('tg', 4.17)),
       notes='board firmware 9.0.0 SystemReady; the 2025-01-31 run on older firmware gave 9.33 for llama3.2:3b')
source('geerlingguy/ai-benchmarks issue #33', 'https://github.com/geerlingguy/ai-benchmarks/issues/33 (description 2025-11-12)',
       'primary (Ollama eval rates in issue)', 'AMD Ryzen AI 5 340 (Framework 13)', '', '',
       'not stated (Ollama)', OBENCH, 'Ollama version not stated', '2025-11-12',
       m(LLAMA32_3B_OLLAMA, ('tg', 23.81)) + m(LLAMA31_8B_OLLAMA, ('tg', 10.46)) + m(R1_14B_OLLAMA, ('tg', 5.83)))
source('geerlingguy/ai-benchmarks issue #31', 'https://github.com/geerlingguy/ai-benchmarks/issues/31 (comment 2025-11-05)',
       'primary (Ollama eval rates in issue comment)', 'Intel Core 2 Quad Q8400 (Dell Optiplex 780)', '', '',
       'CPU (Ollama)', OBENCH, 'Ollama version not stated', '2025-11-05', gpus=0, rows=
       m(TINYLLAMA_OLLAMA, ('tg', 4.04)))

# jitesh.dev: Mac mini M4 (base chip), Qwen3.5 sizes on llama.cpp (llama-bench -p 512 -n 200 -r 3
# -ngl 99), mlx_lm and Ollama; the post gives one PP and one TG figure per cell
JITESH = 'https://www.jitesh.dev/blog/qwen35-apple-silicon-benchmark.html (2026-03-31)'
Q35 = {b: (f'Qwen3.5-{b}B', float(b), float(b)) for b in ('0.8', '2', '4', '9')}


def q35(b, quant):
    name, p, a = Q35[b]
    return (name, p, a, quant, None)


def jitesh(engine, backend, tests, build):
    src = 'jitesh.dev blog (Qwen3.5 on Mac mini M4)'
    source(src, JITESH, 'primary (author\'s benchmark table)', 'Apple M4 (base, Mac mini)', 120,
           'Apple spec', backend, engine, build, '2026-03-31',
           [r for (b, quant, pp, tg) in tests for r in m(q35(b, quant), (tests_pp[engine], pp), (tests_tg[engine], tg))],
           notes='post dated 2026-03-31; llama.cpp built from source with -DGGML_METAL=ON, -ngl 99')


tests_pp = {'llama.cpp llama-bench': 'pp512', 'mlx_lm.generate': 'pp', 'Ollama': 'pp'}
tests_tg = {'llama.cpp llama-bench': 'tg200', 'mlx_lm.generate': 'tg', 'Ollama': 'tg'}
jitesh('llama.cpp llama-bench', 'Metal', [('0.8', 'Q4_K_M', 2085, 103), ('0.8', 'Q8_0', 2174, 81),
                                          ('0.8', 'IQ2_XXS', 2166, 115), ('2', 'Q4_K_M', 978, 59),
                                          ('4', 'Q4_K_M', 385, 28), ('9', 'Q4_K_M', 214, 16)],
       'not stated (built from source, post dated 2026-03-31)')
jitesh('mlx_lm.generate', 'MLX', [('0.8', '4-bit MLX (row labelled Q4_K_M)', 553, 192),
                                  ('4', '4-bit MLX (row labelled Q4_K_M)', 112, 39),
                                  ('9', '4-bit MLX (row labelled Q4_K_M)', 22, 22)],
       'mlx-lm version not stated (post dated 2026-03-31)')
jitesh('Ollama', 'Metal (Ollama)', [('0.8', 'Q4_K_M', 611, 51), ('0.8', 'Q8_0', 870, 51),
                                    ('2', 'Q4_K_M', 258, 31), ('4', 'Q4_K_M', 133, 19), ('9', 'Q4_K_M', 114, 14)],
       'Ollama version not stated (post dated 2026-03-31)')

# MLX runtimes
source('magicnight/Mac-MLX issue #24', 'https://github.com/magicnight/Mac-MLX/issues/24 (description 2026-04-17)',
       'primary (auto-generated benchmark JSON in issue)', 'Apple M5 Max (128 GB)', 614,
       'Apple spec for the 40-core GPU M5 Max; core count not stated', 'MLX (Metal)',
       'mlx-swift-lm (Mac-MLX 0.3.5 app, 3 runs)', 'mlx-swift-lm 3.31.3', '2026-04-17',
       m(('Qwen3.5-35B-A3B', 35.0, 3.0, 'MLX 4-bit', None), ('pp1479', 2756.57), ('tg2023', 133.48)),
       notes='macOS 26.4.1; promptTokens 1479, completionTokens 2023', flag='GPU core count not stated')
source('ml-explore/mlx-lm PR #1569', 'https://github.com/ml-explore/mlx-lm/pull/1569 (description 2026-07-15)',
       'primary (mlx_lm.benchmark averages in PR)', 'Apple M3 Pro (18 GB, MacBook Pro 14)', 150,
       'Apple spec', 'MLX (Metal)', 'mlx_lm.benchmark -p 2048 -g 128 (5 trials)', 'mlx 0.32.0, mlx-lm 0.31.3',
       '2026-07-15', m(('Qwen3-4B-Instruct-2507', 4.02, 4.02, 'MLX 4-bit', None), ('pp2048', 615.28), ('tg128', 44.62)),
       notes='macOS Sonoma 14.4; peak memory 3.30 GB')
source('waybarrios/vllm-mlx issue #531', 'https://github.com/waybarrios/vllm-mlx/issues/531 (description 2026-05-13)',
       'primary (benchmark JSON in issue)', 'Apple M4 Pro (48 GB)', 273, 'as stated in the source (bandwidth_gbs 273)',
       'MLX (Metal)', 'vllm-mlx benchmark (5 runs, 256 generated tokens each)', 'vllm-mlx v0.3.0', '2026-05-13',
       m(('Qwen3-0.6B', 0.6, 0.6, 'MLX q8 (8-bit)', None), ('tg256', 284.22)),
       notes='Python 3.14.5, macOS Tahoe 26.4.1; prompts of about 11 tokens, so no prefill row')
source('raullenchai/Rapid-MLX PR #1065', 'https://github.com/raullenchai/Rapid-MLX/pull/1065 (description 2026-07-09)',
       'primary (community benchmark submission in PR)', 'Apple M2 Max (64 GB)', 400, 'Apple spec',
       'MLX (Metal)', 'rapid-mlx bench (median decode_tps, short bucket)', 'rapid-mlx 0.10.3, mlx 0.32.0', '2026-07-09',
       m(('Qwen3.6-35B-A3B', 35.0, 3.0, 'MLX 4-bit', None), ('tg', 79.75)),
       notes='greedy sampling; the long bucket gave 69.15')

GPT_OSS_20B = ('gpt-oss-20b', 20.91, 3.6, 'MXFP4', 11.27)
source('geerlingguy/ai-benchmarks PR #30', 'https://github.com/geerlingguy/ai-benchmarks/pull/30 (description 2025-10-21)',
       'primary (Ollama eval rates in PR)', 'Apple M1 Max (32 GB, MacBook Pro)', 400, 'Apple spec',
       'Metal (Ollama)', OBENCH, 'Ollama version not stated', '2025-10-21',
       m(LLAMA32_3B_OLLAMA, ('tg', 80.20)), notes='macOS 26.0.1')
source('lmstudio-ai/lmstudio-bug-tracker issue #574', 'https://github.com/lmstudio-ai/lmstudio-bug-tracker/issues/574 (comment by SimSonic, 2025-10-11)',
       'primary (LM Studio TPS table in issue comment)', 'AMD Radeon RX 9070 XT', 640, 'vendor spec',
       'Vulkan (LM Studio runtime)', 'LM Studio (mean TPS of 4 tries as listed)', 'LM Studio version not stated (beta ROCm runtime period)',
       '2025-10-11', m(GPT_OSS_20B, ('tg', 132.04)),
       notes='Ryzen 5700G host; 24/24 layers on GPU, ctx 8096, flash attention on, 4 experts; tries 132.75, 131.95, 130.80, 132.67')
source('lmstudio-ai/lmstudio-bug-tracker issue #574', 'https://github.com/lmstudio-ai/lmstudio-bug-tracker/issues/574 (comment by SimSonic, 2025-10-11)',
       'primary (LM Studio TPS table in issue comment)', 'AMD Radeon RX 9070 XT', 640, 'vendor spec',
       'ROCm (LM Studio beta runtime)', 'LM Studio (mean TPS of 4 tries as listed)', 'LM Studio version not stated (beta ROCm runtime)',
       '2025-10-11', m(GPT_OSS_20B, ('tg', 110.35)),
       notes='same machine and settings as the Vulkan row; tries 109.27, 109.38, 111.11, 111.62')

# hybridgroup/yzma benchmarks (Go bindings over llama.cpp b10964): median of five runs of
# BenchmarkInference on SmolLM-135M Q2_K; the tokens/s is yzma's own generation-loop figure
SMOL = ('SmolLM-135M', 0.135, 0.135, 'Q2_K', None)
YZMA_FLAG = ('yzma BenchmarkInference tokens/s (pkg/llama/benchmark_test.go), not a llama-bench test; '
             'a 135M model, so per-call overhead dominates')


def yzma(path, hw, backend, value, date, bw='', basis='', gpus=1, notes=''):
    source(f'hybridgroup/yzma {path}', f'github:hybridgroup/yzma:{path} ({date})',
           'primary (benchmark output committed in repository)', hw, bw, basis, backend,
           'yzma 1.27.0 BenchmarkInference (median of 5)', 'b10964', date, m(SMOL, ('tg', value)),
           notes=notes, gpus=gpus, flag=YZMA_FLAG)


yzma('benchmarks/linux.md', 'Intel Core i9-13900HX', 'CPU', 245.8, '2026-09-17', gpus=0, notes='-nctx 8192')
yzma('benchmarks/linux.md', 'NVIDIA Jetson Orin Nano Super (CPU cores)', 'CPU', 84.2, '2026-09-19', gpus=0)
yzma('benchmarks/linux.md', 'Raspberry Pi 4 Model B', 'CPU', 28.8, '2026-09-17', gpus=0)
yzma('benchmarks/linux.md', 'Arduino UNO Q', 'CPU', 32.0, '2026-09-19', gpus=0)
yzma('benchmarks/linux.md', 'NVIDIA GeForce RTX 4070 Laptop GPU', 'CUDA', 842.8, '2026-09-17',
     notes='host i9-13900HX; driver 595.84, CUDA 13.2; -nctx 32000')
yzma('benchmarks/linux.md', 'NVIDIA Jetson Orin Nano Super', 'CUDA', 190.5, '2026-09-19', notes='-nctx 32000')
yzma('benchmarks/linux.md', 'Intel UHD Graphics (Raptor Lake-S iGPU)', 'Vulkan', 62.7, '2026-09-17',
     notes='Mesa 25.2.8; host i9-13900HX')
yzma('benchmarks/linux.md', 'NVIDIA GeForce RTX 4070 Laptop GPU', 'Vulkan', 734.3, '2026-09-17', notes='host i9-13900HX')
yzma('benchmarks/linux.md', 'NVIDIA Jetson Orin Nano Super', 'Vulkan', 183.2, '2026-09-19')
yzma('benchmarks/macos.md', 'Apple M4 Pro (CPU cores)', 'CPU', 779.0, '2026-09-17', gpus=0, notes='-nctx 8192')
yzma('benchmarks/macos.md', 'Apple M4 Pro', 'Metal', 513.3, '2026-09-17', bw=273, basis='Apple spec',
     notes='-nctx 32000')
yzma('benchmarks/macos.md', 'Apple M4 Pro (CPU cores)', 'BLAS', 505.0, '2026-09-17', gpus=0)

source('CambrianTech/continuum PR #1627', 'https://github.com/CambrianTech/continuum/pull/1627 (description 2026-06-15)',
       'primary (measured figure quoted in PR)', 'NVIDIA GeForce RTX 5090', 1792, 'vendor spec',
       'CUDA', 'Docker Model Runner (llama.cpp CUDA backend), WSL2', 'not stated', '2026-06-15',
       m(('Qwen3-8B', 8.19, 8.19, 'Q4_K_M', None), ('tg', 221.7), ('pp', 960)),
       notes='fully in VRAM; prompt-eval figure given as about 960', flag='prefill figure rounded (~960) in the source')

QWEN36_35B_Q4KM = ('Qwen3.6-35B-A3B', 35.51, 3.0, 'Q4_K_M', 20.74)
for build, rows in (('935cad649 (10258)', (('pp2048', 1289.86, 31.50), ('tg256', 100.47, 0.82))),
                    ('a194a75b7 (10321)', (('tg256', 87.75, 0.48),))):
    source('ggml-org/llama.cpp issue #27171', 'https://github.com/ggml-org/llama.cpp/issues/27171 (issue text by MeisterP)',
           'primary (llama-bench tables in issue)', 'NVIDIA GeForce RTX 5070 Ti', 896, 'vendor spec',
           'CUDA,BLAS', 'llama.cpp llama-bench', build, 'build ' + build.split('(')[1].rstrip(')'),
           m(QWEN36_35B_Q4KM, *rows), fa='1',
           notes='issue date not in the excerpt read; --fit-target 1024 (llama.cpp places what fits, rest on host), '
                 '-ctk q4_0 -ctv q4_0, -t 8; the issue reports a regression between these builds',
           flag='partial offload chosen by --fit-target; q4_0 KV cache')
source('ggml-org/Llama-macOS issue #67', 'https://github.com/ggml-org/Llama-macOS/issues/67 (description 2026-03-21)',
       'primary (llama-bench results table in issue)', 'Apple M4 Pro (20-core GPU)', 273, 'Apple spec',
       'Metal', 'llama.cpp llama-bench', 'b8192', '2026-03-21',
       m(('Qwen3.5-9B', 9.0, 9.0, 'Q8_0', None), ('pp512', 413.11, 0.50), ('tg128', 21.60, 0.04)),
       notes='LlamaBarn bundled build with a Gated Delta Net kernel regression')
source('ggml-org/Llama-macOS issue #67', 'https://github.com/ggml-org/Llama-macOS/issues/67 (description 2026-03-21)',
       'primary (llama-bench results table in issue)', 'Apple M4 Pro (20-core GPU)', 273, 'Apple spec',
       'Metal', 'llama.cpp llama-bench', 'b8416', '2026-03-21',
       m(('Qwen3.5-9B', 9.0, 9.0, 'Q8_0', None), ('pp512', 451.86, 0.18), ('tg128', 25.08, 0.08)),
       notes='official release binary llama-b8416-bin-macos-arm64')
source('TheTom/turboquant_plus PR #81', 'https://github.com/TheTom/turboquant_plus/pull/81 (description 2026-04-13)',
       'primary (llama-bench summary in PR)', 'Apple M4 Pro (48 GB)', 273, 'Apple spec',
       'Metal', 'llama-bench of the turboquant_plus llama.cpp fork', 'fork build not stated', '2026-04-13',
       m(('Qwen2.5-1.5B', 1.54, 1.54, 'Q8_0', None), ('pp', 2326), ('tg', 111.6)),
       notes='q8_0 KV-cache baseline row (stock cache types)', flag='llama.cpp fork; test sizes not stated')
source('ggml-org/llama.cpp issue #17058', 'https://github.com/ggml-org/llama.cpp/issues/17058 (comment by phoyd, 2025-11-07)',
       'primary (llama-cli perf log in issue comment)', 'AMD Radeon Pro VII (2 GPUs)', 1024, 'vendor spec (per GPU)',
       'ROCm', 'llama.cpp llama-cli', '5b180c3d6', '2025-11-07',
       m(GPT_OSS_20B, ('tg999', 106.92)), gpus=2,
       notes='eval time 9343.15 ms / 999 runs; model split over two GPUs (layer split); build before the regressing commit')

PI5_BW = dict(bw=17.1, basis='theoretical LPDDR4X-4267, 32-bit bus')
source('geerlingguy/ai-benchmarks issue #47', 'https://github.com/geerlingguy/ai-benchmarks/issues/47 (description 2026-01-07)',
       'primary (llama-bench table in issue)', 'Raspberry Pi 5 16GB (Cortex-A76, 4 threads)', PI5_BW['bw'], PI5_BW['basis'],
       'CPU', 'llama.cpp llama-bench', 'ccbc84a53 (7651)', '2026-01-07',
       m(('Qwen3-30B-A3B-Instruct-2507', 30.53, 3.3, 'Q3_K_S 2.70 bpw (byteshape)', 9.58),
         ('pp512', 10.91, 0.01), ('pp4096', 8.62, 0.00), ('tg128', 7.99, 0.03)), gpus=0,
       notes='-r 2; MoE entirely on the CPU')
source('geerlingguy/ai-benchmarks issue #54', 'https://github.com/geerlingguy/ai-benchmarks/issues/54 (description 2026-09-22)',
       'primary (llama-bench table in issue)', 'Radxa Dragon Q8B (8 CPU threads)', '', '',
       'CPU', 'llama.cpp llama-bench', 'not in the excerpt read (issue dated 2026-09-22)', '2026-09-22',
       m(TINYLLAMA, ('pp512', 194.49, 0.74), ('pp4096', 132.65, 0.14), ('tg128', 38.81, 0.40))
       + m(LLAMA32_3B, ('pp512', 72.31, 0.02), ('pp4096', 56.83, 0.01)), gpus=0)
source('geerlingguy/ai-benchmarks issue #24', 'https://github.com/geerlingguy/ai-benchmarks/issues/24 (description 2025-09-25)',
       'primary (Ollama eval rates in issue)', 'Raspberry Pi 500+ (Cortex-A76)', '', '',
       'CPU (Ollama)', OBENCH, 'Ollama version not stated', '2025-09-25',
       m(LLAMA32_3B_OLLAMA, ('tg', 5.55)), gpus=0)
source('geerlingguy/ai-benchmarks issue #7', 'https://github.com/geerlingguy/ai-benchmarks/issues/7 (description 2025-01-09, test 1b: firmware of 2025-01-08, SDRAM_BANKLOW=1)',
       'primary (Ollama results table in issue)', 'Raspberry Pi 5 16GB (D0 stepping)', PI5_BW['bw'], PI5_BW['basis'],
       'CPU (Ollama)', OBENCH, 'Ollama version not stated', '2025-01-09',
       m(LLAMA32_3B_OLLAMA, ('tg', 4.88)) + m(LLAMA31_8B_OLLAMA, ('tg', 2.17)) + m(LLAMA2_13B_OLLAMA, ('tg', 1.36)),
       gpus=0, notes='NUMA/SDRAM tweak on; without tweaks the same issue gives 4.51, 2.05 and 1.35')

source('intel/ipex-llm issue #12991', 'https://github.com/intel/ipex-llm/issues/12991 (comment by TabNahida, 2025-03-22)',
       'primary (llama-bench table in issue comment)', 'Intel Arc B580', 456, 'vendor spec',
       'SYCL (IPEX-LLM)', 'llama.cpp llama-bench (IPEX-LLM portable build)', 'IPEX-LLM portable build, version not in the excerpt read',
       '2025-03-22',
       m(('DeepSeek-R1-Distill-Qwen-7B', 7.62, 7.62, 'Q4_K_M', 4.36),
         ('pp512', 2335.96, 5.46), ('pp1024', 2286.37, 4.84), ('pp2048', 1988.33, 1.94),
         ('tg128', 66.48, 0.22), ('tg256', 66.27, 0.12), ('tg512', 66.10, 0.12)),
       notes='Windows 11, Ryzen 9 9950X host; -t 16, ngl 99')
GEMMA3_12B_OLLAMA = ('Gemma-3-12B-it (ollama gemma3:12b)', 12.2, 12.2, 'Q4_K_M (Ollama default tag)', None)
source('ollama/ollama issue #13153', 'https://github.com/ollama/ollama/issues/13153 (comment by charlescng, 2025-11-20)',
       'primary (user-reported rates in issue comment)', 'Intel Arc B580', 456, 'vendor spec',
       'SYCL (IPEX-LLM Ollama)', 'Ollama (ipex-llm build)', 'Ollama 0.9.3 (ipex-llm 2.3.0b20250725)', '2025-11-20',
       m(GEMMA3_12B_OLLAMA, ('tg', 35)), notes='Linux 6.17 xe driver', flag='approximate (~35) in the source')
source('ollama/ollama issue #13153', 'https://github.com/ollama/ollama/issues/13153 (comment by charlescng, 2025-11-20)',
       'primary (user-reported rates in issue comment)', 'Intel Arc B580', 456, 'vendor spec',
       'Vulkan (Ollama)', 'Ollama', 'Ollama 0.12.11', '2025-11-20',
       m(GEMMA3_12B_OLLAMA, ('tg', 15)), notes='Linux 6.17 xe driver; Ollama engine runner',
       flag='approximate (~15) in the source')

GB = 1e9 / 2**30
source('ggml-org/llama.cpp issue #27525', 'https://github.com/ggml-org/llama.cpp/issues/27525 (comment by Pauliehedron, 2026-08-22)',
       'primary (measurement table in issue comment)', 'Apple M1 Max', 400, 'Apple spec',
       'Metal', 'llama.cpp (3-rep medians, realistic fixtures)', 'b10549', '2026-08-22',
       m(('Qwen3.8-27B', 27.0, 27.0, 'IQ4_NL', 16.34 * GB), ('tg', 14.29), ('tg@d12700', 13.33))
       + m(('Qwen3.8-27B', 27.0, 27.0, 'Q4_1 (unsloth)', 17.54 * GB), ('tg', 13.53), ('tg@d12700', 12.40))
       + m(('Qwen3.8-27B', 27.0, 27.0, 'Q3_K_M', 13.82 * GB), ('tg', 12.63), ('tg@d12700', 11.89)),
       notes='decode short and at 12.7K context as the comment gives them; file sizes in GB as stated',
       flag='parameter count taken from the model name')

# sudoingX/qwen38-mtp: paired llama-server runs (probe.py, medians of 3 runs x 3 prompts, thinking off);
# only the baseline arm (no speculative decoding) is a plain decode rate
PROBE = 'llama.cpp llama-server (sudoingX/qwen38-mtp probe.py, baseline arm without MTP)'


def q38(quant):
    return ('Qwen3.8-27B', 27.0, 27.0, quant, None)


source('sudoingX/qwen38-mtp PR #42', 'https://github.com/sudoingX/qwen38-mtp/pull/42 (description 2026-08-17)',
       'primary (benchmark summary in PR)', 'NVIDIA GeForce RTX 3090 (power-capped to 250 W)', 936, 'vendor spec',
       'CUDA', PROBE, 'b10473 (b75ecd197)', '2026-08-17', m(q38('Q4_K_M (unsloth)'), ('tg', 31.9)), fa='1',
       notes='131072 context, q4_0 K/V cache; Fedora 44, CUDA 13.3', flag='power-capped card; q4_0 KV cache')
source('sudoingX/qwen38-mtp PR #62', 'https://github.com/sudoingX/qwen38-mtp/pull/62 (description 2026-08-21)',
       'primary (benchmark summary in PR)', 'NVIDIA GeForce RTX 5080 16GB', 960, 'vendor spec',
       'CUDA', PROBE, 'b10488', '2026-08-21', m(q38('Q3_K_M (unsloth)'), ('tg', 53.4)), fa='1',
       notes='65536 context, q4_0 K/V cache, fully on the GPU; Windows 11, CUDA 13.3', flag='q4_0 KV cache')
source('sudoingX/qwen38-mtp PR #62', 'https://github.com/sudoingX/qwen38-mtp/pull/62 (description 2026-08-21)',
       'primary (benchmark summary in PR)', 'NVIDIA GeForce RTX 5080 16GB', 960, 'vendor spec',
       'CUDA', PROBE, 'b10488', '2026-08-21', m(q38('Q3_K_M (unsloth)'), ('tg', 12.6)), fa='1',
       notes='same serve with q8_0 K/V cache overran the card into CPU offload', flag='partial offload (spilled to CPU)')
source('sudoingX/qwen38-mtp PR #68', 'https://github.com/sudoingX/qwen38-mtp/pull/68 (description 2026-08-31)',
       'primary (benchmark summary in PR)', 'NVIDIA GeForce RTX 5090', 1792, 'vendor spec',
       'CUDA', PROBE, 'not in the excerpt read (PR dated 2026-08-31)', '2026-08-31',
       m(q38('UD-Q4_K_XL (unsloth Dynamic 3.0)'), ('tg', 71.9)), fa='1',
       notes='131K context, q4_0 K/V cache, full GPU offload', flag='q4_0 KV cache')
source('sudoingX/qwen38-mtp PR #73', 'https://github.com/sudoingX/qwen38-mtp/pull/73 (description 2026-09-03)',
       'primary (benchmark summary in PR)', 'NVIDIA GeForce RTX 5090 (2 GPUs)', 1792, 'vendor spec (per GPU)',
       'CUDA', PROBE, 'not in the excerpt read (PR dated 2026-09-03)', '2026-09-03',
       m(q38('UD-Q4_K_M (unsloth)'), ('tg', 107.5)), gpus=2, notes='two 32 GB cards, same serving configuration as the MTP arm')

source('geerlingguy/ai-benchmarks issue #25', 'https://github.com/geerlingguy/ai-benchmarks/issues/25 (comment 2025-09-30)',
       'primary (llama-bench table in issue comment)', 'AMD Radeon RX 9070 XT', 640, 'vendor spec',
       'Vulkan (RADV)', 'llama.cpp llama-bench', '2df5bcf3 (6645)', '2025-09-30',
       m(LLAMA32_3B, ('pp512', 2086.07, 0.11), ('pp4096', 1784.33, 5.72)),
       notes='host Raspberry Pi 5 (PCIe); ngl 99; -r 2; vk_driver=radv; vk_matrix=none', flag='unusual host: Raspberry Pi 5 PCIe')
source('geerlingguy/ai-benchmarks issue #20', 'https://github.com/geerlingguy/ai-benchmarks/issues/20 (comment 2025-02-12)',
       'primary (llama-bench table in issue comment)', 'AMD Radeon RX 580', 256, 'vendor spec',
       'Vulkan (RADV)', 'llama.cpp llama-bench', 'e598697d (4696)', '2025-02-12',
       m(LLAMA32_3B, ('pp512', 346.76, 0.45), ('pp4096', 255.79, 12.26), ('tg128', 36.23, 17.62)),
       notes='host SiFive HiFive Premiere P550 (RISC-V); ngl 99; -r 2; vk_driver=radv; vk_matrix=none',
       flag='unusual host: RISC-V board; tg128 stddev 17.62')

source('magicnight/Mac-MLX issue #62', 'https://github.com/magicnight/Mac-MLX/issues/62 (description 2026-07-08, run timestamp 2026-04-17)',
       'primary (auto-generated benchmark JSON in issue)', 'Apple M5 Max (128 GB)', 614,
       'Apple spec for the 40-core GPU M5 Max; core count not stated', 'MLX (Metal)',
       'mlx-swift-lm (Mac-MLX 0.3.5 app, 3 runs)', 'mlx-swift-lm 3.31.3', '2026-04-17',
       m(('Gemma-4-E4B-it', 7.52, 7.52, 'MLX q8 (8-bit)', None), ('pp1536', 4919.42), ('tg611', 81.83)),
       notes='macOS 26.4.1; promptTokens 1536, completionTokens 611',
       flag='GPU core count not stated; parameter count is the text model total llama-bench reports '
            'for Gemma 4 E4B (7.52 B; the 4B in the name is Google\'s effective count without the '
            'per-layer embedding table)')

for quant, size_gb, ncmoe, ctx, tg, pp in (('Q4_K_M', 21, 14, '16K', 52, 104), ('UD-Q5_K_XL', 25, 20, '64K', 42, 97)):
    source('ikawrakow/ik_llama.cpp PR #1593', 'https://github.com/ikawrakow/ik_llama.cpp/pull/1593 (turn 4 by AIdevsmartdata, stock llama.cpp rows)',
           'primary (comparison table in PR comment; stock llama.cpp rows only)', 'NVIDIA GeForce RTX 5060 Ti 16GB', 448,
           'vendor spec', 'CUDA', 'llama.cpp (stock build, single slot)', 'b8125', 'build b8125',
           m(('Qwen3.5-35B-A3B', 35.0, 3.0, quant, size_gb * GB), ('tg', tg), ('pp', pp)),
           notes=f'--n-cpu-moe {ncmoe}: that many layers keep their experts in host memory; ctx {ctx}; CUDA 12.8; '
                 'date not in the excerpt read; file size in GB as stated',
           flag='partial MoE offload (--n-cpu-moe); test sizes not stated')


def shape(test):
    """'pp512', 'tg128@d4096', or 'tg' for a decode rate whose token count the source leaves open."""
    mt = re.fullmatch(r'(pp|tg)(\d*)(?:@d(\d+))?', test)
    kind, n, d = mt.group(1), int(mt.group(2)) if mt.group(2) else '', int(mt.group(3) or 0)
    return kind, n, d


def rows():
    out = []
    for s in SOURCES:
        for (model, params, active, quant, size), t in s['rows']:
            test, value = t[0], t[1]
            std = t[2] if len(t) > 2 else ''
            kind, n, d = shape(test)
            out.append({
                'source': s['name'], 'source_ref': s['ref'], 'source_type': s['stype'],
                'hardware': s['hw'], 'gpu_count': s['gpus'], 'memory_bandwidth_gbps': s['bw'],
                'bw_basis': s['basis'], 'backend': s['backend'], 'engine': s['engine'], 'build': s['build'],
                'model': model, 'params_b': params, 'active_params_b': active, 'quant': quant,
                'model_size_gib': f'{size:.2f}' if size else '', 'test': test,
                'n_prompt': n if kind == 'pp' else 0, 'n_gen': n if kind == 'tg' else 0,
                'depth': d if (n != '' or d) else '',
                'n_ctx': '', 'flash_attn': s['fa'], 'metric': 'prefill_tps' if kind == 'pp' else 'decode_tps',
                'value': value, 'unit': 'tokens/s', 'stddev': std, 'quality_flag': s['flag'],
                'notes': f"{s['date']}; {s['notes']}".rstrip('; ')})
    return out


def roofline_flags(rs):
    """Flags decode rows that would need more weight bytes per second than the memory gives."""
    for r in rs:
        if r['metric'] != 'decode_tps' or not r['model_size_gib'] or not r['memory_bandwidth_gbps']:
            continue
        per_token = float(r['model_size_gib']) * 2**30 * min(1.0, float(r['active_params_b']) / float(r['params_b']))
        ceiling = float(r['memory_bandwidth_gbps']) * 1e9 * max(1, int(r['gpu_count'])) / per_token
        if float(r['value']) > ceiling:
            flag = f'above bandwidth roofline ({ceiling:.0f} tok/s)'
            r['quality_flag'] = '; '.join(x for x in (r['quality_flag'], flag) if x)


def direct_rows():
    """Rows written straight in the CSV's own columns (tools/public_tables/direct_rows.csv: sources whose
    shape the two transcriptions above do not fit), kept after the generated rows as they are."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'public_tables', 'direct_rows.csv')
    with open(path, newline='', encoding='utf-8') as f:
        rs = list(csv.DictReader(f))
    for n, r in enumerate(rs, 2):
        if list(r) != list(COLS):
            raise ValueError(f'{path}:{n}: want the columns of public_speed_2025_2026.csv')
    return rs


if __name__ == '__main__':
    rs = bench_tables.dedupe(rows() + bench_tables.rows(shape) + direct_rows())
    roofline_flags(rs)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'data',
                        'public_speed_2025_2026.csv')
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=COLS, lineterminator='\n')
        w.writeheader()
        w.writerows(rs)
    print(len(rs), 'rows from', len(SOURCES), 'sources')
