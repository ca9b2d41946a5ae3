#!/usr/bin/env python3
"""Turns llama-batched-bench tables (bb_*.txt of a device run, as committed under tests/data/raw/)
into rows of tests/data/measured_llamacpp_batched.csv: per number of parallel sequences B, the
prompt and generation throughput summed over all sequences (S_PP, S_TG) as llama-batched-bench
prints them. Usage: batched_to_csv.py RAW_DIR HARDWARE BUILD DATE > CSV"""
import csv
import glob
import os
import sys

MODELS = {'llama1b_q4km': ('Llama-3.2-1B', 'Q4_K_M'), 'llama8b_q4km': ('Llama-3.1-8B', 'Q4_K_M'),
          'qwen3moe30b_q4km': ('Qwen3-30B-A3B', 'Q4_K_M')}
COLS = ['source', 'source_ref', 'hardware', 'backend', 'engine', 'build', 'model', 'quant',
        'n_prompt', 'n_gen', 'parallel', 'n_kv', 'flash_attn', 'prefill_tps_total',
        'decode_tps_total', 'decode_tps_per_stream', 'notes']

raw, hw, build, date = sys.argv[1:5]
out = csv.DictWriter(sys.stdout, COLS, lineterminator='\n')
out.writeheader()
for fn in sorted(glob.glob(os.path.join(raw, 'bb_*.txt'))):
    tag = os.path.basename(fn)[3:-4]
    model, quant = MODELS[tag]
    for line in open(fn):
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) != 10 or not cells[0].isdigit():
            continue
        pp, tg, b, nkv, _tpp, spp, _ttg, stg, _t, _s = cells
        out.writerow({'source': 'fitcheck lead, own measurement (llama-batched-bench)',
                      'source_ref': os.path.relpath(fn, os.getcwd()), 'hardware': hw,
                      'backend': 'CUDA', 'engine': 'llama.cpp llama-batched-bench', 'build': build,
                      'model': model, 'quant': quant, 'n_prompt': pp, 'n_gen': tg, 'parallel': b,
                      'n_kv': nkv, 'flash_attn': 1, 'prefill_tps_total': spp,
                      'decode_tps_total': stg,
                      'decode_tps_per_stream': f'{float(stg) / int(b):.2f}',
                      'notes': f'{date}; -ngl 99 -fa on -npp 512 -ntg 128 -c 24576, n_ubatch 512, '
                               'separate prompts per sequence (not shared); synthetic-weight GGUF'})
