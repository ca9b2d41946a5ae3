#!/bin/bash
# CPU-only llama.cpp buffer logs and peak resident memory, for the CPU-path constants
# (docs/accuracy.md, "Overheads, line by line"). Each run is llama-completion -v with one thread,
# weights read into memory (`-lm none`: no mmap, so every weight page is resident) and
# /usr/bin/time -v for the peak resident set (compute pages a short prompt never touches are not
# resident). Writes the raw layout tools/measured_to_csv.py reads (mem_TAG.cmd, mem_TAG.lines)
# plus mem_TAG.time.
# Usage: cpu_memory.sh BUILD_BIN_DIR MODEL_DIR OUT_DIR
# MODEL_DIR holds llama1b.gguf, tiny.gguf, gemma3_1b.gguf and qwen3moe30b_2l.gguf
# (tools/gen_model.py). Buffer sizes are deterministic; the machine may be busy.
set -u
B=$1 M=$2 R=$3
mkdir -p "$R"
LOG=$R/run.log
log() { echo "[$(date -u +%FT%TZ)] $* (load: $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$LOG"; }
lscpu > "$R/lscpu.txt"
mem() { # tag model args...
  local tag=$1 m=$2; shift 2
  log "mem $tag: $*"
  echo "-m $m -t 1 -lm none -ngl 0 $*" > "$R/mem_$tag.cmd"
  nice -n 10 /usr/bin/time -v "$B/llama-completion" -m "$m" -t 1 -v -fit off -no-cnv -n 1 -p hi \
    --no-warmup -lm none -ngl 0 "$@" < /dev/null > "$R/mem_$tag.log" 2>&1
  log "  rc=$?"
  grep -E "buffer size|file size|model params|n_ctx|n_ubatch|n_batch|flash_attn|build: |system_info" \
    "$R/mem_$tag.log" | grep -v "^llama_model_loader: - " > "$R/mem_$tag.lines"
  grep -E "Maximum resident set size|Elapsed \(wall" "$R/mem_$tag.log" > "$R/mem_$tag.time"
  rm -f "$R/mem_$tag.log"
}
# The process's own memory: smallest buffers (256 cells, 32-token ubatch), so the peak resident
# set less the (fully read) weights bounds it from above, less every buffer from below.
for m in tiny llama1b gemma3_1b qwen3moe30b_2l; do
  mem ${m}_c256_ub32 "$M/$m.gguf" -c 256 -b 32 -ub 32 -fa on
done
# The buffers at the default ubatch, with and without flash attention, short and long context.
mem tiny_c4096 "$M/tiny.gguf" -c 4096 -fa on
mem llama1b_c4096 "$M/llama1b.gguf" -c 4096 -fa on
mem llama1b_c4096_fa0 "$M/llama1b.gguf" -c 4096 -fa off
mem llama1b_c32768 "$M/llama1b.gguf" -c 32768 -fa on
mem llama1b_c4096_ub2048 "$M/llama1b.gguf" -c 4096 -fa on -b 2048 -ub 2048
mem gemma3_1b_c4096 "$M/gemma3_1b.gguf" -c 4096 -fa on
mem gemma3_1b_c32768 "$M/gemma3_1b.gguf" -c 32768 -fa on
mem gemma3_1b_c4096_fa0 "$M/gemma3_1b.gguf" -c 4096 -fa off
mem qwen3moe30b_2l_c4096 "$M/qwen3moe30b_2l.gguf" -c 4096 -fa on
mem qwen3moe30b_2l_c32768 "$M/qwen3moe30b_2l.gguf" -c 32768 -fa on
log done
