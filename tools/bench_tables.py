"""Reads the llama-bench tables transcribed under tools/public_tables/*.txt into rows of
tests/data/public_speed_2025_2026.csv (used by tools/public_speed_rows.py).

A table file is a list of `key: value` lines (source, ref, date, build, hardware, bw, basis,
backend, engine, gpus, fa, notes, flag) followed by data lines, one llama-bench row each:

    label; size GiB; params B; test; tokens/s[; stddev]

as llama-bench prints them (size "-" where the source prints none: the catalog's is used)
(`llama 8B Q4_K - Medium; 4.58; 8.03; tg128; 83.38`). A key line after data lines changes that
key for the lines below it (several devices in one PR); a line `---` forgets every key, so the
next source starts clean. The numbers are the source's; nothing is estimated. The label maps to
a catalog model when its architecture and parameter count name one (MODELS below), else the row
is checked generically from its size and parameter count. Sources that are not llama-bench
(Ollama `--verbose`, mlx-lm, LM Studio) name the model literally: `= Qwen3 8B / Q4_K_M`, with
`total/active` in the params cell for an MoE (`30.53/3.34`).

A llama-bench markdown table may also be pasted as printed (`| model | size | params | backend |
ngl | ... | test | t/s |` header, then its rows): the header names the columns, the run settings
(ngl, threads, n_ubatch, type_k, ...) go into the row's notes and `fa` into its flash_attn, and
pp+tg mixes (`pp4096+tg128`) are skipped."""
import glob
import os
import re

# llama-bench's (architecture, params in billions) -> (catalog model, active params in billions).
MODELS = {
    ('llama', 1.24): ('Llama 3.2 1B Instruct', 1.24),
    ('llama', 3.21): ('Llama 3.2 3B Instruct', 3.21),
    ('llama', 6.74): ('Llama 2 7B', 6.74),
    ('llama', 7.24): ('Mistral 7B v0.1', 7.24),
    ('llama', 8.03): ('Llama 3.1 8B Instruct', 8.03),
    ('llama', 13.02): ('Llama 2 13B', 13.02),
    ('llama', 70.55): ('Llama 3.1 70B Instruct', 70.55),
    ('llama', 1.10): ('TinyLlama 1.1B', 1.10),
    ('qwen3moe', 30.53): ('Qwen3 30B-A3B', 3.35),
    ('qwen3moe', 235.09): ('Qwen3 235B-A22B', 22.14),
    ('gpt-oss', 20.91): ('gpt-oss 20B', 3.61),
    ('gpt-oss', 116.83): ('gpt-oss 120B', 5.13),
    ('deepseek2', 15.71): ('DeepSeek V2 Lite 16B', 2.66),
    ('qwen2', 14.77): ('DeepSeek-R1-Distill-Qwen 14B', 14.77),
    ('qwen2', 7.62): ('Qwen2.5 7B Instruct', 7.62),
    ('qwen2', 1.54): ('Qwen2.5 1.5B Instruct', 1.54),
    ('qwen2', 0.49): ('Qwen2.5 0.5B Instruct', 0.49),
    ('qwen2', 32.76): ('Qwen2.5 32B Instruct', 32.76),
    ('qwen3', 0.60): ('Qwen3 0.6B', 0.60),
    ('qwen3', 1.72): ('Qwen3 1.7B', 1.72),
    ('qwen3', 4.02): ('Qwen3 4B', 4.02),
    ('qwen3', 8.19): ('Qwen3 8B', 8.19),
    ('qwen3', 14.77): ('Qwen3 14B', 14.77),
    ('qwen3', 32.76): ('Qwen3 32B', 32.76),
    ('phi3', 3.82): ('Phi-3.5 Mini Instruct', 3.82),
    ('gemma3', 0.27): ('Gemma 3 270M', 0.27),
    ('gemma3', 1.00): ('Gemma 3 1B', 1.00),
    ('gemma3', 3.88): ('Gemma 3 4B', 3.88),
    ('gemma3', 11.77): ('Gemma 3 12B', 11.77),
    ('gemma3', 27.01): ('Gemma 3 27B', 27.01),
    ('gemma2', 2.61): ('Gemma 2 2B', 2.61),
    ('gemma2', 9.24): ('Gemma 2 9B', 9.24),
    ('glm4moe', 106.85): ('GLM-4.5-Air 106B-A12B', 12.0),
    ('qwen3next', 79.67): ('Qwen3-Next 80B-A3B', 3.0),
    ('deepseek2', 29.94): ('GLM-4.7-Flash 30B-A3B', 3.0),
    ('qwen35', 26.90): ('Qwen3.5 27B', 26.90),
    ('qwen35moe', 34.66): ('Qwen3.5 35B-A3B', 3.0),
    ('qwen35moe', 35.51): ('Qwen3.6 35B-A3B', 3.0),
    ('gemma4', 25.23): ('Gemma 4 26B-A4B', 3.8),
    ('gemma4', 30.70): ('Gemma 4 31B', 30.70),
    ('llama4', 107.77): ('Llama 4 Scout 17B-16E (109B)', 17.17),
    ('lfm2', 1.17): ('LFM2 1.2B', 1.17),
    ('ernie4_5-moe', 21.83): ('ERNIE 4.5 21B-A3B', 3.0),
}

