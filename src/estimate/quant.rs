//! Quantization labels ("Q4_K_M", "MLX 4-bit", "AWQ int4") and how each maps every tensor to bytes.
//! GGUF mixtures follow llama-quantize's per-tensor rules (`src/llama-quant.cpp`): Q4_K_M is
//! ~4.85 bpw over a 7–70B model, not 4.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ggml::GgmlType;
use super::model::Arch;
use super::tensors::{Role, TensorInfo};

/// A weight format as users name it.
#[allow(non_camel_case_types, missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quant {
    F32,
    F16,
    BF16,
    Q8_0,
    Q6_K,
    Q5_K_M,
    Q5_K_S,
    Q5_0,
    Q4_K_M,
    Q4_K_S,
    Q4_0,
    IQ4_XS,
    IQ4_NL,
    Q3_K_L,
    Q3_K_M,
    Q3_K_S,
    Q2_K,
    IQ3_XXS,
    IQ2_XXS,
    IQ1_S,
    MXFP4_MOE,
    /// bartowski's `_L`/`_XL` files: the stock recipe named, with the token embedding and the
    /// output head in Q8_0 (his model cards: "Uses Q8_0 for embed and output weights").
    Q6_K_L,
    /// As [`Quant::Q6_K_L`] over Q5_K_M.
    Q5_K_L,
    /// As [`Quant::Q6_K_L`] over Q4_K_M.
    Q4_K_L,
    /// As [`Quant::Q6_K_L`] over Q3_K_L.
    Q3_K_XL,
    /// As [`Quant::Q6_K_L`] over Q2_K.
    Q2_K_L,
    /// MLX affine, group 64.
    Mlx3,
    Mlx4,
    Mlx6,
    Mlx8,
    /// AWQ / GPTQ int4, group 128, embeddings and head in fp16.
    Int4,
    /// FP8 E4M3 linears, embeddings and head in bf16.
    Fp8,
    /// NVFP4 (ModelOpt) linears, embeddings and head in bf16.
    Nvfp4,
}

/// Every quant, in menu order (largest first).
pub const QUANTS: [Quant; 33] = {
    use Quant::*;
    [
        F32, F16, BF16, Q8_0, Q6_K_L, Q6_K, Q5_K_L, Q5_K_M, Q5_K_S, Q5_0, Q4_K_L, Q4_K_M, Q4_K_S,
        Q4_0, IQ4_XS, IQ4_NL, Q3_K_XL, Q3_K_L, Q3_K_M, Q3_K_S, Q2_K_L, Q2_K, IQ3_XXS, IQ2_XXS,
        IQ1_S, MXFP4_MOE, Mlx8, Mlx6, Mlx4, Mlx3, Fp8, Nvfp4, Int4,
    ]
};

