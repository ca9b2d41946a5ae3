#!/bin/bash
# One device run of real llama.cpp (CUDA) on synthetic-weight GGUFs: builds llama-bench and
# llama-completion, writes the models, then records speed (llama-bench JSONL) and buffer logs
# (llama-completion -v), most valuable first, each step checked against a deadline.
# Layout: the folder holding this script also holds llama.tar.gz (pruned llama.cpp source with
# gguf-py and vocab files, see tools/prep_llamacpp.sh) and gen_model.py.
# Results go to $OUT: run.log and results.tgz (re-packed after every step, so a timeout keeps
# what was done). Used by the fitcheck gpu helper, 2026-11-26; see docs/measurements.md.
set -u
T_END=${T_END:-500}          # seconds after start when the last step must be over
OUT=${OUT:-/tmp/gt_out}
GT=$(cd "$(dirname "$0")" && pwd)
W=${W:-/tmp/gt}
R=$W/res
mkdir -p "$OUT" "$R"
LOG=$OUT/run.log
export PATH=/usr/local/cuda/bin:$PATH
JOBS=${JOBS:-16}
CUDA=${CUDA:-ON}
log() { echo "[$SECONDS s] $*" | tee -a "$LOG"; }
left() { echo $((T_END - SECONDS)); }
budget() { local l=$(($(left) - 5)); echo $((l < ${CAP:-120} ? l : ${CAP:-120})); }  # one step's limit
pack() { tar czf "$OUT/results.tgz.tmp" -C "$W" res && mv "$OUT/results.tgz.tmp" "$OUT/results.tgz"; }

log "start $(date -u +%FT%TZ)"
(nvidia-smi -q > "$R/nvidia_smi_q.txt" 2>&1; nvidia-smi > "$R/nvidia_smi.txt" 2>&1
 lscpu > "$R/lscpu.txt" 2>&1; nproc >> "$R/lscpu.txt"; free -g > "$R/free.txt" 2>&1
 df -h > "$R/df.txt" 2>&1; nvcc --version > "$R/nvcc.txt" 2>&1; cmake --version >> "$R/nvcc.txt" 2>&1
 uname -a >> "$R/lscpu.txt"
 python3 -c "import torch; print(torch.cuda.get_device_properties(0))" > "$R/torch_device.txt" 2>&1) &

tar xzf "$GT/llama.tar.gz" -C "$W"
SRC=$W/llama.cpp
B=$W/build/bin
if [ -n "${PREBUILT:-}" ]; then B=$PREBUILT; echo 0 > "$W/build.rc"; else
(cmake -S "$SRC" -B "$W/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_CUDA=$CUDA \
   -DCMAKE_CUDA_ARCHITECTURES=90-real -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF \
   -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF \
   -DLLAMA_BUILD_COMMIT=0c1e570 -DLLAMA_BUILD_NUMBER=11312 -DGGML_BUILD_COMMIT=0c1e570 > "$R/build.log" 2>&1 &&
 nice -n 5 cmake --build "$W/build" -j "$JOBS" --target llama-bench llama-completion llama-batched-bench >> "$R/build.log" 2>&1
 echo $? > "$W/build.rc") &
fi

# models go where there is most room; the 70B later wherever 42 GB are free
avail() { df --output=avail -B1G "$1" 2>/dev/null | tail -1 | tr -d ' '; }
M=/tmp/gt_models
for d in /dev/shm /tmp /root /var/tmp; do
  [ -d $d ] && [ -w $d ] && [ "$(avail $d)" -gt "$(avail $(dirname $M))" ] && M=$d/gt_models
done
mkdir -p "$M"
log "models in $M ($(avail $M) GB free)"
VL=$SRC/models/ggml-vocab-llama-bpe.gguf
VQ=$SRC/models/ggml-vocab-qwen2.gguf
gen() { # arch file vocab [recipe]; TINY=1 swaps in the tiny archs (a dry run of this script)
  local a=$1
  [ "${TINY:-0}" = 1 ] && case $a in llama1b|llama3b) a=tinytied;; qwen3moe30b) a=tinymoe;; *) a=tiny;; esac
  local t0=$SECONDS
  if [ -n "${TINY_SRC:-}" ]; then cp "$TINY_SRC/$a.gguf" "$2.part"; else
    PYTHONPATH=$SRC/gguf-py python3 "$GT/gen_model.py" "$a" "$2.part" "$3" ${4:-} > "$R/gen_$(basename $2).log" 2>&1
  fi &&
    mv "$2.part" "$2" && touch "$W/gen_$(basename $2).done"
  echo "gen $(basename $2): rc=$? in $((SECONDS - t0)) s" >> "$R/gen_times.txt"
}
gen llama1b "$M/llama1b.gguf" "$VL" &
gen llama3b "$M/llama3b.gguf" "$VL" &
gen llama8b "$M/llama8b.gguf" "$VL" &
gen qwen3moe30b "$M/qwen3moe30b.gguf" "$VQ" &
gen llama8b "$M/llama8b_q8.gguf" "$VL" q8_0 &
(wait_small() { for f in llama1b llama3b llama8b qwen3moe30b llama8b_q8; do
   while [ ! -f "$W/gen_$f.gguf.done" ] && [ $SECONDS -lt $((T_END - 150)) ]; do sleep 2; done; done; }
 wait_small
 while [ $SECONDS -lt $((T_END - 150)) ]; do
   for d in "$M" /tmp /root /var/tmp /dev/shm; do
     if [ -d "$d" ] && [ "$(avail $d)" -ge 42 ]; then
       mkdir -p "$d/gt70"; echo "$d/gt70" > "$W/m70.dir"
       gen llama70b "$d/gt70/llama70b.gguf" "$VL"; exit 0
     fi
   done
   sleep 3
 done) &