QUANTS = [  # llama-bench's ftype label -> quant name
    (r'Q4_K - Medium', 'Q4_K_M'), (r'Q4_K - Small', 'Q4_K_S'), (r'Q5_K - Medium', 'Q5_K_M'),
    (r'Q5_K - Small', 'Q5_K_S'), (r'Q3_K - Small', 'Q3_K_S'), (r'Q3_K - Medium', 'Q3_K_M'),
    (r'Q3_K - Large', 'Q3_K_L'), (r'Q2_K - Medium', 'Q2_K'), (r'Q2_K - Small', 'Q2_K'),
    (r'Q6_K', 'Q6_K'), (r'Q8_0', 'Q8_0'), (r'Q4_0', 'Q4_0'), (r'Q4_1', 'Q4_1'), (r'Q5_0', 'Q5_0'),
    (r'Q5_1', 'Q5_1'), (r'MXFP4', 'MXFP4'), (r'IQ4_XS', 'IQ4_XS'), (r'IQ4_NL', 'IQ4_NL'),
    (r'IQ3_XXS', 'IQ3_XXS'), (r'IQ3_S', 'IQ3_S'), (r'IQ2_XXS', 'IQ2_XXS'), (r'IQ2_M', 'IQ2_M'),
    (r'IQ1_S', 'IQ1_S'), (r'BF16', 'BF16'), (r'F16', 'F16'), (r'F32', 'F32'),
]

HEADER_KEYS = ('source', 'ref', 'type', 'date', 'build', 'hardware', 'bw', 'basis', 'backend',
               'engine', 'gpus', 'fa', 'notes', 'flag')


def quant_of(label):
    if label.startswith('='):
        return label.split(' / ', 1)[1].strip()
    for pattern, name in QUANTS:
        if pattern in label:
            return name
    raise ValueError(f'unknown quant in {label!r}')


def model_of(label, params, active=None):
    if label.startswith('='):
        return label[1:].split(' / ')[0].strip(), active if active else params
    arch = label.split()[0]
    known = MODELS.get((arch, round(params, 2)))
    if known and known[0]:
        return known
    # Not in the catalog: architecture and size as llama-bench prints them, dense unless the
    # label names the active parameters (`qwen3moe 30B.A3B`).
    active = re.search(r'\.A(\d+(?:\.\d+)?)B', label)
    return ' '.join(label.split()[:2]), float(active.group(1)) if active else params


# llama-bench's markdown columns that change how a row ran; kept in the row's notes (`ngl 20`,
# `threads 8`, `n_ubatch 2048`, `type_k q8_0`) where the checks read them.
SETTING_COLUMNS = ('ngl', 'threads', 'n_ubatch', 'n_batch', 'type_k', 'type_v', 'mmap', 'dev',
                   'n_cpu_moe', 'sm', 'ts')


def markdown_cells(line):
    return [c.strip() for c in line.strip().strip('|').split('|')]


def markdown_row(columns, line, path, n):
    """One llama-bench markdown row (`| llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg128 |
    83.38 ± 0.12 |`) under the header `columns`, as the `label; size; params; test; t/s; sd`
    cells plus its settings; None for a pp+tg mix, which is neither metric."""
    cells = markdown_cells(line)
    if len(cells) != len(columns):
        raise ValueError(f'{path}:{n}: {len(cells)} cells under a {len(columns)}-column header')
    col = dict(zip(columns, cells))
    test = col['test'].replace(' ', '')
    if '+' in test:
        return None
    tps, _, std = col['t/s'].partition('±')
    settings = {k: col[k] for k in SETTING_COLUMNS if col.get(k)}
    size = col['size'].split()
    size = str(float(size[0]) / 1024) if size[1:] == ['MiB'] else size[0]
    cells = [col['model'], size, col['params'].split()[0], test, tps.strip(), std.strip()]
    return cells, settings, col.get('fa', '')