impl Quant {
    /// Label as shown and parsed.
    pub fn label(self) -> &'static str {
        use Quant::*;
        match self {
            F32 => "F32",
            F16 => "F16",
            BF16 => "BF16",
            Q8_0 => "Q8_0",
            Q6_K => "Q6_K",
            Q5_K_M => "Q5_K_M",
            Q5_K_S => "Q5_K_S",
            Q5_0 => "Q5_0",
            Q4_K_M => "Q4_K_M",
            Q4_K_S => "Q4_K_S",
            Q4_0 => "Q4_0",
            IQ4_XS => "IQ4_XS",
            IQ4_NL => "IQ4_NL",
            Q3_K_L => "Q3_K_L",
            Q3_K_M => "Q3_K_M",
            Q3_K_S => "Q3_K_S",
            Q2_K => "Q2_K",
            IQ3_XXS => "IQ3_XXS",
            IQ2_XXS => "IQ2_XXS",
            IQ1_S => "IQ1_S",
            MXFP4_MOE => "MXFP4_MOE",
            Q6_K_L => "Q6_K_L",
            Q5_K_L => "Q5_K_L",
            Q4_K_L => "Q4_K_L",
            Q3_K_XL => "Q3_K_XL",
            Q2_K_L => "Q2_K_L",
            Mlx3 => "MLX-3bit",
            Mlx4 => "MLX-4bit",
            Mlx6 => "MLX-6bit",
            Mlx8 => "MLX-8bit",
            Int4 => "AWQ-INT4",
            Fp8 => "FP8",
            Nvfp4 => "NVFP4",
        }
    }

    /// One-line description for `list quants` and the UI.
    pub fn description(self) -> &'static str {
        use Quant::*;
        match self {
            F32 | F16 | BF16 => "unquantized GGUF; 1-D tensors F32",
            Q8_0 => "GGUF 8.5 bpw everywhere",
            Q6_K => "GGUF 6.56 bpw; output Q6_K",
            Q5_K_M => "GGUF Q5_K + Q6_K on half of attn_v/ffn_down",
            Q5_K_S => "GGUF Q5_K; output Q6_K",
            Q5_0 => "GGUF legacy 5.5 bpw",
            Q4_K_M => "GGUF Q4_K + Q6_K on half of attn_v/ffn_down (~4.85 bpw)",
            Q4_K_S => "GGUF Q4_K, a few Q5_K layers",
            Q4_0 => "GGUF legacy 4.5 bpw; output Q6_K",
            IQ4_XS => "GGUF i-quant 4.25 bpw",
            IQ4_NL => "GGUF i-quant 4.5 bpw",
            Q3_K_L => "GGUF Q3_K + Q5_K attn_v/ffn_down/attn_output",
            Q3_K_M => "GGUF Q3_K + Q4/Q5_K bumps (~3.9 bpw)",
            Q3_K_S => "GGUF Q3_K",
            Q2_K => "GGUF Q2_K + Q3/Q4_K bumps (~3.0 bpw)",
            IQ3_XXS => "GGUF i-quant 3.06 bpw",
            IQ2_XXS => "GGUF i-quant 2.06 bpw",
            IQ1_S => "GGUF i-quant 1.56 bpw",
            MXFP4_MOE => "experts MXFP4 (4.25 bpw), everything else Q8_0",
            Q6_K_L | Q5_K_L | Q4_K_L | Q3_K_XL | Q2_K_L => {
                "bartowski: the stock mixture, embedding and output Q8_0"
            }
            Mlx3 | Mlx4 | Mlx6 | Mlx8 => "MLX affine, group 64 (+0.5 bpw scales and biases)",
            Int4 => "AWQ/GPTQ int4 g128 (4.16 bpw), embeddings and head fp16",
            Fp8 => "FP8 E4M3 linears, embeddings and head bf16",
            Nvfp4 => "NVFP4 (4.5 bpw) linears, embeddings and head bf16",
        }
    }

    /// Runs in llama.cpp (GGUF) rather than MLX/vLLM-style formats.
    pub fn is_gguf(self) -> bool {
        !matches!(
            self,
            Quant::Mlx3
                | Quant::Mlx4
                | Quant::Mlx6
                | Quant::Mlx8
                | Quant::Int4
                | Quant::Fp8
                | Quant::Nvfp4
        )
    }

    /// The stock recipe under a bartowski `_L`/`_XL` label.
    pub fn stock_recipe(self) -> Option<Quant> {
        use Quant::*;
        match self {
            Q6_K_L => Some(Q6_K),
            Q5_K_L => Some(Q5_K_M),
            Q4_K_L => Some(Q4_K_M),
            Q3_K_XL => Some(Q3_K_L),
            Q2_K_L => Some(Q2_K),
            _ => None,
        }
    }

    pub(crate) fn base_type(self) -> GgmlType {
        use Quant::*;
        if let Some(stock) = self.stock_recipe() {
            return stock.base_type();
        }
        match self {
            F32 => GgmlType::F32,
            F16 => GgmlType::F16,
            BF16 => GgmlType::BF16,
            Q8_0 | MXFP4_MOE => GgmlType::Q8_0,
            Q6_K => GgmlType::Q6_K,
            Q5_K_M | Q5_K_S => GgmlType::Q5_K,
            Q5_0 => GgmlType::Q5_0,
            Q4_K_M | Q4_K_S => GgmlType::Q4_K,
            Q4_0 => GgmlType::Q4_0,
            IQ4_XS => GgmlType::IQ4_XS,
            IQ4_NL => GgmlType::IQ4_NL,
            Q3_K_L | Q3_K_M | Q3_K_S => GgmlType::Q3_K,
            Q2_K => GgmlType::Q2_K,
            IQ3_XXS => GgmlType::IQ3_XXS,
            IQ2_XXS => GgmlType::IQ2_XXS,
            IQ1_S => GgmlType::IQ1_S,
            Mlx3 | Mlx4 | Mlx6 | Mlx8 | Int4 | Fp8 | Nvfp4 => GgmlType::F16,
            Q6_K_L | Q5_K_L | Q4_K_L | Q3_K_XL | Q2_K_L => GgmlType::Q8_0,
        }
    }

    /// Nominal bits per weight of the format's main type (scales included): what menus sort by.
    /// Mixtures count their base type (Q4_K_M as Q4_K), MXFP4_MOE its experts' MXFP4.
    pub fn nominal_bpw(self) -> f64 {
        match self {
            Quant::MXFP4_MOE => GgmlType::MXFP4.bits_per_weight(),
            q => q
                .foreign_bits()
                .unwrap_or_else(|| q.base_type().bits_per_weight()),
        }
    }

    /// Which family of formats this is: GGUF (llama.cpp), MLX, or the others (vLLM-style).
    pub fn family(self) -> QuantFamily {
        use Quant::*;
        match self {
            Mlx3 | Mlx4 | Mlx6 | Mlx8 => QuantFamily::Mlx,
            Int4 | Fp8 | Nvfp4 => QuantFamily::Other,
            _ => QuantFamily::Gguf,
        }
    }

    /// Bits per quantized weight for non-GGUF formats (scales included).
    fn foreign_bits(self) -> Option<f64> {
        match self {
            Quant::Mlx3 => Some(3.5),
            Quant::Mlx4 => Some(4.5),
            Quant::Mlx6 => Some(6.5),
            Quant::Mlx8 => Some(8.5),
            Quant::Int4 => Some(4.0 + 20.0 / 128.0),
            Quant::Fp8 => Some(8.0),
            Quant::Nvfp4 => Some(4.5),
            _ => None,
        }
    }
}

