//! The sliders' ranges, in the order they run, and where the current value sits in them.

use super::{group_thousands, App, Slider};
use crate::estimate::kv::KvType;
use crate::estimate::quant::{ladder, QuantFamily};
use crate::estimate::{Backend, Hardware, ModelSpec, Quant, Runtime};

/// Context steps up to `max`: 1K steps to 8K, then quarters between powers of two (8K, 10K,
/// 12K, 14K, 16K, 20K, …), then the model's maximum.
pub fn context_steps(max: u32) -> Vec<u32> {
    let max = max.max(1024);
    let mut steps = Vec::new();
    let mut c = 1024u32;
    while c < max {
        steps.push(c);
        let pow2 = 1u32 << (31 - c.leading_zeros());
        c = c.saturating_add((pow2 / 4).max(1024));
    }
    steps.push(max);
    steps
}

/// KV cache types from most to fewest bits per element. bf16 sits beside f32 so that the
/// common path f16 → q8_0 → … → q4_0 runs without a detour.
pub fn kv_steps() -> [KvType; 9] {
    [
        KvType::F32,
        KvType::BF16,
        KvType::F16,
        KvType::Q8_0,
        KvType::Q5_1,
        KvType::Q5_0,
        KvType::Q4_1,
        KvType::IQ4_NL,
        KvType::Q4_0,
    ]
}

/// Micro-batch sizes (`-ub`, Ollama's `num_batch`): llama.cpp's default 512 with the powers of
/// two around it up to its default logical batch 2048, and 4096 for `-b 4096` setups.
pub fn ubatch_steps() -> [u32; 6] {
    [128, 256, 512, 1024, 2048, 4096]
}

/// The quants `runtime` can load, most bits first: GGUF for the llama.cpp family (each
/// bartowski `_L`/`_XL` file just above its stock recipe), MLX's own formats for MLX.
pub fn quant_steps(runtime: Runtime) -> Vec<Quant> {
    let stock = ladder(match runtime {
        Runtime::Mlx => QuantFamily::Mlx,
        _ => QuantFamily::Gguf,
    });
    let mut steps = Vec::with_capacity(stock.len() + 5);
    for q in stock {
        steps.extend(
            crate::estimate::quant::QUANTS
                .iter()
                .filter(|l| l.stock_recipe() == Some(q)),
        );
        steps.push(q);
    }
    steps
}

/// The runtimes that run on `hw` (MLX needs Apple silicon).
pub fn runtime_steps(hw: &Hardware) -> Vec<Runtime> {
    crate::estimate::settings::RUNTIMES
        .iter()
        .copied()
        .filter(|r| *r != Runtime::Mlx || hw.backend == Backend::Metal)
        .collect()
}

/// The quant of `steps` with the nominal bits per weight nearest `q`'s (a runtime switch keeps
/// the size the user chose).
pub fn nearest_quant(steps: &[Quant], q: Quant) -> Quant {
    steps
        .iter()
        .copied()
        .min_by(|a, b| {
            let da = (a.nominal_bpw() - q.nominal_bpw()).abs();
            let db = (b.nominal_bpw() - q.nominal_bpw()).abs();
            da.total_cmp(&db)
        })
        .unwrap_or(q)
}

fn position<T: PartialEq>(list: &[T], x: &T) -> usize {
    list.iter().position(|y| y == x).unwrap_or(0)
}

impl App {
    /// (label of value, position, count) of a slider, for drawing.
    pub fn slider_state(&self, slider: Slider) -> (String, usize, usize) {
        let model = self.selected_model().map(|(_, m)| m);
        let s = &self.settings;
        match slider {
            Slider::Context => {
                let steps = context_steps(model.map_or(131_072, ModelSpec::max_context));
                let ctx = model.map_or(s.context, |m| s.for_model(m).context);
                let pos = steps
                    .iter()
                    .position(|&v| v >= ctx)
                    .unwrap_or(steps.len() - 1);
                (format!("{} tokens", group_thousands(ctx)), pos, steps.len())
            }
            Slider::Quant => {
                let steps = quant_steps(s.runtime);
                let pos = position(&steps, &s.quant);
                (s.quant.label().to_string(), pos, steps.len())
            }
            Slider::KvType => {
                let steps = kv_steps();
                let pos = position(&steps, &s.kv_type);
                (s.kv_type.name().to_string(), pos, steps.len())
            }
            Slider::Sequences => (s.parallel.to_string(), s.parallel as usize - 1, 64),
            Slider::GpuLayers => {
                let total = model.map_or(1, |m| m.arch.layers + 1) as usize;
                match s.gpu_layers {
                    None => ("auto".into(), total + 1, total + 2),
                    Some(n) => (
                        format!("{} of {}", n.min(total as u32), total),
                        n as usize,
                        total + 2,
                    ),
                }
            }
            Slider::Runtime => {
                let steps = runtime_steps(self.hw());
                let pos = position(&steps, &s.runtime);
                (s.runtime.name().to_string(), pos, steps.len())
            }
            Slider::Ubatch => {
                let steps = ubatch_steps();
                let pos = steps
                    .iter()
                    .position(|&v| v >= s.n_ubatch)
                    .unwrap_or(steps.len() - 1);
                (format!("{} tokens", s.n_ubatch), pos, steps.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_steps_are_fine_between_powers_of_two() {
        let s = context_steps(131_072);
        assert_eq!(
            &s[..10],
            &[1024, 2048, 3072, 4096, 5120, 6144, 7168, 8192, 10240, 12288]
        );
        assert_eq!(*s.last().unwrap_or(&0), 131_072);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(context_steps(40_960).last(), Some(&40_960));
    }

    #[test]
    fn quants_run_by_bits_and_families_never_mix() {
        let gguf = quant_steps(Runtime::LlamaCpp);
        assert!(gguf.iter().all(|q| q.is_gguf()));
        assert!(gguf
            .windows(2)
            .all(|w| w[0].nominal_bpw() >= w[1].nominal_bpw()));
        let mlx = quant_steps(Runtime::Mlx);
        assert_eq!(
            mlx,
            vec![Quant::Mlx8, Quant::Mlx6, Quant::Mlx4, Quant::Mlx3]
        );
        assert_eq!(nearest_quant(&mlx, Quant::Q4_K_M), Quant::Mlx4);
        assert_eq!(nearest_quant(&gguf, Quant::Mlx8), Quant::Q8_0);
    }

    #[test]
    fn kv_steps_put_f16_beside_q8_0() {
        let k = kv_steps();
        let f16 = position(&k, &KvType::F16);
        assert_eq!(k[f16 + 1], KvType::Q8_0);
        assert_eq!(*k.last().unwrap_or(&KvType::F32), KvType::Q4_0);
        assert_eq!(k[0], KvType::F32);
    }
}
