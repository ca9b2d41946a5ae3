#!/usr/bin/env python3
"""Turns a run-by-run transcription of a kyuz0 toolbox `docs/results.json` (tools/public_tables/kyuz0/
*.tsv: model_clean, env, gpu_config, test, tps_mean, tps_std[, flag key of RUN_FLAGS] for the R9700 files; model_clean,
env, fa (0/1), test, tps_mean, tps_std for the Strix Halo file) into a llama-bench table file
that tools/bench_tables.py reads. The file's models, sizes and parameter counts are the JSON's own
(`file_size_gib`, `params_b`); only the catalog names and the toolbox wording are added here.
Run: python3 tools/kyuz0_runs_to_table.py, then python3 tools/public_speed_rows.py."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# model_clean -> "= catalog model / quant; size GiB (the JSON's file_size_gib); params B (total/active)"
MODELS = {
    'Qwen3-Coder-30B-A3B-Instruct-BF16': '= Qwen3 Coder 30B-A3B / BF16; 56.89; 30.53/3.35',
    'Qwen3-Coder-30B-A3B-Instruct-Q4_K_M': '= Qwen3 Coder 30B-A3B / Q4_K_M; 17.35; 30.53/3.35',
    'Qwen3-Coder-30B-A3B-Instruct-UD-Q8_K_XL': '= Qwen3 Coder 30B-A3B / UD-Q8_K_XL; 33.51; 30.53/3.35',
    'Qwen3-Next-80B-A3B-Instruct-UD-Q4_K_XL': '= Qwen3-Next 80B-A3B / UD-Q4_K_XL; 42.01; 79.67/3.0',
    'gemma-3-12b-it-UD-Q8_K_XL': '= Gemma 3 12B / UD-Q8_K_XL; 13.4; 11.77',
    'gemma-3-27b-it-BF16': '= Gemma 3 27B / BF16; 50.31; 27.01',
    'gemma-3-4b-it-Q3_K_S': '= Gemma 3 4B / Q3_K_S; 1.8; 3.88',
    'gpt-oss-120b-mxfp4': '= gpt-oss 120B / MXFP4; 59.02; 116.83/5.13',
    'gpt-oss-20b-mxfp4': '= gpt-oss 20B / MXFP4; 11.27; 20.91/3.61',
    'llama-2-7b.Q4_0': '= Llama 2 7B / Q4_0; 3.56; 6.74',
    # Strix Halo results.json (build 6486); active parameters are the catalog's
    'GLM-4.5-Air-UD-Q4_K_XL': '= GLM-4.5-Air 106B-A12B / UD-Q4_K_XL; 68.01; 110.47/12.0',
    'GLM-4.5-Air-UD-Q6_K_XL': '= GLM-4.5-Air 106B-A12B / UD-Q6_K_XL; 94.57; 110.47/12.0',
    'Llama-3.3-70B-Instruct-UD-Q8_K_XL': '= Llama 3.3 70B Instruct / UD-Q8_K_XL; 75.65; 70.55',
    'Llama-4-Scout-17B-16E-Instruct-Q6_K': '= Llama 4 Scout 17B-16E (109B) / Q6_K; 82.35; 107.77/17.17',
    'Llama-4-Scout-17B-16E-Instruct-Q8_0': '= Llama 4 Scout 17B-16E (109B) / Q8_0; 106.65; 107.77/17.17',
    'Llama-4-Scout-17B-16E-Instruct-UD-Q4_K_XL':
        '= Llama 4 Scout 17B-16E (109B) / UD-Q4_K_XL; 57.73; 107.77/17.17',
    'Qwen3-235B-A22B-Instruct-2507-UD-Q3_K_XL':
        '= Qwen3 235B-A22B Instruct 2507 / UD-Q3_K_XL; 96.99; 235.09/22.0',
    'Qwen3-30B-A3B-BF16': '= Qwen3 30B-A3B / BF16; 56.89; 30.53/3.34',
    'Qwen3-30B-A3B-Instruct-2507-UD-Q6_K_XL': '= Qwen3 30B-A3B Instruct 2507 / UD-Q6_K_XL; 24.53; 30.53/3.34',
    'gpt-oss-120b-F16': '= gpt-oss 120B / F16; 60.87; 116.83/5.13',
    # R9700 results.json of 2026-05-05 (build 8990); active parameters are the catalog's.
    # Devstral 2 123B and Ministral 3 8B are not in the catalog: checked from size and params.
    'Devstral-2-123B-Instruct-2512-Q3_K_S': '= Devstral 2 123B / Q3_K_S; 50.63; 125.03',
    'Ministral-3-14B-Instruct-2512-BF16': '= Ministral 3 14B / BF16; 25.16; 13.51',
    'Ministral-3-8B-Instruct-2512-BF16': '= Ministral 3 8B / BF16; 15.81; 8.49',
    'Nemotron-3-Nano-30B-A3B-UD-Q4_K_XL': '= Nemotron 3 Nano 30B-A3B / UD-Q4_K_XL; 21.26; 31.58/3.5',
    'Nemotron-3-Nano-30B-A3B-UD-Q8_K_XL': '= Nemotron 3 Nano 30B-A3B / UD-Q8_K_XL; 37.66; 31.58/3.5',
    'Qwen3.5-9B-BF16': '= Qwen3.5 9B / BF16; 16.68; 8.95',
    'Qwen3.5-9B-UD-Q8_K_XL': '= Qwen3.5 9B / UD-Q8_K_XL; 12.07; 8.95',
    'Qwen3.6-27B-UD-Q4_K_XL': '= Qwen3.6 27B / UD-Q4_K_XL; 16.39; 26.9',
    'Qwen3.6-35B-A3B-UD-Q4_K_XL': '= Qwen3.6 35B-A3B / UD-Q4_K_XL; 20.81; 34.66/3.0',
    'gemma-4-26B-A4B-it-UD-Q4_K_XL': '= Gemma 4 26B-A4B / UD-Q4_K_XL; 15.9; 25.23/3.8',
    'gemma-4-31B-it-UD-Q4_K_XL': '= Gemma 4 31B / UD-Q4_K_XL; 17.46; 30.7',
    'gemma-4-31B-it-UD-Q8_K_XL': '= Gemma 4 31B / UD-Q8_K_XL; 32.6; 30.7',
    'gpt-oss-20b-F32': '= gpt-oss 20B / F32; 38.97; 20.91/3.61',
}

# Files whose name says a precision the weights mostly are not in: unsloth's gpt-oss F16/F32 GGUFs
# keep the MXFP4 expert tensors (60.87 and 38.97 GiB, against 234 and 84 GB for a true F16/F32).
MIXED = ('mixed-precision file: unsloth gpt-oss {} GGUF keeps the MXFP4 expert tensors ({} GiB), '
         'so the label is not the weight format')
MODEL_FLAGS = {'gpt-oss-120b-F16': MIXED.format('120b F16', '60.87'),
               'gpt-oss-20b-F32': MIXED.format('20b F32', '38.97')}

BASES = [('rocm-7-nightly', 'ROCm 7 nightly'), ('rocm7_nightlies', 'ROCm 7 nightly'),
         ('rocm7_2_2', 'ROCm 7.2.2'), ('rocm-7.9', 'ROCm 7.9'), ('rocm6_4_4', 'ROCm 6.4.4'),
         ('rocm7.1.1', 'ROCm 7.1.1'), ('rocm7.1', 'ROCm 7.1'), ('rocm6_4_3', 'ROCm 6.4.3'), ('rocm7_rc', 'ROCm 7 RC'),
         ('vulkan_amdvlk', 'Vulkan (AMDVLK)'), ('vulkan_radv', 'Vulkan (RADV)')]

ANOMALOUS = ('anomalous: decode 0.79 tok/s and pp512 about 35 tok/s, 40x under the same build '
             'in every other toolbox (hipBLASLt on, ROCm 7 nightly)')

# BF16 prompts on the AMDVLK toolbox of build 8990: 72-192 t/s where the same JSON's RADV toolbox
# runs the same files at 1,471-3,112 t/s on the same card and build (13-20x); the quantized files
# run within 2x of RADV. A driver path the model has no term for, so these prefill rows are kept
# but left out of the checks; the same runs' decode rows are ordinary and stay in.
AMDVLK_BF16 = ('anomalous: AMDVLK BF16 prompt processing 13-20x under the RADV toolbox of the same '
               'build on the same card (build 8990)')
RUN_FLAGS = {'anom': ANOMALOUS, 'amdvlk-bf16': AMDVLK_BF16}


def toolbox(env):
    """Backend label and the toolbox's variant in words."""
    base = next((b for b in BASES if env.startswith(b[0])), None)
    if base is None:
        raise ValueError(f'unknown toolbox {env!r}')
    variant = env[len(base[0]):].lstrip('-')
    words = [w for k, w in (('rocwmma', 'rocWMMA flash-attention build'),
                            ('fa_all_quants', 'GGML_CUDA_FA_ALL_QUANTS build'),
                            ('hblt0', 'ROCBLAS_USE_HIPBLASLT=0')) if k in variant]
    return base[1], '; '.join(words) or 'stock toolbox'