/// Families of weight formats; a runtime loads one family only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuantFamily {
    /// llama.cpp's GGUF types.
    Gguf,
    /// mlx-lm's affine formats.
    Mlx,
    /// AWQ/GPTQ, FP8, NVFP4 (vLLM and friends).
    Other,
}

/// The quants of `family` from most to fewest bits per weight (F32 left out: nobody runs it;
/// the `_L`/`_XL` files too: advice names the stock recipes every publisher makes).
pub fn ladder(family: QuantFamily) -> Vec<Quant> {
    let mut out: Vec<Quant> = QUANTS
        .iter()
        .copied()
        .filter(|q| q.family() == family && *q != Quant::F32 && q.stock_recipe().is_none())
        .collect();
    out.sort_by(|a, b| b.nominal_bpw().total_cmp(&a.nominal_bpw()));
    out
}

/// The largest quant of `current`'s family for which `fits` says yes (the one rule behind "fits
/// at Q3_K_M" in the gauges, the comparison and `fitcheck compare`).
pub fn largest_that_fits(current: Quant, mut fits: impl FnMut(Quant) -> bool) -> Option<Quant> {
    ladder(current.family()).into_iter().find(|q| fits(*q))
}

impl fmt::Display for Quant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Quant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s.trim().to_ascii_uppercase().replace(['-', ' ', '.'], "_");
        let alias = match key.as_str() {
            "MLX_4BIT" | "MLX4" | "MLX_4" | "4BIT" | "MLX_Q4" => Some(Quant::Mlx4),
            "MLX_3BIT" | "MLX3" | "MLX_3" => Some(Quant::Mlx3),
            "MLX_6BIT" | "MLX6" | "MLX_6" => Some(Quant::Mlx6),
            "MLX_8BIT" | "MLX8" | "MLX_8" | "8BIT" => Some(Quant::Mlx8),
            "AWQ" | "AWQ_INT4" | "GPTQ" | "GPTQ_INT4" | "INT4" => Some(Quant::Int4),
            "FP8" | "FP8_E4M3" => Some(Quant::Fp8),
            "NVFP4" => Some(Quant::Nvfp4),
            "MXFP4" => Some(Quant::MXFP4_MOE),
            "FP16" => Some(Quant::F16),
            "Q4" | "Q4_K" => Some(Quant::Q4_K_M),
            "Q5" | "Q5_K" => Some(Quant::Q5_K_M),
            "Q3_K" => Some(Quant::Q3_K_M),
            "Q8" => Some(Quant::Q8_0),
            "Q6" => Some(Quant::Q6_K),
            _ => None,
        };
        alias
            .or_else(|| {
                QUANTS
                    .iter()
                    .copied()
                    .find(|q| q.label().replace('-', "_") == key)
            })
            .ok_or_else(|| {
                let names: Vec<&str> = QUANTS.iter().map(|q| q.label()).collect();
                format!("unknown quantization '{s}' (known: {})", names.join(", "))
            })
    }
}

/// `use_more_bits` of llama-quant: first and last eighth, then every third layer.
pub fn use_more_bits(i: u32, n: u32) -> bool {
    i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2
}

