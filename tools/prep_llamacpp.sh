#!/bin/bash
# Prunes the llama.cpp tree vendored in PyPI's llama-cpp-python sdist to what a CPU/CUDA build of
# llama-bench, llama-completion and llama-fit-params needs (plus gguf-py and two vocab files), and
# packs it with gen_model.py and gpu_measure.sh into DEST (default /work/main/.gt, the folder a
# device run carries). Usage: prep_llamacpp.sh [DEST]
set -eu
DEST=${1:-/work/main/.gt}
T=$(mktemp -d)
pip download --no-deps --no-binary llama-cpp-python -d "$T" llama-cpp-python==0.3.36
tar xzf "$T"/llama_cpp_python-0.3.36.tar.gz -C "$T"
S=$T/llama_cpp_python-0.3.36/vendor/llama.cpp   # llama.cpp 0c1e57098 (b11312, 2026-10-01)
D=$T/llama.cpp
mkdir -p "$D/ggml/src" "$D/tools" "$D/models"
(cd "$S" && cp -r CMakeLists.txt cmake common include src vendor licenses gguf-py LICENSE "$D/")
(cd "$S/ggml" && cp -r CMakeLists.txt cmake include "$D/ggml/")
(cd "$S/ggml/src" && for f in *; do case $f in ggml-*) [ -d "$f" ] && continue;; esac; cp -r "$f" "$D/ggml/src/"; done
 cp -r ggml-cpu ggml-cuda "$D/ggml/src/")
(cd "$S" && cp -r tools/llama-bench tools/completion tools/fit-params tools/batched-bench "$D/tools/"
 cp models/ggml-vocab-llama-bpe.gguf models/ggml-vocab-qwen2.gguf "$D/models/")
cat > "$D/tools/CMakeLists.txt" <<'CM'
# pruned by fitcheck tools/prep_llamacpp.sh: only the tools the measurements use
find_package(Threads REQUIRED)
llama_add_compile_flags()
add_subdirectory(llama-bench)
add_subdirectory(completion)
add_subdirectory(fit-params)
add_subdirectory(batched-bench)
CM
mkdir -p "$DEST"
tar czf "$DEST/llama.tar.gz" -C "$T" llama.cpp
cp "$(dirname "$0")/gen_model.py" "$(dirname "$0")/gpu_measure.sh" "$(dirname "$0")/gpu_steps_run2.sh" "$DEST/"
rm -rf "$T"
echo "packed into $DEST"
