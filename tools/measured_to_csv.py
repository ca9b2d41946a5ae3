#!/usr/bin/env python3
"""Turns one measurement run (the raw folder of a tools/gpu_measure.sh run as committed under tests/data/raw/:
llama-bench JSONL files bench_*.jsonl, the grep'ed llama-completion -v log lines mem_*.lines and
their command lines mem_*.cmd) into rows of
tests/data/measured_llamacpp_speed.csv and measured_llamacpp_memory.csv (the columns of
../shared/calibration/ground_truth_*.csv). Appends to the CSVs, replacing earlier rows that came
from the same raw folder.

Usage: measured_to_csv.py RESULTS_DIR RAW_REF HARDWARE BANDWIDTH_GBPS BW_BASIS BACKEND DATE [FLAG]
  RAW_REF: the path under tests/data/raw/ the raw files were copied to (the rows' source_ref).
  FLAG: a quality_flag for every speed row of this run (e.g. a machine shared with other jobs)."""
import csv
import glob
import json
import os
import re
import sys

SPEED_COLS = ('source,source_ref,source_type,hardware,gpu_count,memory_bandwidth_gbps,bw_basis,backend,'
              'engine,build,model,params_b,active_params_b,quant,model_size_gib,test,n_prompt,n_gen,depth,'
              'n_ctx,flash_attn,metric,value,unit,stddev,quality_flag,notes').split(',')
MEM_COLS = ('source,source_ref,source_type,hardware,backend,engine,build,model,params_b,active_params_b,'
            'quant,n_ctx,cache_type,n_ubatch,flash_attn,gpu_count,metric,device,value,unit,notes').split(',')
# the run's author; MEASURED_SOURCE overrides it (e.g. a CPU sweep on a development machine)
SOURCE = os.environ.get('MEASURED_SOURCE', 'fitcheck gpu helper, own measurement')

# file stem -> (model name, quant, active params in billions or None for dense)
MODELS = {
    'llama1b': ('Llama-3.2-1B', 'Q4_K_M', None),
    'llama3b': ('Llama-3.2-3B', 'Q4_K_M', None),
    'llama8b': ('Llama-3.1-8B', 'Q4_K_M', None),
    'llama8b_q8': ('Llama-3.1-8B', 'Q8_0', None),
    'llama70b': ('Llama-3.1-70B', 'Q4_K_M', None),
    'qwen3moe30b': ('Qwen3-30B-A3B', 'Q4_K_M', 'moe'),
    'tiny': ('synthetic tiny llama (4 layers, 256 wide)', 'Q4_K_M', None),
    'tinytied': ('synthetic tiny llama, tied embeddings', 'Q4_K_M', None),
    'gemma3_1b': ('Gemma-3-1B layout, Llama 3 tokenizer', 'Q8_0', None),
    'qwen3moe30b_2l': ('Qwen3-30B-A3B widths, 2 of 48 layers', 'Q4_K_M', 'moe2l'),
}
# tools/cpu_sweep.sh names its files ARCH_QUANT (gen_model.py's arch and recipe)
SWEEP_ARCHS = {
    'qwen3_0_6b': 'Qwen3-0.6B', 'qwen3_1_7b': 'Qwen3-1.7B', 'qwen2_5_0_5b': 'Qwen2.5-0.5B-Instruct',
    'qwen2_5_1_5b': 'Qwen2.5-1.5B-Instruct', 'llama1b': 'Llama-3.2-1B',
    'gemma3_1b': 'Gemma-3-1B layout, Llama 3 tokenizer padded to 262,144',
    # gen_model.py's small archs added for issue 10; the name before " (" is the catalog model
    'smollm2_135m': 'SmolLM2-135M (layout; Llama 3 tokenizer cut to 49,152 tokens)',
    'smollm2_360m': 'SmolLM2-360M (layout; Llama 3 tokenizer cut to 49,152 tokens)',
    'smollm2_1_7b': 'SmolLM2-1.7B (layout; Llama 3 tokenizer cut to 49,152 tokens)',
    'gemma3_270m': 'Gemma-3-270M (layout; Llama 3 tokenizer padded to 262,144 tokens)',
    'tinyllama_1_1b': 'TinyLlama-1.1B (layout; Llama 3 tokenizer cut to 32,000 tokens)',
    'falcon3_1b': 'Falcon3-1B (layout; Llama 3 tokenizer padded to 131,072 tokens)',
}
SWEEP_QUANTS = {'q4_k_m': 'Q4_K_M', 'q4_0': 'Q4_0', 'q8_0': 'Q8_0', 'f16': 'F16', 'q6_k': 'Q6_K', 'q5_k_m': 'Q5_K_M'}
for a, name in SWEEP_ARCHS.items():
    for q, label in SWEEP_QUANTS.items():
        MODELS[f'{a}_{q}'] = (name, label, None)