/// Counters llama-quantize keeps while walking the tensors.
struct RecipeState {
    n_layer: u32,
    n_attention_wv: u32,
    i_attention_wv: u32,
    n_expert: u32,
    n_gqa: u32,
    is_70b: bool,
    tied: bool,
}

/// Assigns every tensor its storage type under `quant`, in place.
pub fn apply_recipe(arch: &Arch, quant: Quant, tensors: &mut [TensorInfo]) {
    if !quant.is_gguf() {
        // Not GGML types: `tensor_bytes` sizes them by the format's own rule.
        return;
    }
    let mut st = RecipeState {
        n_layer: arch.layers,
        n_attention_wv: tensors
            .iter()
            .filter(|t| matches!(t.role, Role::AttnV | Role::AttnQkv))
            .count() as u32,
        i_attention_wv: 0,
        n_expert: arch.moe.as_ref().map_or(0, |m| m.experts),
        n_gqa: arch.heads / arch.kv_heads.max(1),
        is_70b: matches!(arch.kind.as_str(), "llama" | "qwen2") && arch.layers == 80,
        tied: arch.tied_embeddings,
    };
    for t in tensors.iter_mut() {
        let ty = tensor_type(&mut st, arch, quant, t);
        t.ty = row_fallback(ty, t.row_len);
    }
}

fn tensor_type(st: &mut RecipeState, arch: &Arch, q: Quant, t: &TensorInfo) -> GgmlType {
    use GgmlType as G;
    use Quant::*;
    if t.role.stays_f32() {
        return G::F32;
    }
    if t.role == Role::Kept16 {
        return G::F16;
    }
    if matches!(q, F32 | F16 | BF16) {
        return q.base_type();
    }
    if let Some(stock) = q.stock_recipe() {
        return match t.role {
            Role::Output | Role::TokenEmbd => G::Q8_0,
            _ => tensor_type(st, arch, stock, t),
        };
    }
    if t.role.is_expert() {
        if let Some(fixed) = arch.expert_format {
            return fixed;
        }
        if q == MXFP4_MOE {
            return G::MXFP4;
        }
    }
    let base = q.base_type();
    let n_layer = st.n_layer;
    let i_layer = t.layer.unwrap_or(0);
    match t.role {
        Role::Output => output_type(q),
        Role::TokenEmbd if st.tied => output_type(q),
        // llama-quantize gives the per-layer table the untied token_embd rule.
        Role::TokenEmbd | Role::PerLayerEmbd => match q {
            IQ2_XXS | IQ1_S => G::Q2_K,
            _ => base,
        },
        _ if matches!(q, Q8_0 | MXFP4_MOE) => G::Q8_0,
        Role::AttnV => {
            let i = st.i_attention_wv;
            st.i_attention_wv += 1;
            let mut ty = match q {
                Q2_K => {
                    if st.n_gqa >= 4 {
                        G::Q4_K
                    } else {
                        G::Q3_K
                    }
                }
                Q3_K_M => {
                    if i < 2 {
                        G::Q5_K
                    } else {
                        G::Q4_K
                    }
                }
                Q3_K_L => G::Q5_K,
                Q4_K_M | Q5_K_M if use_more_bits(i, st.n_attention_wv) => G::Q6_K,
                Q4_K_S if i < 4 => G::Q5_K,
                IQ4_XS | IQ4_NL if st.n_gqa >= 4 || st.n_expert >= 4 => G::Q5_K,
                IQ2_XXS | IQ1_S | IQ3_XXS if st.n_gqa >= 4 || st.n_expert >= 4 => G::Q4_K,
                _ => base,
            };
            if st.is_70b && matches!(ty, G::Q3_K | G::Q4_K) {
                ty = G::Q5_K;
            }
            if st.n_expert == 8 {
                ty = G::Q8_0;
            }
            ty
        }
        Role::AttnK if st.n_expert == 8 => G::Q8_0,
        Role::FfnDown | Role::FfnDownExps | Role::FfnDownShexp => match q {
            Q2_K | Q3_K_S => G::Q3_K,
            Q3_K_M => {
                if i_layer < n_layer / 16 {
                    G::Q5_K
                } else {
                    G::Q4_K
                }
            }
            Q3_K_L => G::Q5_K,
            Q4_K_M | Q5_K_M if use_more_bits(i_layer, n_layer) => G::Q6_K,
            Q4_K_S if i_layer < n_layer / 8 => G::Q5_K,
            IQ2_XXS | IQ1_S if i_layer < n_layer / 8 => G::Q2_K,
            IQ3_XXS if i_layer < n_layer / 8 => G::IQ3_S,
            _ => base,
        },
        Role::AttnOutput => {
            if st.n_expert == 8 {
                match q {
                    Q2_K | IQ3_XXS | Q3_K_S | Q3_K_M | IQ4_NL | Q4_K_S | Q4_K_M | IQ4_XS => G::Q5_K,
                    _ => base,
                }
            } else {
                match q {
                    Q2_K => G::Q3_K,
                    Q3_K_M => G::Q4_K,
                    Q3_K_L => G::Q5_K,
                    _ => base,
                }
            }
        }
        Role::AttnQkv => match q {
            Q3_K_M | Q3_K_L => G::Q4_K,
            Q4_K_M => G::Q5_K,
            Q5_K_M => G::Q6_K,
            _ => base,
        },
        _ => base,
    }
}