# The Vulkan device lines the run logs print (benchmark/results/*vulkan*.log), checked by hand on
# builds 7423 and 8990: "AMD Radeon AI PRO R9700 (AMD open-source driver) | ... | matrix cores:
# KHR_coopmat" and "AMD Radeon AI PRO R9700 (RADV GFX1201) (radv) | ... | matrix cores: KHR_coopmat".
# Build 7205 (benchmark/results/gemma-3-12b-it-UD-Q8_K_XL__vulkan_{amdvlk,radv}__fa1__single.log at
# commit 1b8bfa723074) shows the same two lines, so the 7285 file between them gets them too.
R9700_VULKAN_PATHS = {'Vulkan (AMDVLK)': 'vk_driver=amdvlk; vk_matrix=KHR_coopmat',
                      'Vulkan (RADV)': 'vk_driver=radv; vk_matrix=KHR_coopmat'}


def convert(tsv, header, out, vulkan_paths=None):
    """`vulkan_paths`: backend label -> the `vk_driver=...; vk_matrix=...` its logs show."""
    lines = [header.rstrip('\n')]
    for n, raw in enumerate(open(tsv, encoding='utf-8'), 1):
        if not raw.strip() or raw.startswith('#'):
            continue
        cells = raw.rstrip('\n').split('\t')
        if len(cells) not in (6, 7) or cells[0] not in MODELS:
            raise ValueError(f'{tsv}:{n}: want model_clean, env, gpu_config, test, mean, std[, flag]')
        model, env, gpus, test, mean, std = cells[:6]
        backend, variant = toolbox(env)
        dual = gpus == 'dual'
        lines += [f"hardware: AMD Radeon AI PRO R9700{' (2 GPUs)' if dual else ''}",
                  f"gpus: {2 if dual else 1}", f'backend: {backend}',
                  f'notes: Fedora 42, kernel 6.15.9; toolbox {env} ({variant}); ngl 99'
                  + (f'; {vulkan_paths[backend]}' if vulkan_paths and backend in vulkan_paths else ''),
                  f"flag: {RUN_FLAGS[cells[6]] if cells[6:] else ''}",
                  f'{MODELS[model]}; {test}; {mean}; {std}']
    open(out, 'w', encoding='utf-8').write('\n'.join(lines) + '\n')
    return sum(1 for x in lines if x.startswith('= '))