# Qwen3-30B-A3B: 48 layers x 3 expert matrices of 768 x 2048 x 128 experts, 8 routed per token
QWEN3_EXPERT_PARAMS = 48 * 3 * 768 * 2048 * 128
QWEN3_ACTIVE_FRACTION = 8 / 128


def model_of(path):
    stem = os.path.basename(path).rsplit('.gguf', 1)[0]
    return stem, MODELS[stem]


def active_b(kind, n_params):
    if kind == 'moe':
        return (n_params - QWEN3_EXPERT_PARAMS * (1 - QWEN3_ACTIVE_FRACTION)) / 1e9
    if kind == 'moe2l':
        return (n_params - QWEN3_EXPERT_PARAMS / 24 * (1 - QWEN3_ACTIVE_FRACTION)) / 1e9
    return n_params / 1e9


def speed_rows(res, ref, hw, bw, basis, backend, date):
    rows = []
    for fn in sorted(glob.glob(os.path.join(res, 'bench_*.jsonl'))):
        tag = os.path.basename(fn)[len('bench_'):-len('.jsonl')]
        for line in open(fn):
            line = line.strip()
            if not line.startswith('{'):
                continue
            j = json.loads(line)
            stem, (model, quant, kind) = model_of(j['model_filename'])
            npp, ntg, depth = j['n_prompt'], j['n_gen'], j['n_depth']
            test = f'pp{npp}' if npp else f'tg{ntg}'
            if depth:
                test += f'@d{depth}'
            # CPU only when no GPU was visible; -ngl 0 with a GPU visible still runs large batches on it
            cpu_only = j['n_gpu_layers'] == 0 and not j['gpu_info']
            row_backend = 'CPU' if cpu_only else backend
            cpu_host = cpu_only and hw.startswith('NVIDIA')
            notes = (f'{date}; synthetic-weight GGUF with the real tensor layout and tokenizer '
                     f'(tools/gen_model.py {stem}); ngl {j["n_gpu_layers"]}; threads {j["n_threads"]}; '
                     f'n_batch {j["n_batch"]}; n_ubatch {j["n_ubatch"]}; type_k {j["type_k"]}; '
                     f'repetitions after a warm-up: {len(j["samples_ts"])}; backends {j["backends"]}; '
                     f'gpu_info {j["gpu_info"] or "none"}; cpu_info {j["cpu_info"]}; run {tag}')
            if cpu_host:
                notes += '; CUDA build run with CUDA_VISIBLE_DEVICES empty, so no GPU was used'
            elif cpu_only:
                notes += '; CPU-only build, no GPU on the machine'
            elif j['n_gpu_layers'] == 0:
                notes += ('; ngl 0 with the GPU visible: weights in host memory, the CUDA backend still '
                          'takes large-batch matmuls to the GPU')
            elif j['n_gpu_layers'] < 99:
                notes += f'; partial offload: {j["n_gpu_layers"]} layers on the GPU, the rest on the host CPU'
            host = f'{j["cpu_info"]}, {j["n_threads"]} threads (host CPU of the {hw} machine, a VM)' 
            rows.append({
                'source': SOURCE, 'source_ref': f'{ref}/bench_{tag}.jsonl',
                'source_type': 'primary (own llama-bench run)',
                'hardware': host if cpu_host else hw,
                'gpu_count': '0' if cpu_only else '1',
                'memory_bandwidth_gbps': '' if cpu_host else bw,
                'bw_basis': 'not known (VM; memory configuration not exposed)' if cpu_host else basis,
                'backend': row_backend, 'engine': 'llama.cpp llama-bench',
                # an sdist build has no git, so llama-bench reports build 0: MEASURED_BUILD names it
                'build': (os.environ.get('MEASURED_BUILD') if not j['build_number'] else None)
                or f'{j["build_commit"]} ({j["build_number"]})',
                'model': model, 'params_b': f'{j["model_n_params"] / 1e9:.2f}',
                'active_params_b': f'{active_b(kind, j["model_n_params"]):.2f}', 'quant': quant,
                'model_size_gib': f'{j["model_size"] / 2**30:.2f}', 'test': test,
                'n_prompt': npp, 'n_gen': ntg, 'depth': depth, 'n_ctx': '',
                'flash_attn': '1' if j['flash_attn'] in (1, True, 'enabled', 'on') else str(j['flash_attn']),
                'metric': 'prefill_tps' if npp else 'decode_tps',
                'value': f'{j["avg_ts"]:.2f}', 'unit': 'tokens/s', 'stddev': f'{j["stddev_ts"]:.2f}',
                'quality_flag': '', 'notes': notes})
    return rows


