# Generates the breadth section of catalog.ron from a compact table (kept for review; the catalog
# is the source of truth). Each row: id, name, family, hf repo, ollama tags, params, active,
# arch dict, use cases, licence, released.
def arch(kind, L, h, heads, kv, hd, ffn, vocab, ctx, tied=False, ext=None, extra=""):
    s = f'(kind: "{kind}", layers: {L}, hidden: {h}, heads: {heads}, kv_heads: {kv}, head_dim: {hd}, ffn: {ffn}, vocab: {vocab}'
    if tied: s += ", tied_embeddings: true"
    s += f", context: {ctx}"
    if ext: s += f", context_extended: {ext}"
    if extra: s += ", " + extra
    return s + ")"
def moe(e, k, eff, shared=0, sffn=None, lead=0):
    s = f"moe: (experts: {e}, used: {k}, expert_ffn: {eff}"
    if shared: s += f", shared: {shared}"
    if sffn: s += f", shared_ffn: {sffn}"
    if lead: s += f", leading_dense: {lead}"
    return s + ")"
M = []
def add(id, name, family, repo, tags, params, a, uses, lic, rel, active=None, aliases=()):
    M.append((id, name, family, repo, tags, params, active, a, uses, lic, rel, aliases))

L31_8 = arch("llama", 32, 4096, 32, 8, 128, 14336, 128256, 131072)
L31_70 = arch("llama", 80, 8192, 64, 8, 128, 28672, 128256, 131072)
add("llama-3.1-405b", "Llama 3.1 405B Instruct", "Llama 3.1", "meta-llama/Llama-3.1-405B-Instruct", ["llama3.1:405b"], 405853388800, arch("llama", 126, 16384, 128, 8, 128, 53248, 128256, 131072), ["chat", "reasoning", "research"], "Llama 3.1 Community", "2024-07")
add("hermes-3-llama-3.1-8b", "Hermes 3 Llama 3.1 8B", "Hermes", "NousResearch/Hermes-3-Llama-3.1-8B", ["hermes3:8b", "hermes3"], 8030261248, L31_8, ["chat", "tool-calling", "roleplay"], "Llama 3.1 Community", "2024-08")
add("hermes-3-llama-3.1-70b", "Hermes 3 Llama 3.1 70B", "Hermes", "NousResearch/Hermes-3-Llama-3.1-70B", ["hermes3:70b"], 70553706496, L31_70, ["chat", "tool-calling"], "Llama 3.1 Community", "2024-08")
add("llama-3.1-nemotron-70b", "Llama 3.1 Nemotron 70B Instruct", "Nemotron", "nvidia/Llama-3.1-Nemotron-70B-Instruct-HF", ["nemotron:70b"], 70553706496, L31_70, ["chat", "reasoning"], "Llama 3.1 Community", "2024-10", aliases=["Llama-3.1-Nemotron-70B-Instruct"])
add("llama-3.1-nemotron-nano-8b", "Llama 3.1 Nemotron Nano 8B", "Nemotron", "nvidia/Llama-3.1-Nemotron-Nano-8B-v1", [], 8030261248, L31_8, ["reasoning", "edge"], "NVIDIA Open Model", "2025-03")
add("codellama-7b", "Code Llama 7B Instruct", "Code Llama", "codellama/CodeLlama-7b-Instruct-hf", ["codellama:7b", "codellama"], 6738546688, arch("llama", 32, 4096, 32, 32, 128, 11008, 32016, 16384), ["coding"], "Llama 2 Community", "2023-08")
add("codellama-13b", "Code Llama 13B Instruct", "Code Llama", "codellama/CodeLlama-13b-Instruct-hf", ["codellama:13b"], 13016028160, arch("llama", 40, 5120, 40, 40, 128, 13824, 32016, 16384), ["coding"], "Llama 2 Community", "2023-08")
add("codellama-34b", "Code Llama 34B Instruct", "Code Llama", "codellama/CodeLlama-34b-Instruct-hf", ["codellama:34b"], 33743970304, arch("llama", 48, 8192, 64, 8, 128, 22016, 32000, 16384), ["coding"], "Llama 2 Community", "2023-08")
Q25 = lambda L, h, heads, kv, ffn, vocab, tied: arch("qwen2", L, h, heads, kv, 128 if h // heads == 128 else h // heads, ffn, vocab, 32768, tied=tied, ext=131072)
add("qwen2.5-0.5b", "Qwen2.5 0.5B Instruct", "Qwen 2.5", "Qwen/Qwen2.5-0.5B-Instruct", ["qwen2.5:0.5b"], 494032768, arch("qwen2", 24, 896, 14, 2, 64, 4864, 151936, 32768, tied=True), ["edge"], "Apache-2.0", "2024-09")
add("qwen2.5-1.5b", "Qwen2.5 1.5B Instruct", "Qwen 2.5", "Qwen/Qwen2.5-1.5B-Instruct", ["qwen2.5:1.5b"], 1543714304, arch("qwen2", 28, 1536, 12, 2, 128, 8960, 151936, 32768, tied=True), ["edge", "chat"], "Apache-2.0", "2024-09")
add("qwen2.5-3b", "Qwen2.5 3B Instruct", "Qwen 2.5", "Qwen/Qwen2.5-3B-Instruct", ["qwen2.5:3b"], 3085938688, arch("qwen2", 36, 2048, 16, 2, 128, 11008, 151936, 32768, tied=True), ["edge", "chat"], "Qwen Research", "2024-09")
add("qwen2.5-72b", "Qwen2.5 72B Instruct", "Qwen 2.5", "Qwen/Qwen2.5-72B-Instruct", ["qwen2.5:72b"], 72706203648, arch("qwen2", 80, 8192, 64, 8, 128, 29568, 152064, 32768, ext=131072), ["chat", "coding", "reasoning"], "Qwen", "2024-09")
add("qwen2.5-coder-1.5b", "Qwen2.5 Coder 1.5B", "Qwen 2.5", "Qwen/Qwen2.5-Coder-1.5B-Instruct", ["qwen2.5-coder:1.5b"], 1543714304, arch("qwen2", 28, 1536, 12, 2, 128, 8960, 151936, 32768, tied=True), ["coding", "autocomplete"], "Apache-2.0", "2024-11", aliases=["Qwen2.5-Coder-1.5B"])
add("qwen2.5-coder-3b", "Qwen2.5 Coder 3B", "Qwen 2.5", "Qwen/Qwen2.5-Coder-3B-Instruct", ["qwen2.5-coder:3b"], 3085938688, arch("qwen2", 36, 2048, 16, 2, 128, 11008, 151936, 32768, tied=True), ["coding", "autocomplete"], "Qwen Research", "2024-11")
add("qwen2.5-coder-14b", "Qwen2.5 Coder 14B", "Qwen 2.5", "Qwen/Qwen2.5-Coder-14B-Instruct", ["qwen2.5-coder:14b"], 14770033664, arch("qwen2", 48, 5120, 40, 8, 128, 13824, 152064, 32768, ext=131072), ["coding"], "Apache-2.0", "2024-11")
add("qwen2.5-math-7b", "Qwen2.5 Math 7B Instruct", "Qwen 2.5", "Qwen/Qwen2.5-Math-7B-Instruct", [], 7615616512, arch("qwen2", 28, 3584, 28, 4, 128, 18944, 152064, 4096), ["math"], "Apache-2.0", "2024-09")
add("qwq-32b", "QwQ 32B", "Qwen 2.5", "Qwen/QwQ-32B", ["qwq:32b", "qwq"], 32763876352, arch("qwen2", 64, 5120, 40, 8, 128, 27648, 152064, 131072), ["reasoning", "math"], "Apache-2.0", "2025-03")
Q3_30 = arch("qwen3moe", 48, 2048, 32, 4, 128, 0, 151936, 262144, extra=moe(128, 8, 768))
add("qwen3-30b-a3b-2507", "Qwen3 30B-A3B Instruct 2507", "Qwen 3", "Qwen/Qwen3-30B-A3B-Instruct-2507", ["qwen3:30b-a3b-instruct-2507"], 30532122624, Q3_30, ["chat", "agents", "long-context"], "Apache-2.0", "2025-07", active=3340000000, aliases=["Qwen3-30B-A3B-Instruct-2507"])
add("qwen3-30b-a3b-thinking-2507", "Qwen3 30B-A3B Thinking 2507", "Qwen 3", "Qwen/Qwen3-30B-A3B-Thinking-2507", ["qwen3:30b-a3b-thinking-2507"], 30532122624, Q3_30, ["reasoning", "math"], "Apache-2.0", "2025-07", active=3340000000)
add("qwen3-4b-thinking-2507", "Qwen3 4B Thinking 2507", "Qwen 3", "Qwen/Qwen3-4B-Thinking-2507", ["qwen3:4b-thinking"], 4022468096, arch("qwen3", 36, 2560, 32, 8, 128, 9728, 151936, 262144, tied=True), ["reasoning", "edge"], "Apache-2.0", "2025-08")
add("qwen3-235b-a22b-2507", "Qwen3 235B-A22B Instruct 2507", "Qwen 3", "Qwen/Qwen3-235B-A22B-Instruct-2507", ["qwen3:235b-a22b-instruct-2507"], 235093634560, arch("qwen3moe", 94, 4096, 64, 4, 128, 0, 151936, 262144, extra=moe(128, 8, 1536)), ["chat", "reasoning", "research"], "Apache-2.0", "2025-07", active=22000000000)
add("qwen3-coder-480b-a35b", "Qwen3 Coder 480B-A35B", "Qwen 3", "Qwen/Qwen3-Coder-480B-A35B-Instruct", ["qwen3-coder:480b"], 480154875904, arch("qwen3moe", 62, 6144, 96, 8, 128, 0, 151936, 262144, extra=moe(160, 8, 2560)), ["coding", "agents"], "Apache-2.0", "2025-07", active=35000000000)
add("deepseek-r1-0528-qwen3-8b", "DeepSeek-R1-0528-Qwen3 8B", "DeepSeek R1 Distill", "deepseek-ai/DeepSeek-R1-0528-Qwen3-8B", ["deepseek-r1:8b-0528-qwen3"], 8190735360, arch("qwen3", 36, 4096, 32, 8, 128, 12288, 151936, 131072), ["reasoning", "math"], "MIT", "2025-05")
Q35G = 'attn_output_gate: true, hybrid: (layout: Interval(4), state: GatedDeltaNet(conv_kernel: 4, key_heads: 16, value_heads: %d, key_dim: 128, value_dim: 128))'
add("qwen3.5-27b", "Qwen3.5 27B", "Qwen 3.5", "Qwen/Qwen3.5-27B", ["qwen3.5:27b"], 26900000000, arch("qwen35", 64, 5120, 24, 4, 256, 17408, 248320, 262144, extra=Q35G % 48), ["coding", "reasoning"], "Apache-2.0", "2026-02")
add("qwen3.5-35b-a3b", "Qwen3.5 35B-A3B", "Qwen 3.5", "Qwen/Qwen3.5-35B-A3B", ["qwen3.5:35b"], 34660610688, arch("qwen35moe", 40, 2048, 16, 2, 256, 0, 248320, 262144, extra=moe(256, 8, 512, 1) + ", " + Q35G % 32), ["coding", "agents"], "Apache-2.0", "2026-02", active=3000000000, aliases=["Qwen3.5-35B-A3B"])
add("gemma-2-2b", "Gemma 2 2B", "Gemma 2", "google/gemma-2-2b-it", ["gemma2:2b"], 2614341888, arch("gemma2", 26, 2304, 8, 4, 256, 9216, 256000, 8192, tied=True, extra="attention: Sliding(window: 4096, period: 2)"), ["edge", "chat"], "Gemma", "2024-07")
add("gemma-3-270m", "Gemma 3 270M", "Gemma 3", "google/gemma-3-270m-it", ["gemma3:270m"], 268098176, arch("gemma3", 18, 640, 4, 1, 256, 2048, 262144, 32768, tied=True, extra="attention: Sliding(window: 512, period: 6)"), ["edge", "fine-tuning"], "Gemma", "2025-08")
add("phi-3.5-mini", "Phi-3.5 Mini Instruct", "Phi 3.5", "microsoft/Phi-3.5-mini-instruct", ["phi3.5:3.8b", "phi3.5"], 3821079552, arch("phi3", 32, 3072, 32, 32, 96, 8192, 32064, 131072), ["chat", "edge", "long-context"], "MIT", "2024-08")
add("phi-3.5-moe", "Phi-3.5 MoE Instruct", "Phi 3.5", "microsoft/Phi-3.5-MoE-instruct", [], 41873153024, arch("phimoe", 32, 4096, 32, 8, 128, 0, 32064, 131072, extra=moe(16, 2, 6400)), ["chat", "reasoning"], "MIT", "2024-08", active=6600000000)
add("phi-3-medium", "Phi-3 Medium 14B Instruct", "Phi 3", "microsoft/Phi-3-medium-128k-instruct", ["phi3:14b"], 13960238080, arch("phi3", 40, 5120, 40, 10, 128, 17920, 32064, 131072), ["chat", "reasoning"], "MIT", "2024-05")
add("phi-4-mini", "Phi-4 Mini Instruct", "Phi 4", "microsoft/Phi-4-mini-instruct", ["phi4-mini:3.8b", "phi4-mini"], 3836021760, arch("phi3", 32, 3072, 24, 8, 128, 8192, 200064, 131072, tied=True), ["chat", "edge", "function-calling"], "MIT", "2025-02")
add("phi-4-mini-reasoning", "Phi-4 Mini Reasoning", "Phi 4", "microsoft/Phi-4-mini-reasoning", ["phi4-mini-reasoning"], 3836021760, arch("phi3", 32, 3072, 24, 8, 128, 8192, 200064, 131072, tied=True), ["math", "reasoning", "edge"], "MIT", "2025-04")
add("phi-4-reasoning", "Phi-4 Reasoning 14B", "Phi 4", "microsoft/Phi-4-reasoning", ["phi4-reasoning:14b"], 14659507200, arch("phi3", 40, 5120, 40, 10, 128, 17920, 100352, 32768), ["reasoning", "math", "coding"], "MIT", "2025-04")
MS = arch("llama", 40, 5120, 32, 8, 128, 32768, 131072, 131072)
add("mistral-small-3.2-24b", "Mistral Small 3.2 24B", "Mistral", "mistralai/Mistral-Small-3.2-24B-Instruct-2506", ["mistral-small3.2:24b", "mistral-small3.2"], 23572403200, MS, ["chat", "structured-output", "tool-calling"], "Apache-2.0", "2025-06")
add("mistral-small-24b-2501", "Mistral Small 3 24B", "Mistral", "mistralai/Mistral-Small-24B-Instruct-2501", ["mistral-small:24b"], 23572403200, arch("llama", 40, 5120, 32, 8, 128, 32768, 131072, 32768), ["chat"], "Apache-2.0", "2025-01")
add("magistral-small-24b", "Magistral Small 24B", "Mistral", "mistralai/Magistral-Small-2506", ["magistral:24b", "magistral"], 23572403200, MS, ["reasoning"], "Apache-2.0", "2025-06")
add("devstral-small-24b", "Devstral Small 1.1 24B", "Mistral", "mistralai/Devstral-Small-2507", ["devstral:24b", "devstral"], 23572403200, MS, ["coding", "agents"], "Apache-2.0", "2025-07")
add("mistral-nemo-12b", "Mistral Nemo 12B Instruct", "Mistral", "mistralai/Mistral-Nemo-Instruct-2407", ["mistral-nemo:12b", "mistral-nemo"], 12247782400, arch("llama", 40, 5120, 32, 8, 128, 14336, 131072, 131072), ["chat", "multilingual"], "Apache-2.0", "2024-07")
add("ministral-8b", "Ministral 8B Instruct 2410", "Mistral", "mistralai/Ministral-8B-Instruct-2410", ["ministral:8b"], 8019808256, arch("llama", 36, 4096, 32, 8, 128, 12288, 131072, 32768, ext=131072), ["chat", "edge"], "Mistral Research", "2024-10")
add("codestral-22b", "Codestral 22B", "Mistral", "mistralai/Codestral-22B-v0.1", ["codestral:22b", "codestral"], 22247282688, arch("llama", 56, 6144, 48, 8, 128, 16384, 32768, 32768), ["coding", "autocomplete"], "Mistral Non-Production", "2024-05")
add("mixtral-8x7b", "Mixtral 8x7B Instruct", "Mistral", "mistralai/Mixtral-8x7B-Instruct-v0.1", ["mixtral:8x7b", "mixtral"], 46702792704, arch("llama", 32, 4096, 32, 8, 128, 0, 32000, 32768, extra=moe(8, 2, 14336)), ["chat"], "Apache-2.0", "2023-12", active=12900000000)
add("mixtral-8x22b", "Mixtral 8x22B Instruct", "Mistral", "mistralai/Mixtral-8x22B-Instruct-v0.1", ["mixtral:8x22b"], 140630071296, arch("llama", 56, 6144, 48, 8, 128, 0, 32768, 65536, extra=moe(8, 2, 16384)), ["chat", "coding"], "Apache-2.0", "2024-04", active=39100000000)
add("mistral-large-2", "Mistral Large 2 123B", "Mistral", "mistralai/Mistral-Large-Instruct-2407", ["mistral-large:123b", "mistral-large"], 122610069504, arch("llama", 88, 12288, 96, 8, 128, 28672, 32768, 131072), ["chat", "reasoning", "coding"], "Mistral Research", "2024-07")
DSV3 = arch("deepseek2", 61, 7168, 128, 128, 192, 18432, 129280, 163840, extra='value_head_dim: 128, attention: Mla(kv_lora_rank: 512, rope_dim: 64, q_lora_rank: 1536, nope_dim: 128), ' + moe(256, 8, 2048, 1, None, 3))
add("deepseek-v3.1", "DeepSeek V3.1 671B", "DeepSeek V3", "deepseek-ai/DeepSeek-V3.1", ["deepseek-v3.1:671b", "deepseek-v3.1"], 671026419200, DSV3, ["chat", "coding", "agents"], "MIT", "2025-08", active=37000000000)
add("deepseek-r1-0528", "DeepSeek R1 0528 671B", "DeepSeek R1", "deepseek-ai/DeepSeek-R1-0528", ["deepseek-r1:671b-0528"], 671026419200, DSV3, ["reasoning", "math", "coding"], "MIT", "2025-05", active=37000000000)
DSV2L = arch("deepseek2", 27, 2048, 16, 16, 192, 10944, 102400, 32768, ext=163840, extra='value_head_dim: 128, attention: Mla(kv_lora_rank: 512, rope_dim: 64, nope_dim: 128), ' + moe(64, 6, 1408, 2, None, 1))
add("deepseek-v2-lite", "DeepSeek V2 Lite 16B", "DeepSeek V2", "deepseek-ai/DeepSeek-V2-Lite-Chat", ["deepseek-v2:16b"], 15706484224, DSV2L, ["chat"], "DeepSeek", "2024-05", active=2400000000)
add("deepseek-coder-v2-lite", "DeepSeek Coder V2 Lite 16B", "DeepSeek V2", "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct", ["deepseek-coder-v2:16b", "deepseek-coder-v2"], 15706484224, DSV2L, ["coding"], "DeepSeek", "2024-06", active=2400000000)
add("deepseek-coder-6.7b", "DeepSeek Coder 6.7B Instruct", "DeepSeek Coder", "deepseek-ai/deepseek-coder-6.7b-instruct", ["deepseek-coder:6.7b"], 6740512768, arch("llama", 32, 4096, 32, 32, 128, 11008, 32256, 16384), ["coding"], "DeepSeek", "2023-11")
KIMI = arch("deepseek2", 61, 7168, 64, 64, 192, 18432, 163840, 131072, extra='value_head_dim: 128, attention: Mla(kv_lora_rank: 512, rope_dim: 64, q_lora_rank: 1536, nope_dim: 128), ' + moe(384, 8, 2048, 1, None, 1))
add("kimi-k2-instruct", "Kimi K2 Instruct (1T-A32B)", "Kimi K2", "moonshotai/Kimi-K2-Instruct", ["kimi-k2"], 1026000000000, KIMI, ["agents", "coding"], "Modified MIT", "2025-07", active=32000000000)
add("kimi-k2.5", "Kimi K2.5 (1T-A32B)", "Kimi K2", "moonshotai/Kimi-K2.5", ["kimi-k2.5"], 1026000000000, KIMI.replace("context: 131072", "context: 262144"), ["agents", "coding", "multi-agent"], "Modified MIT", "2026-01", active=32000000000)
GLM45 = lambda L, h, e, eff, lead, ffn, ctx: arch("glm4moe", L, h, 96, 8, 128, ffn, 151552, ctx, extra=moe(e, 8, eff, 1, None, lead))
add("glm-4.5-air", "GLM-4.5-Air 106B-A12B", "GLM", "zai-org/GLM-4.5-Air", ["glm-4.5-air"], 106000000000, GLM45(46, 4096, 128, 1408, 1, 10944, 131072), ["agents", "coding"], "MIT", "2025-07", active=12000000000)
add("glm-4.5", "GLM-4.5 355B-A32B", "GLM", "zai-org/GLM-4.5", ["glm-4.5"], 352000000000, GLM45(92, 5120, 160, 1536, 3, 12288, 131072), ["agents", "coding", "reasoning"], "MIT", "2025-07", active=32000000000)
add("glm-4.6", "GLM-4.6 355B-A32B", "GLM", "zai-org/GLM-4.6", ["glm-4.6"], 352000000000, GLM45(92, 5120, 160, 1536, 3, 12288, 202752), ["agents", "coding"], "MIT", "2025-09", active=32000000000)
add("lfm2-1.2b", "LFM2 1.2B", "LFM2", "LiquidAI/LFM2-1.2B", ["lfm2:1.2b"], 1170340608, arch("lfm2", 16, 2048, 32, 8, 64, 8192, 65536, 32768, tied=True, extra="hybrid: (layout: AttentionAt([2, 5, 8, 10, 12, 14]), state: ShortConv(l_cache: 3))"), ["edge", "chat"], "LFM Open", "2025-07")
add("granite-3.3-8b", "Granite 3.3 8B Instruct", "Granite", "ibm-granite/granite-3.3-8b-instruct", ["granite3.3:8b", "granite3.3"], 8170864640, arch("granite", 40, 4096, 32, 8, 128, 12800, 49159, 131072, tied=True), ["chat", "rag", "tool-calling"], "Apache-2.0", "2025-04")
add("granite-3.3-2b", "Granite 3.3 2B Instruct", "Granite", "ibm-granite/granite-3.3-2b-instruct", ["granite3.3:2b"], 2533531648, arch("granite", 40, 2048, 32, 8, 64, 8192, 49159, 131072, tied=True), ["edge", "rag"], "Apache-2.0", "2025-04")
add("granite-4.0-micro", "Granite 4.0 Micro 3B", "Granite", "ibm-granite/granite-4.0-micro", ["granite4:micro"], 3400000000, arch("granite", 40, 2560, 40, 8, 64, 8192, 100352, 131072, tied=True), ["edge", "tool-calling"], "Apache-2.0", "2025-10")
add("smollm2-135m", "SmolLM2 135M Instruct", "SmolLM", "HuggingFaceTB/SmolLM2-135M-Instruct", ["smollm2:135m"], 134515008, arch("llama", 30, 576, 9, 3, 64, 1536, 49152, 8192, tied=True), ["edge", "learning"], "Apache-2.0", "2024-11")
add("smollm2-360m", "SmolLM2 360M Instruct", "SmolLM", "HuggingFaceTB/SmolLM2-360M-Instruct", ["smollm2:360m"], 361821120, arch("llama", 32, 960, 15, 5, 64, 2560, 49152, 8192, tied=True), ["edge", "learning"], "Apache-2.0", "2024-11")
add("smollm2-1.7b", "SmolLM2 1.7B Instruct", "SmolLM", "HuggingFaceTB/SmolLM2-1.7B-Instruct", ["smollm2:1.7b", "smollm2"], 1711376384, arch("llama", 24, 2048, 32, 32, 64, 8192, 49152, 8192, tied=True), ["edge", "chat"], "Apache-2.0", "2024-11")
add("smollm3-3b", "SmolLM3 3B", "SmolLM", "HuggingFaceTB/SmolLM3-3B", ["smollm3:3b"], 3075098624, arch("smollm3", 36, 2048, 16, 4, 128, 11008, 128256, 65536, tied=True), ["edge", "reasoning"], "Apache-2.0", "2025-07")
add("olmo-2-7b", "OLMo 2 7B Instruct", "OLMo", "allenai/OLMo-2-1124-7B-Instruct", ["olmo2:7b", "olmo2"], 7298617344, arch("olmo2", 32, 4096, 32, 32, 128, 11008, 100352, 4096), ["chat", "research"], "Apache-2.0", "2024-11")
add("olmo-2-13b", "OLMo 2 13B Instruct", "OLMo", "allenai/OLMo-2-1124-13B-Instruct", ["olmo2:13b"], 13716165632, arch("olmo2", 40, 5120, 40, 40, 128, 13824, 100352, 4096), ["chat", "research"], "Apache-2.0", "2024-11")
add("olmo-2-32b", "OLMo 2 32B Instruct", "OLMo", "allenai/OLMo-2-0325-32B-Instruct", ["olmo2:32b"], 32234279936, arch("olmo2", 64, 5120, 40, 8, 128, 27648, 100352, 4096), ["chat", "research"], "Apache-2.0", "2025-03")
add("ernie-4.5-0.3b", "ERNIE 4.5 0.3B", "ERNIE", "baidu/ERNIE-4.5-0.3B-PT", [], 360748032, arch("ernie4_5", 18, 1024, 16, 2, 128, 3072, 103424, 131072, tied=True), ["edge", "chat"], "Apache-2.0", "2025-06")
add("ernie-4.5-21b-a3b", "ERNIE 4.5 21B-A3B", "ERNIE", "baidu/ERNIE-4.5-21B-A3B-PT", [], 21825437440, arch("ernie4_5-moe", 28, 2560, 20, 4, 128, 12288, 103424, 131072, tied=True, extra=moe(64, 6, 1536, 2, 3072, 1)), ["chat", "reasoning"], "Apache-2.0", "2025-06", active=3000000000)
F3 = lambda L, ffn, tied=False: arch("llama", L, 3072, 12, 4, 256, ffn, 131072, 32768, tied=tied)
add("falcon3-1b", "Falcon3 1B Instruct", "Falcon", "tiiuae/Falcon3-1B-Instruct", ["falcon3:1b"], 1669408768, arch("llama", 18, 2048, 8, 4, 256, 8192, 131072, 8192), ["edge"], "TII Falcon", "2024-12")
add("falcon3-3b", "Falcon3 3B Instruct", "Falcon", "tiiuae/Falcon3-3B-Instruct", ["falcon3:3b"], 3227655168, F3(22, 9216), ["edge", "chat"], "TII Falcon", "2024-12")
add("falcon3-7b", "Falcon3 7B Instruct", "Falcon", "tiiuae/Falcon3-7B-Instruct", ["falcon3:7b", "falcon3"], 7455550464, F3(28, 23040), ["chat", "math"], "TII Falcon", "2024-12")
add("falcon3-10b", "Falcon3 10B Instruct", "Falcon", "tiiuae/Falcon3-10B-Instruct", ["falcon3:10b"], 10305653760, F3(40, 23040), ["chat", "math"], "TII Falcon", "2024-12")
add("command-r-32b", "Command R 32B (08-2024)", "Cohere", "CohereForAI/c4ai-command-r-08-2024", ["command-r:35b", "command-r"], 32296476672, arch("command-r", 40, 8192, 64, 8, 128, 24576, 256000, 131072, tied=True), ["rag", "tool-calling"], "CC-BY-NC-4.0", "2024-08")
add("yi-1.5-34b", "Yi 1.5 34B Chat", "Yi", "01-ai/Yi-1.5-34B-Chat", ["yi:34b"], 34388917248, arch("llama", 60, 7168, 56, 8, 128, 20480, 64000, 4096, ext=32768), ["chat"], "Apache-2.0", "2024-05")
add("seed-oss-36b", "Seed-OSS 36B Instruct", "Seed", "ByteDance-Seed/Seed-OSS-36B-Instruct", ["seed-oss:36b"], 36151104512, arch("seed_oss", 64, 5120, 80, 8, 128, 27648, 155136, 524288), ["reasoning", "agents", "long-context"], "Apache-2.0", "2025-08")
OSS = lambda L, e: arch("gpt-oss", L, 2880, 64, 8, 64, 0, 201088, 131072, extra="expert_format: MXFP4, attention: Sliding(window: 128, period: 2), " + moe(e, 4, 2880))
add("gpt-oss-safeguard-20b", "gpt-oss-safeguard 20B", "gpt-oss", "openai/gpt-oss-safeguard-20b", ["gpt-oss-safeguard:20b"], 20914757184, OSS(24, 32), ["safety", "classification"], "Apache-2.0", "2025-10", active=3610000000)
add("gpt-oss-safeguard-120b", "gpt-oss-safeguard 120B", "gpt-oss", "openai/gpt-oss-safeguard-120b", ["gpt-oss-safeguard:120b"], 116829156672, OSS(36, 128), ["safety", "classification"], "Apache-2.0", "2025-10", active=5130000000)

# ---- Second batch ----
M7 = lambda vocab: arch("llama", 32, 4096, 32, 8, 128, 14336, vocab, 32768)
add("openhermes-2.5-mistral-7b", "OpenHermes 2.5 Mistral 7B", "Hermes", "teknium/OpenHermes-2.5-Mistral-7B", ["openhermes:7b", "openhermes"], 7241748480, M7(32002), ["chat"], "Apache-2.0", "2023-11")
add("zephyr-7b-beta", "Zephyr 7B Beta", "Zephyr", "HuggingFaceH4/zephyr-7b-beta", ["zephyr:7b", "zephyr"], 7241732096, M7(32000), ["chat"], "MIT", "2023-10")
add("starling-lm-7b-beta", "Starling LM 7B Beta", "Starling", "Nexusflow/Starling-LM-7B-beta", ["starling-lm:7b"], 7241748480, M7(32002), ["chat"], "Apache-2.0", "2024-03")
add("mathstral-7b", "Mathstral 7B", "Mistral", "mistralai/Mathstral-7B-v0.1", ["mathstral:7b"], 7248023552, M7(32768), ["math"], "Apache-2.0", "2024-07")
add("solar-10.7b", "SOLAR 10.7B Instruct", "SOLAR", "upstage/SOLAR-10.7B-Instruct-v1.0", ["solar:10.7b", "solar"], 10731524096, arch("llama", 48, 4096, 32, 8, 128, 14336, 32000, 4096), ["chat"], "CC-BY-NC-4.0", "2023-12")
add("dolphin3-llama3.1-8b", "Dolphin 3.0 Llama 3.1 8B", "Dolphin", "cognitivecomputations/Dolphin3.0-Llama3.1-8B", ["dolphin3:8b", "dolphin3"], 8030261248, L31_8, ["chat", "coding", "agents"], "Llama 3.1 Community", "2025-01")
add("tulu-3-8b", "Tulu 3 8B", "Tulu", "allenai/Llama-3.1-Tulu-3-8B", ["tulu3:8b", "tulu3"], 8030261248, L31_8, ["chat", "research"], "Llama 3.1 Community", "2024-11")
add("tulu-3-70b", "Tulu 3 70B", "Tulu", "allenai/Llama-3.1-Tulu-3-70B", ["tulu3:70b"], 70553706496, L31_70, ["chat", "research"], "Llama 3.1 Community", "2024-11")
add("qwen2-0.5b", "Qwen2 0.5B Instruct", "Qwen 2", "Qwen/Qwen2-0.5B-Instruct", ["qwen2:0.5b"], 494032768, arch("qwen2", 24, 896, 14, 2, 64, 4864, 151936, 32768, tied=True), ["edge"], "Apache-2.0", "2024-06")
add("qwen2-1.5b", "Qwen2 1.5B Instruct", "Qwen 2", "Qwen/Qwen2-1.5B-Instruct", ["qwen2:1.5b"], 1543714304, arch("qwen2", 28, 1536, 12, 2, 128, 8960, 151936, 32768, tied=True), ["edge"], "Apache-2.0", "2024-06")
add("qwen2-7b", "Qwen2 7B Instruct", "Qwen 2", "Qwen/Qwen2-7B-Instruct", ["qwen2:7b", "qwen2"], 7615616512, arch("qwen2", 28, 3584, 28, 4, 128, 18944, 152064, 32768, ext=131072), ["chat"], "Apache-2.0", "2024-06")
add("qwen2.5-coder-0.5b", "Qwen2.5 Coder 0.5B", "Qwen 2.5", "Qwen/Qwen2.5-Coder-0.5B-Instruct", ["qwen2.5-coder:0.5b"], 494032768, arch("qwen2", 24, 896, 14, 2, 64, 4864, 151936, 32768, tied=True), ["coding", "autocomplete", "edge"], "Apache-2.0", "2024-11")
G1 = lambda L, h, heads, kv, ffn: arch("gemma", L, h, heads, kv, 256, ffn, 256000, 8192, tied=True)
add("gemma-2b", "Gemma 2B Instruct", "Gemma", "google/gemma-2b-it", ["gemma:2b"], 2506172416, G1(18, 2048, 8, 1, 16384), ["edge", "learning"], "Gemma", "2024-02")
add("gemma-7b", "Gemma 7B Instruct", "Gemma", "google/gemma-7b-it", ["gemma:7b", "gemma"], 8537680896, G1(28, 3072, 16, 16, 24576), ["chat"], "Gemma", "2024-02")
add("codegemma-7b", "CodeGemma 7B Instruct", "Gemma", "google/codegemma-7b-it", ["codegemma:7b", "codegemma"], 8537680896, G1(28, 3072, 16, 16, 24576), ["coding", "autocomplete"], "Gemma", "2024-04")
add("medgemma-27b-text", "MedGemma 27B Text", "Gemma 3", "google/medgemma-27b-text-it", ["medgemma:27b"], 27009002240, arch("gemma3", 62, 5376, 32, 16, 128, 21504, 262208, 131072, tied=True, extra="attention: Sliding(window: 1024, period: 6)"), ["medical", "rag"], "Health AI Developer Foundations", "2025-05")
add("deepseek-llm-7b", "DeepSeek LLM 7B Chat", "DeepSeek LLM", "deepseek-ai/deepseek-llm-7b-chat", ["deepseek-llm:7b"], 6910365696, arch("llama", 30, 4096, 32, 32, 128, 11008, 102400, 4096), ["chat"], "DeepSeek", "2023-11")
add("internlm2.5-7b", "InternLM 2.5 7B Chat", "InternLM", "internlm/internlm2_5-7b-chat", ["internlm2:7b", "internlm2"], 7737708544, arch("internlm2", 32, 4096, 32, 8, 128, 14336, 92544, 32768, ext=262144), ["chat", "math"], "Apache-2.0", "2024-07")
add("granite-3.1-8b", "Granite 3.1 8B Instruct", "Granite", "ibm-granite/granite-3.1-8b-instruct", ["granite3.1-dense:8b"], 8170864640, arch("granite", 40, 4096, 32, 8, 128, 12800, 49159, 131072, tied=True), ["chat", "rag"], "Apache-2.0", "2024-12")
add("aya-expanse-8b", "Aya Expanse 8B", "Cohere", "CohereForAI/aya-expanse-8b", ["aya-expanse:8b", "aya-expanse"], 8028033024, arch("command-r", 32, 4096, 32, 8, 128, 14336, 256000, 8192, tied=True), ["multilingual", "chat"], "CC-BY-NC-4.0", "2024-10")
add("aya-expanse-32b", "Aya Expanse 32B", "Cohere", "CohereForAI/aya-expanse-32b", ["aya-expanse:32b"], 32296476672, arch("command-r", 40, 8192, 64, 8, 128, 24576, 256000, 131072, tied=True), ["multilingual", "chat"], "CC-BY-NC-4.0", "2024-10")

out = []
for (id, name, family, repo, tags, params, active, a, uses, lic, rel, aliases) in M:
    t = ", ".join(f'"{x}"' for x in tags)
    al = ", ".join(f'"{x}"' for x in aliases)
    act = f", active_params: {active}" if active else ""
    aliases_s = f"\n         aliases: [{al}]," if aliases else ""
    u = ", ".join(f'"{x}"' for x in uses)
    out.append(f'''        (id: "{id}", name: "{name}", family: "{family}",
         hf_repo: "{repo}", ollama: [{t}],{aliases_s}
         params: {params}{act},
         arch: {a},
         use_cases: [{u}], license: "{lic}", released: "{rel}",
         source: "{repo} config.json"),''')
print("\n".join(out))
print(len(M), file=__import__('sys').stderr)