# The Strix Halo toolboxes' Vulkan device lines (benchmark/results/GLM-4.5-Air-UD-Q4_K_XL-00001-of-00002__
# vulkan_{amdvlk,radv}.log at commit 006aaa64e166, build 6486): "Radeon 8060S Graphics (AMD
# open-source driver) | ... | matrix cores: KHR_coopmat" and "Radeon 8060S Graphics (RADV GFX1151)
# (radv) | ... | matrix cores: KHR_coopmat".
STRIX_VULKAN_PATHS = {'Vulkan (AMDVLK)': 'vk_driver=amdvlk; vk_matrix=KHR_coopmat',
                      'Vulkan (RADV)': 'vk_driver=radv; vk_matrix=KHR_coopmat'}


def convert_strix(tsv, header, out):
    """The Strix Halo file: one machine, flash attention off and on per run (`fa` column)."""
    lines = [header.rstrip('\n')]
    for n, raw in enumerate(open(tsv, encoding='utf-8'), 1):
        if not raw.strip() or raw.startswith('#'):
            continue
        cells = raw.rstrip('\n').split('\t')
        if len(cells) != 6 or cells[0] not in MODELS or cells[2] not in ('0', '1'):
            raise ValueError(f'{tsv}:{n}: want model_clean, env, fa, test, mean, std')
        model, env, fa, test, mean, std = cells
        backend, variant = toolbox(env)
        lines += [f'backend: {backend}', f'fa: {fa}', f"flag: {MODEL_FLAGS.get(model, '')}",
                  f'notes: 128 GB unified memory; toolbox {env} ({variant}); ngl 99; mmap 0'
                  + (f'; {STRIX_VULKAN_PATHS[backend]}' if backend in STRIX_VULKAN_PATHS else ''),
                  f'{MODELS[model]}; {test}; {mean}; {std}']
    open(out, 'w', encoding='utf-8').write('\n'.join(lines) + '\n')
    return sum(1 for x in lines if x.startswith('= '))