fn output_type(q: Quant) -> GgmlType {
    match q {
        Quant::Q8_0 | Quant::MXFP4_MOE => GgmlType::Q8_0,
        Quant::IQ2_XXS | Quant::IQ1_S | Quant::IQ3_XXS => GgmlType::Q5_K,
        _ => GgmlType::Q6_K,
    }
}

/// llama-quant's fallback when a row is not a whole number of blocks (e.g. gpt-oss's 2880).
pub(crate) fn row_fallback(ty: GgmlType, row_len: u64) -> GgmlType {
    use GgmlType as G;
    let fits = |t: GgmlType| row_len.is_multiple_of(t.block().0);
    if fits(ty) {
        return ty;
    }
    let next = match ty {
        G::IQ1_S
        | G::IQ1_M
        | G::IQ2_XXS
        | G::IQ2_XS
        | G::IQ2_S
        | G::IQ3_XXS
        | G::IQ3_S
        | G::IQ4_XS => G::IQ4_NL,
        G::Q2_K | G::Q3_K | G::TQ1_0 | G::TQ2_0 => G::Q4_0,
        G::Q4_K => G::Q5_0,
        G::Q5_K => G::Q5_1,
        G::Q6_K => G::Q8_0,
        _ => G::F16,
    };
    if fits(next) {
        next
    } else {
        G::F16
    }
}

/// Bytes of one tensor under `quant`: exact for GGUF types, by format rule otherwise.
pub fn tensor_bytes(quant: Quant, t: &TensorInfo) -> u64 {
    match quant.foreign_bits() {
        None => t.bytes(),
        Some(bits) => {
            let elems = t.elements();
            let quantized = match quant {
                // MLX quantizes embeddings and head too; the others keep them 16-bit.
                Quant::Mlx3 | Quant::Mlx4 | Quant::Mlx6 | Quant::Mlx8 => {
                    !t.role.stays_f32() && t.role != Role::Kept16 && t.row_len.is_multiple_of(64)
                }
                _ => {
                    !t.role.stays_f32()
                        && !matches!(
                            t.role,
                            Role::TokenEmbd | Role::PerLayerEmbd | Role::Output | Role::Kept16
                        )
                }
            };
            if quantized {
                (elems as f64 * bits / 8.0).round() as u64
            } else {
                elems.saturating_mul(2)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_more_bits_selects_about_half_of_32_layers() {
        let picked: Vec<u32> = (0..32).filter(|&i| use_more_bits(i, 32)).collect();
        assert_eq!(
            picked,
            vec![0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]
        );
    }

    #[test]
    fn labels_parse_case_insensitively_with_aliases() {
        assert_eq!("q4_k_m".parse::<Quant>(), Ok(Quant::Q4_K_M));
        assert_eq!("MLX 4bit".parse::<Quant>(), Ok(Quant::Mlx4));
        assert_eq!("awq".parse::<Quant>(), Ok(Quant::Int4));
        assert_eq!("mxfp4".parse::<Quant>(), Ok(Quant::MXFP4_MOE));
        for q in QUANTS {
            assert_eq!(q.label().parse::<Quant>(), Ok(q));
        }
        let err = "Q9_X".parse::<Quant>().unwrap_err();
        assert!(err.contains("Q9_X") && err.contains("Q4_K_M"), "{err}");
    }

    #[test]
    fn odd_rows_fall_back_like_llama_quantize() {
        assert_eq!(row_fallback(GgmlType::Q4_K, 2880), GgmlType::Q5_0);
        assert_eq!(row_fallback(GgmlType::Q6_K, 2880), GgmlType::Q8_0);
        assert_eq!(row_fallback(GgmlType::Q4_K, 4096), GgmlType::Q4_K);
        assert_eq!(row_fallback(GgmlType::Q8_0, 30), GgmlType::F16);
    }
}
