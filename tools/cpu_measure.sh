#!/bin/bash
# CPU-only llama.cpp measurements on the machine in front of you: llama-bench and buffer logs
# (llama-completion -v) for the synthetic Llama-3.2-1B and the tiny test model, written in the
# raw layout tools/measured_to_csv.py reads. Usage: cpu_measure.sh BUILD_BIN_DIR MODEL_DIR OUT_DIR
# MODEL_DIR holds llama1b.gguf and tiny.gguf from tools/gen_model.py. Runs niced; the load
# average before and after each step is logged, since a shared machine makes CPU speed noisy.
set -u
B=$1 M=$2 R=$3
T=${THREADS:-2}
mkdir -p "$R"
LOG=$R/run.log
log() { echo "[$(date -u +%FT%TZ)] $* (load: $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$LOG"; }
lscpu > "$R/lscpu.txt"; free -g > "$R/free.txt"
log "start, $T threads"
bench() { # tag model args...
  local tag=$1 m=$2; shift 2
  log "bench $tag: $*"
  nice -n 15 "$B/llama-bench" -m "$m" -t "$T" "$@" -o jsonl > "$R/bench_$tag.jsonl" 2> "$R/bench_$tag.err"
  log "  rc=$?"
}
mem() { # tag model args...
  local tag=$1 m=$2; shift 2
  log "mem $tag: $*"
  echo "-m $m $*" > "$R/mem_$tag.cmd"
  nice -n 15 "$B/llama-completion" -m "$m" -t "$T" -v -fit off -no-cnv -n 2 -p hi --no-warmup "$@" \
    < /dev/null > "$R/mem_$tag.log" 2>&1
  log "  rc=$?"
  grep -E "buffer size|file size|model params|offload|n_ctx|n_ubatch|n_batch|flash_attn" "$R/mem_$tag.log" \
    | grep -v "^llama_model_loader: - " > "$R/mem_$tag.lines"
  rm -f "$R/mem_$tag.log"
}
bench llama1b_q4km_cpu "$M/llama1b.gguf" -ngl 0 -fa 1 -p 128,512 -n 32 -r 2
bench tiny_q4km_cpu "$M/tiny.gguf" -ngl 0 -fa 1 -p 512 -n 128 -r 3
mem llama1b_c4096_cpu "$M/llama1b.gguf" -ngl 0 -fa on -c 4096
mem tiny_c4096_cpu "$M/tiny.gguf" -ngl 0 -fa on -c 4096
log done