HEADER_STRIX_6486 = """# Generated by tools/kyuz0_runs_to_table.py from kyuz0/strix_halo_results_6486.tsv: kyuz0/amd-strix-halo-toolboxes
# docs/results.json at commit 006aaa64e166 (generated 2025-09-16T21:05:07Z, llama.cpp f1fbffb5, build 6486):
# llama-bench pp512/tg128, ngl 99, mmap 0, flash attention off and on, on the Ryzen AI Max+ 395 with
# 128 GB, toolboxes ROCm 6.4.3 / ROCm 7 RC (stock, rocWMMA, GGML_CUDA_FA_ALL_QUANTS, hipBLASLt off)
# and Vulkan (AMDVLK, RADV). Runs the JSON marks as hang, load or runtime errors carry no numbers and
# are absent. Not the summer-2025 benchmarks.md table (kyuz0_strix_halo_summer_2025.txt, build 6066).
source: kyuz0/amd-strix-halo-toolboxes results.json (build 6486)
ref: github:kyuz0/amd-strix-halo-toolboxes@006aaa64e166:docs/results.json
type: primary (benchmark JSON committed in repository; each run keeps its log under results/)
date: 2025-09-16
build: f1fbffb5 (6486)
hardware: AMD Ryzen AI Max+ 395 (Radeon 8060S, Strix Halo)
bw: 256
basis: theoretical LPDDR5X-8000 256-bit
"""

HEADER_7285 = """# Generated by tools/kyuz0_runs_to_table.py from kyuz0/r9700_results_7285.tsv: kyuz0/amd-r9700-ai-toolboxes
# docs/results.json at commit cef614d89586 (generated 2025-12-06, llama.cpp 6016d0bd4, build 7285), the
# re-run of the matrix the 2025-11-30 file (kyuz0_r9700_results_2025.txt, build 7205) holds, plus
# Qwen3 Coder 30B-A3B UD-Q8_K_XL. pp512/tg128, flash attention on, ngl 99, default context, one R9700
# or two (layer split). Runs the JSON marks as load or runtime errors carry no numbers and are absent.
source: kyuz0/amd-r9700-ai-toolboxes results.json (build 7285)
ref: github:kyuz0/amd-r9700-ai-toolboxes@cef614d89586:docs/results.json
type: primary (benchmark JSON committed in repository; each run keeps its log under benchmark/results/)
date: 2025-12-06
build: 6016d0bd4 (7285)
bw: 640
basis: vendor spec (per GPU)
fa: 1
"""