waitfile() { while [ ! -f "$1" ]; do [ "$(left)" -gt 15 ] || return 1; sleep 1; done; }
log "waiting for build"
waitfile "$W/build.rc" || { log "build not done by deadline"; tail -30 "$R/build.log" | tee -a "$LOG"; pack; exit 1; }
if [ "$(cat $W/build.rc)" != 0 ]; then log "build failed"; tail -40 "$R/build.log" | tee -a "$LOG"; pack; exit 1; fi
log "build ok"
"$B/llama-bench" --help > "$R/llama-bench_help.txt" 2>&1
ls "$M" >> "$LOG"

bench() { # tag model-file min-seconds-left args...
  local tag=$1 m=$2 need=$3; shift 3
  [ "$(left)" -ge "$need" ] || { log "skip $tag (deadline)"; return; }
  waitfile "$m" || { log "skip $tag (no model)"; return; }
  log "bench $tag: $*"
  timeout "$(budget)" "$B/llama-bench" -m "$m" "$@" -o jsonl > "$R/bench_$tag.jsonl" 2> "$R/bench_$tag.err"
  log "  rc=$? $(grep -c . "$R/bench_$tag.jsonl") rows"; pack
}
mem() { # tag model-file min-seconds-left args...
  local tag=$1 m=$2 need=$3; shift 3
  [ "$(left)" -ge "$need" ] || { log "skip $tag (deadline)"; return; }
  waitfile "$m" || { log "skip $tag (no model)"; return; }
  log "mem $tag: $*"
  echo "-m $m $*" > "$R/mem_$tag.cmd"
  timeout "$(budget)" "$B/llama-completion" -m "$m" -v -fit off -no-cnv -n 2 -p hi --no-warmup "$@" \
    < /dev/null > "$R/mem_$tag.log" 2>&1
  log "  rc=$?"
  grep -E "buffer size|file size|model params|offload|CUDA[0-9]* model|n_ctx|n_ubatch|n_batch|flash_attn|device .* free|using device" \
    "$R/mem_$tag.log" | grep -v "^llama_model_loader: - " > "$R/mem_$tag.lines"
  gzip -f "$R/mem_$tag.log"; pack
}
bb() { # tag model-file min-seconds-left args...  (llama-batched-bench: aggregate tok/s vs parallel sequences)
  local tag=$1 m=$2 need=$3; shift 3
  [ "$(left)" -ge "$need" ] || { log "skip $tag (deadline)"; return; }
  waitfile "$m" || { log "skip $tag (no model)"; return; }
  log "batched $tag: $*"
  timeout "$(budget)" "$B/llama-batched-bench" -m "$m" "$@" > "$R/bb_$tag.txt" 2>&1
  log "  rc=$?"; grep -E "^\|" "$R/bb_$tag.txt" | tail -12 >> "$LOG"; pack
}
# STEPS=FILE runs that file's steps instead of the default list below.
if [ -n "${STEPS:-}" ]; then
  case $STEPS in /*) ;; *) STEPS=$GT/$STEPS;; esac  # relative to this script's folder
  . "$STEPS"
  log "done"; pack; exit 0
fi
FULL="-ngl 99 -fa 1 -p 512 -n 128 -r 2"
bench llama8b_q4km "$M/llama8b.gguf" 40 $FULL -d 0,8192
bench llama1b_q4km "$M/llama1b.gguf" 30 $FULL
bench qwen3moe30b_q4km "$M/qwen3moe30b.gguf" 40 $FULL -d 0,8192
bench llama3b_q4km "$M/llama3b.gguf" 30 $FULL
bench llama8b_q8 "$M/llama8b_q8.gguf" 30 $FULL
rm -f "$M/llama8b_q8.gguf"
mem llama8b_c8192_ub512 "$M/llama8b.gguf" 25 -ngl 99 -fa on -c 8192 -ub 512
mem llama8b_c8192_ub2048 "$M/llama8b.gguf" 25 -ngl 99 -fa on -c 8192 -ub 2048
mem llama8b_c8192_ngl0 "$M/llama8b.gguf" 25 -ngl 0 -fa on -c 8192
mem llama1b_c8192_ngl8 "$M/llama1b.gguf" 20 -ngl 8 -fa on -c 8192
mem llama1b_c8192_ngl99 "$M/llama1b.gguf" 20 -ngl 99 -fa on -c 8192
mem qwen3moe30b_c32768 "$M/qwen3moe30b.gguf" 30 -ngl 99 -fa on -c 32768
rm -f "$M/qwen3moe30b.gguf"
bench llama8b_q4km_ngl16 "$M/llama8b.gguf" 40 -ngl 16 -fa 1 -p 512 -n 128 -r 2
CUDA_VISIBLE_DEVICES= bench llama1b_q4km_cpu "$M/llama1b.gguf" 40 -ngl 0 -t 16 -fa 1 -p 128 -n 32 -r 2
mem llama3b_c8192_ngl99 "$M/llama3b.gguf" 20 -ngl 99 -fa on -c 8192
if [ "$(left)" -ge 120 ] && [ -f "$W/m70.dir" ]; then
  M70=$(cat "$W/m70.dir")/llama70b.gguf
  CAP=200 bench llama70b_q4km "$M70" 100 -ngl 99 -fa 1 -p 512 -n 64 -r 1
  mem llama70b_c8192 "$M70" 40 -ngl 99 -fa on -c 8192
else
  log "skip 70B ($(left) s left, dir: $(cat $W/m70.dir 2>/dev/null))"
fi
ls -la "$M" $(cat "$W/m70.dir" 2>/dev/null) >> "$LOG" 2>&1
log "done"
pack
