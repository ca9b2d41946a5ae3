# Steps of the second H200 run (2026-11-26, tests/data/raw/h200_2026-11-26_run2/), sourced by
# tools/gpu_measure.sh when STEPS names this file: batched decode, 8B sweeps, CPU threads.
BB="-ngl 99 -fa on -npp 512 -ntg 128 -npl 1,2,4,8,16,32 -c 24576"
bb llama8b_q4km "$M/llama8b.gguf" 40 $BB
bb qwen3moe30b_q4km "$M/qwen3moe30b.gguf" 40 $BB
bench llama8b_depth "$M/llama8b.gguf" 30 -ngl 99 -fa 1 -p 512 -n 128 -r 1 -d 4096,16384,32768
bench llama8b_ubatch "$M/llama8b.gguf" 20 -ngl 99 -fa 1 -p 2048 -n 0 -r 1 -ub 128,256,1024,2048
bench llama8b_offload_sweep "$M/llama8b.gguf" 40 -fa 1 -p 512 -n 128 -r 1 -ngl 0,8,24
CUDA_VISIBLE_DEVICES= bench llama1b_cpu_threads "$M/llama1b.gguf" 30 -ngl 0 -fa 1 -p 128 -n 32 -r 1 -t 1,2,4,8
CUDA_VISIBLE_DEVICES= bench llama8b_cpu_threads "$M/llama8b.gguf" 40 -ngl 0 -fa 1 -p 64 -n 16 -r 1 -t 4,16
bb llama1b_q4km "$M/llama1b.gguf" 25 $BB
mem llama8b_c32768_ub512_np4 "$M/llama8b.gguf" 20 -ngl 99 -fa on -c 32768 -np 4
mem qwen3moe30b_ngl0 "$M/qwen3moe30b.gguf" 25 -ngl 0 -fa on -c 8192