def read(path):
    head, out, columns = {}, [], None
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('|'):
            # A llama-bench markdown table pasted as printed: its header names the columns.
            cells = markdown_cells(line)
            if cells[0] == 'model':
                columns = cells
                continue
            if set(line) <= set('|-: '):
                continue
            if columns is None:
                raise ValueError(f'{path}:{n}: table row before a `| model | ... |` header')
            parsed = markdown_row(columns, line, path, n)
            if parsed is None:
                continue
            cells, settings, fa = parsed
            out.append(table_row(head, cells, path, n, settings, fa))
            continue
        key, sep, value = line.partition(':')
        if line == '---':
            head = {}
            continue
        if sep and key in HEADER_KEYS and ';' not in key:
            head[key] = value.strip()
            continue
        cells = [c.strip() for c in line.split(';')]
        if len(cells) < 5:
            raise ValueError(f'{path}:{n}: want label; size; params; test; t/s')
        out.append(table_row(head, cells, path, n))
    return out


def table_row(head, cells, path, n, settings=None, fa=''):
    label, size, params, test, tps = cells[:5]
    # `bw: -` says the source gives no bandwidth and none is known (a cloud VM, an old desktop)
    missing = [k for k in ('source', 'ref', 'hardware', 'bw', 'backend', 'build', 'date')
               if not head.get(k)]
    if missing:
        raise ValueError(f'{path}:{n}: no {", ".join(missing)} above this row')
    total, _, act = params.partition('/')
    model, active = model_of(label, float(total), float(act) if act else None)
    quant = quant_of(label)
    return dict(head=dict(head), label=label.lstrip('= '), model=model, params=float(total), active=active,
                quant=quant, size=None if size == '-' else float(size), test=test.replace(' ', ''),
                value=float(tps), std=cells[5] if len(cells) > 5 else '',
                settings=settings or {}, fa=fa)


def rows(shape):
    """All table rows as CSV dicts; `shape` splits a test name into (kind, n, depth)."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = []
    for path in sorted(glob.glob(os.path.join(here, 'public_tables', '*.txt'))):
        for r in read(path):
            h = r['head']
            kind, n, d = shape(r['test'])
            settings = '; '.join(f'{k} {v}' for k, v in r['settings'].items())
            notes = '; '.join(x for x in (h['date'], h.get('notes', ''), settings,
                                          f"label as printed: {r['label']}") if x)
            out.append({
                'source': h['source'], 'source_ref': h['ref'],
                'source_type': h.get('type', 'primary (llama-bench table)'),
                'hardware': h['hardware'], 'gpu_count': h.get('gpus', '1'),
                'memory_bandwidth_gbps': '' if h['bw'] == '-' else h['bw'], 'bw_basis': h.get('basis', 'vendor spec'),
                'backend': h['backend'], 'engine': h.get('engine', 'llama.cpp llama-bench'),
                'build': h['build'], 'model': r['model'], 'params_b': r['params'],
                'active_params_b': r['active'], 'quant': r['quant'],
                'model_size_gib': '' if r['size'] is None else f"{r['size']:.2f}", 'test': r['test'],
                'n_prompt': n if kind == 'pp' else 0, 'n_gen': n if kind == 'tg' else 0,
                'depth': d, 'n_ctx': '', 'flash_attn': r['fa'] or h.get('fa', ''),
                'metric': 'prefill_tps' if kind == 'pp' else 'decode_tps', 'value': r['value'],
                'unit': 'tokens/s', 'stddev': r['std'], 'quality_flag': h.get('flag', ''),
                'notes': notes})
    return out


def dedupe(rs):
    """Drops rows that repeat another source's measurement (same device, backend, model, quant,
    test and value): the same table quoted twice. Rows of one source are its own runs, even when
    two of them round to the same value."""
    seen, out = {}, []
    for r in rs:
        key = (r['hardware'].lower(), r['backend'].lower(), str(r['model']).lower(),
               str(r['quant']).lower(), r['test'], f"{float(r['value']):.2f}")
        if seen.setdefault(key, r['source_ref']) != r['source_ref']:
            continue
        out.append(r)
    return out