BUF = re.compile(r'^(\w+):\s+(\S+)\s+(model|KV|RS|compute|output) buffer size =\s+([0-9.]+) MiB')
LOG_PREFIX = re.compile(r'^\d+\.\d+\.\d+\.\d+ [A-Z] ')  # llama.cpp's "-v" timestamp and level
KIND = {'model': 'model_buffer', 'KV': 'kv_cache_per_device', 'RS': 'rs_buffer_per_device',
        'compute': 'compute_buffer', 'output': 'output_buffer'}


def arg(cmd, flag, default=''):
    parts = cmd.split()
    return parts[parts.index(flag) + 1] if flag in parts else default


def mem_rows(res, ref, hw, backend, build, date):
    rows = []
    for fn in sorted(glob.glob(os.path.join(res, 'mem_*.lines'))):
        tag = os.path.basename(fn)[len('mem_'):-len('.lines')]
        text = open(fn, errors='replace').read()
        cmd = open(os.path.join(res, f'mem_{tag}.cmd')).read().strip()
        stem, (model, quant, kind) = model_of(arg(cmd, '-m'))
        n_params = re.search(r'print_info: model params\s*=\s*([0-9.]+) ([MB])', text)
        pb = float(n_params.group(1)) / (1000 if n_params.group(2) == 'M' else 1) if n_params else None
        offl = re.search(r'offloaded (\d+)/(\d+) layers to GPU', text)
        out_gpu = 'offloading output layer to GPU' in text
        base = {
            'source': SOURCE if backend != 'CPU' else 'fitcheck memory helper, own measurement', 'source_ref': f'{ref}/mem_{tag}.lines', 'source_type': 'primary (own llama.cpp -v log)',
            'hardware': hw, 'backend': backend, 'engine': 'llama.cpp llama-completion', 'build': build,
            'model': model, 'params_b': f'{pb:.2f}' if pb else '',
            'active_params_b': f'{active_b(kind, pb * 1e9):.2f}' if pb else '', 'quant': quant,
            'n_ctx': arg(cmd, '-c'), 'cache_type': 'f16', 'n_ubatch': arg(cmd, '-ub', '512'),
            'flash_attn': '1' if arg(cmd, '-fa') == 'on' else '0',
            'gpu_count': '0' if backend == 'CPU' else '1'}
        notes = (f'{date}; synthetic-weight GGUF (tools/gen_model.py {stem}); ngl {arg(cmd, "-ngl")}'
                 + (f'; offloaded {offl.group(1)}/{offl.group(2)} layers' if offl else '')
                 + ('; log says offloading output layer to GPU' if out_gpu else '')
                 + f'; run {tag}; llama-completion {" ".join(cmd.split()[2:])}')
        rss_path = os.path.join(res, f'mem_{tag}.time')
        if os.path.exists(rss_path):
            rss = re.search(r'Maximum resident set size \(kbytes\): (\d+)', open(rss_path).read())
            if rss:
                rows.append(dict(base, metric='peak_resident_set (/usr/bin/time -v)', device='process',
                                 value=f'{int(rss.group(1)) / 1024:.2f}', unit='MiB',
                                 notes=notes + f'; Maximum resident set size {rss.group(1)} kB'))
        fs = re.search(r'print_info: file size\s*=\s*([0-9.]+) (GiB|MiB)', text)
        if fs:
            rows.append(dict(base, metric='gguf_file_size (llama.cpp print_info file size)', device='',
                             value=fs.group(1), unit=fs.group(2), notes=notes))
        for line in text.splitlines():
            line = LOG_PREFIX.sub('', line.strip())
            m = BUF.match(line)
            if m:
                rows.append(dict(base, metric=KIND[m.group(3)], device=m.group(2), value=m.group(4),
                                 unit='MiB', notes=notes + f'; log line "{line}"'))
    return rows


def merge(path, cols, new, ref):
    old = []
    if os.path.exists(path):
        old = [r for r in csv.DictReader(open(path)) if not r['source_ref'].startswith(ref + '/')]
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator='\n')
        w.writeheader()
        w.writerows(old + new)
    return len(new)


if __name__ == '__main__':
    res, ref, hw, bw, basis, backend, date = sys.argv[1:8]
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'data')
    s = speed_rows(res, ref, hw, bw, basis, backend, date)
    for row in s:
        row['quality_flag'] = sys.argv[8] if len(sys.argv) > 8 else ''
    build = s[0]['build'] if s else ''
    version = os.path.join(res, 'version.txt')  # a memory-only run names its build there
    if not build and os.path.exists(version):
        b = re.search(r'b(\d+) \((\w+)\)', open(version).read())
        build = f'{b.group(2)} ({b.group(1)})' if b else ''
    m = mem_rows(res, ref, hw, backend, build, date)
    print('speed rows', merge(os.path.join(data, 'measured_llamacpp_speed.csv'), SPEED_COLS, s, ref))
    print('memory rows', merge(os.path.join(data, 'measured_llamacpp_memory.csv'), MEM_COLS, m, ref))