HEADER_8990 = """# Generated by tools/kyuz0_runs_to_table.py from kyuz0/r9700_results_8990.tsv: kyuz0/amd-r9700-ai-toolboxes
# docs/results.json at commit 947927ae2435 (generated 2026-05-05T09:53:45Z, llama.cpp 660b1b4bd, build 8990):
# the 2026 matrix, five months and 1,700 builds after the 7285 file. pp512/tg128 plus pp2048/tg32 at
# depths 16384, 32768 and 65536 (llama-bench -d), flash attention on, ngl 99, one R9700 or two (layer
# split), toolboxes ROCm 6.4.4, 7.2.2 and 7 nightly (stock) and Vulkan (AMDVLK, RADV). Runs the JSON
# marks as errors are absent, including the few that carry a number beside error: true.
source: kyuz0/amd-r9700-ai-toolboxes results.json (build 8990)
ref: github:kyuz0/amd-r9700-ai-toolboxes@947927ae2435:docs/results.json
type: primary (benchmark JSON committed in repository; each run keeps its log under benchmark/results/)
date: 2026-05-05
build: 660b1b4bd (8990)
bw: 640
basis: vendor spec (per GPU)
fa: 1
"""

HEADER_7423 = """# Generated by tools/kyuz0_runs_to_table.py from kyuz0/r9700_results_7423.tsv: kyuz0/amd-r9700-ai-toolboxes
# docs/results.json at commit 2d90fc1d906a (generated 2025-12-27T17:44:15Z, llama.cpp 2aa45ef9e, build 7423):
# pp512/tg128 plus pp2048/tg32 at depths 16384 and 32768 (llama-bench -d), flash attention on, ngl 99,
# toolboxes ROCm 6.4.4, 7.1.1, 7.9 and 7 nightly (stock and rocWMMA, each with hipBLASLt on and off)
# and Vulkan (AMDVLK, RADV). Only the file's first blocks are transcribed (Devstral 2 123B on two
# R9700s, Ministral 3 14B, Ministral 3 8B up to ROCm 7.1.1); runs the JSON marks as errors are absent.
source: kyuz0/amd-r9700-ai-toolboxes results.json (build 7423)
ref: github:kyuz0/amd-r9700-ai-toolboxes@2d90fc1d906a:docs/results.json
type: primary (benchmark JSON committed in repository; each run keeps its log under results/)
date: 2025-12-27
build: 2aa45ef9e (7423)
bw: 640
basis: vendor spec (per GPU)
fa: 1
"""

if __name__ == '__main__':
    n = convert_strix(os.path.join(HERE, 'public_tables', 'kyuz0', 'strix_halo_results_6486.tsv'),
                      HEADER_STRIX_6486,
                      os.path.join(HERE, 'public_tables', 'kyuz0_strix_halo_results_build6486.txt'))
    print(f'{n} Strix Halo rows')
    n = convert(os.path.join(HERE, 'public_tables', 'kyuz0', 'r9700_results_7285.tsv'), HEADER_7285,
                os.path.join(HERE, 'public_tables', 'kyuz0_r9700_results_build7285.txt'),
                R9700_VULKAN_PATHS)
    print(f'{n} rows')
    n = convert(os.path.join(HERE, 'public_tables', 'kyuz0', 'r9700_results_8990.tsv'), HEADER_8990,
                os.path.join(HERE, 'public_tables', 'kyuz0_r9700_results_build8990.txt'),
                R9700_VULKAN_PATHS)
    print(f'{n} rows (build 8990)')
    n = convert(os.path.join(HERE, 'public_tables', 'kyuz0', 'r9700_results_7423.tsv'), HEADER_7423,
                os.path.join(HERE, 'public_tables', 'kyuz0_r9700_results_build7423.txt'),
                R9700_VULKAN_PATHS)
    print(f'{n} rows (build 7423)')
