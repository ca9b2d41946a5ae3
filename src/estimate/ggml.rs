//! GGML tensor types and their exact storage sizes (`ggml-common.h`, gguf-py `GGML_QUANT_SIZES`).

use serde::{Deserialize, Serialize};

/// A GGML tensor storage type.
#[allow(non_camel_case_types, missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GgmlType {
    F32,
    F16,
    BF16,
    Q8_0,
    Q6_K,
    Q5_1,
    Q5_0,
    Q5_K,
    Q4_1,
    Q4_0,
    Q4_K,
    IQ4_NL,
    IQ4_XS,
    MXFP4,
    NVFP4,
    Q3_K,
    IQ3_S,
    IQ3_XXS,
    Q2_K,
    IQ2_S,
    IQ2_XS,
    IQ2_XXS,
    IQ1_M,
    IQ1_S,
    TQ1_0,
    TQ2_0,
    I8,
    I16,
    I32,
    I64,
    F64,
}

impl GgmlType {
    /// (elements per block, bytes per block).
    pub const fn block(self) -> (u64, u64) {
        use GgmlType::*;
        match self {
            F32 | I32 => (1, 4),
            F16 | BF16 | I16 => (1, 2),
            I8 => (1, 1),
            I64 | F64 => (1, 8),
            Q8_0 => (32, 34),
            Q6_K => (256, 210),
            Q5_1 => (32, 24),
            Q5_0 => (32, 22),
            Q5_K => (256, 176),
            Q4_1 => (32, 20),
            Q4_0 | IQ4_NL => (32, 18),
            Q4_K => (256, 144),
            NVFP4 => (64, 36),
            IQ4_XS => (256, 136),
            MXFP4 => (32, 17),
            Q3_K | IQ3_S => (256, 110),
            IQ3_XXS => (256, 98),
            Q2_K => (256, 84),
            IQ2_S => (256, 82),
            IQ2_XS => (256, 74),
            IQ2_XXS | TQ2_0 => (256, 66),
            IQ1_M => (256, 56),
            TQ1_0 => (256, 54),
            IQ1_S => (256, 50),
        }
    }

    /// Bits per weight of this storage type.
    pub fn bits_per_weight(self) -> f64 {
        let (n, b) = self.block();
        b as f64 * 8.0 / n as f64
    }

    /// Exact bytes of `elements` values, rounding a partial block up.
    pub fn bytes_for(self, elements: u64) -> u64 {
        let (n, b) = self.block();
        elements.div_ceil(n).saturating_mul(b)
    }

    /// The id GGUF files use for this type (`ggml_type` enum in ggml.h).
    pub const fn gguf_id(self) -> u32 {
        use GgmlType::*;
        match self {
            F32 => 0,
            F16 => 1,
            Q4_0 => 2,
            Q4_1 => 3,
            Q5_0 => 6,
            Q5_1 => 7,
            Q8_0 => 8,
            Q2_K => 10,
            Q3_K => 11,
            Q4_K => 12,
            Q5_K => 13,
            Q6_K => 14,
            IQ2_XXS => 16,
            IQ2_XS => 17,
            IQ3_XXS => 18,
            IQ1_S => 19,
            IQ4_NL => 20,
            IQ3_S => 21,
            IQ2_S => 22,
            IQ4_XS => 23,
            I8 => 24,
            I16 => 25,
            I32 => 26,
            I64 => 27,
            F64 => 28,
            IQ1_M => 29,
            BF16 => 30,
            TQ1_0 => 34,
            TQ2_0 => 35,
            MXFP4 => 39,
            NVFP4 => 40,
        }
    }

    /// Inverse of [`GgmlType::gguf_id`]; `None` for ids we do not know (an error, never 0 bytes).
    pub fn from_gguf_id(id: u32) -> Option<Self> {
        ALL.iter().copied().find(|t| t.gguf_id() == id)
    }

    /// Canonical upper-case name, as llama.cpp prints it.
    pub fn name(self) -> String {
        format!("{self:?}")
    }
}

/// Every known type, for lookups.
pub const ALL: [GgmlType; 31] = {
    use GgmlType::*;
    [
        F32, F16, BF16, Q8_0, Q6_K, Q5_1, Q5_0, Q5_K, Q4_1, Q4_0, Q4_K, IQ4_NL, IQ4_XS, MXFP4,
        NVFP4, Q3_K, IQ3_S, IQ3_XXS, Q2_K, IQ2_S, IQ2_XS, IQ2_XXS, IQ1_M, IQ1_S, TQ1_0, TQ2_0, I8,
        I16, I32, I64, F64,
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_per_weight_match_the_block_layouts() {
        assert_eq!(GgmlType::Q4_K.bits_per_weight(), 4.5);
        assert_eq!(GgmlType::Q6_K.bits_per_weight(), 6.5625);
        assert_eq!(GgmlType::Q8_0.bits_per_weight(), 8.5);
        assert_eq!(GgmlType::MXFP4.bits_per_weight(), 4.25);
        assert_eq!(GgmlType::IQ4_XS.bits_per_weight(), 4.25);
        assert_eq!(GgmlType::Q2_K.bits_per_weight(), 2.625);
    }

    #[test]
    fn gguf_ids_round_trip() {
        for t in ALL {
            assert_eq!(GgmlType::from_gguf_id(t.gguf_id()), Some(t));
        }
        assert_eq!(
            GgmlType::from_gguf_id(4),
            None,
            "removed Q4_2 must be unknown"
        );
    }

    #[test]
    fn partial_blocks_round_up() {
        assert_eq!(GgmlType::Q8_0.bytes_for(33), 68);
        assert_eq!(GgmlType::F32.bytes_for(10), 40);
    }
}
