//! The incremental estimator: memoised nodes keyed by exactly the inputs each reads, so a change
//! recomputes only what depends on it.
//!
//! weights  ← (model, quant)
//! context  ← (model, context, KV type, sequences, runtime, flash attention, ubatch)
//! estimate ← (weights, context, hardware, GPU layers)
//! max ctx  ← (model, quant, context settings, hardware, GPU layers)
//!
//! Moving the context slider never recomputes weights; changing hardware never recomputes KV
//! bytes; searching recomputes nothing. Counters prove it in tests.

use std::collections::HashMap;
use std::sync::Arc;

use super::kv::{CacheBytes, KvType};
use super::overhead::ComputeBuffers;
use super::weights::{weight_table, WeightTable};
use super::{
    context_terms, estimate_with_terms, max_context, max_context_within, Estimate, Hardware,
    ModelSpec, ModelTerms, Quant, Runtime, Settings, Verdict,
};

/// How many times each node was computed (not served from the cache).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoStats {
    /// Weight tables built.
    pub weights: u64,
    /// KV/state/compute-buffer terms built.
    pub context: u64,
    /// Placements and speeds computed.
    pub estimates: u64,
    /// Largest-context searches run.
    pub max_context: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ContextKey {
    model: u32,
    context: u32,
    kv: KvType,
    parallel: u32,
    runtime: Runtime,
    flash_attn: bool,
    n_ubatch: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct EstimateKey {
    context: ContextKey,
    quant: Quant,
    hardware: u64,
    gpu_layers: Option<u32>,
    cpu_moe: Option<u32>,
}

type ContextTerms = Arc<(CacheBytes, ComputeBuffers, super::kv::CacheShape)>;

/// Memo of estimator nodes. Bounded: each map is cleared when it outgrows `capacity`.
#[derive(Debug)]
pub struct Memo {
    weights: HashMap<(u32, Quant), Arc<WeightTable>>,
    context: HashMap<ContextKey, ContextTerms>,
    estimates: HashMap<EstimateKey, Estimate>,
    /// `None`: [`max_context`]'s own target; `Some(v)`: [`max_context_within`] `v`.
    max_ctx: HashMap<(EstimateKey, Option<Verdict>), u32>,
    /// Weights known exactly (a file on disk): served whatever the quant slider says.
    fixed: HashMap<u32, Arc<WeightTable>>,
    capacity: usize,
    stats: MemoStats,
}

impl Default for Memo {
    fn default() -> Self {
        Memo::with_capacity(4096)
    }
}

impl Memo {
    /// A memo holding at most `capacity` entries per node.
    pub fn with_capacity(capacity: usize) -> Self {
        Memo {
            weights: HashMap::new(),
            context: HashMap::new(),
            estimates: HashMap::new(),
            max_ctx: HashMap::new(),
            fixed: HashMap::new(),
            capacity: capacity.max(1),
            stats: MemoStats::default(),
        }
    }

    /// Registers exact weights for model `id` (read from its file).
    pub fn set_fixed_weights(&mut self, id: u32, weights: WeightTable) {
        self.fixed.insert(id, Arc::new(weights));
    }

    /// Recompute counters.
    pub fn stats(&self) -> MemoStats {
        self.stats
    }

    fn context_key(model: u32, s: &Settings) -> ContextKey {
        ContextKey {
            model,
            context: s.context,
            kv: s.kv_type,
            parallel: s.parallel,
            runtime: s.runtime,
            flash_attn: s.flash_attn,
            n_ubatch: s.n_ubatch,
        }
    }

    /// The weight table of model `id` (a stable index) under `quant`.
    pub fn weights(&mut self, id: u32, model: &ModelSpec, quant: Quant) -> Arc<WeightTable> {
        if let Some(w) = self.fixed.get(&id) {
            return Arc::clone(w);
        }
        if let Some(w) = self.weights.get(&(id, quant)) {
            return Arc::clone(w);
        }
        if self.weights.len() >= self.capacity {
            self.weights.clear();
        }
        self.stats.weights += 1;
        let w = Arc::new(weight_table(model, quant));
        self.weights.insert((id, quant), Arc::clone(&w));
        w
    }

    fn context_terms(&mut self, id: u32, model: &ModelSpec, s: &Settings) -> ContextTerms {
        let key = Self::context_key(id, s);
        if let Some(c) = self.context.get(&key) {
            return Arc::clone(c);
        }
        if self.context.len() >= self.capacity {
            self.context.clear();
        }
        self.stats.context += 1;
        let c = Arc::new(context_terms(model, s));
        self.context.insert(key, Arc::clone(&c));
        c
    }

    /// What an estimate (or a largest context) of model `id` depends on.
    fn estimate_key(id: u32, s: &Settings, hw_key: u64) -> EstimateKey {
        EstimateKey {
            context: Self::context_key(id, s),
            quant: s.quant,
            hardware: hw_key,
            gpu_layers: s.gpu_layers,
            cpu_moe: s.cpu_moe,
        }
    }

    /// The estimate of model `id` on hardware `hw_key` (any number that changes when the
    /// hardware does).
    pub fn estimate(
        &mut self,
        id: u32,
        model: &ModelSpec,
        hw_key: u64,
        hw: &Hardware,
        s: &Settings,
    ) -> Estimate {
        let key = Self::estimate_key(id, s, hw_key);
        if let Some(e) = self.estimates.get(&key) {
            return e.clone();
        }
        let weights = self.weights(id, model, s.quant);
        let ctx = self.context_terms(id, model, s);
        if self.estimates.len() >= self.capacity {
            self.estimates.clear();
        }
        self.stats.estimates += 1;
        let terms = ModelTerms {
            weights: (*weights).clone(),
            cache: ctx.0.clone(),
            compute: ctx.1,
            shape: ctx.2,
        };
        let e = estimate_with_terms(model, hw, s, &terms);
        self.estimates.insert(key, e.clone());
        e
    }

    /// The largest context that still fits (see [`max_context`]).
    pub fn max_context(
        &mut self,
        id: u32,
        model: &ModelSpec,
        hw_key: u64,
        hw: &Hardware,
        s: &Settings,
    ) -> u32 {
        let key = Self::estimate_key(id, s, hw_key);
        if let Some(m) = self.max_ctx.get(&(key, None)) {
            return *m;
        }
        let weights = self.weights(id, model, s.quant);
        if self.max_ctx.len() >= self.capacity {
            self.max_ctx.clear();
        }
        self.stats.max_context += 1;
        let m = max_context(model, hw, s, &weights);
        self.max_ctx.insert((key, None), m);
        m
    }

    /// The largest context whose verdict is `worst` or better (see [`max_context_within`]);
    /// it does not depend on the chosen context, so moving that slider reuses it.
    pub fn max_context_within(
        &mut self,
        id: u32,
        model: &ModelSpec,
        hw_key: u64,
        hw: &Hardware,
        s: &Settings,
        worst: Verdict,
    ) -> u32 {
        let key = Self::estimate_key(id, &Settings { context: 0, ..*s }, hw_key);
        if let Some(m) = self.max_ctx.get(&(key, Some(worst))) {
            return *m;
        }
        let weights = self.weights(id, model, s.quant);
        if self.max_ctx.len() >= self.capacity {
            self.max_ctx.clear();
        }
        self.stats.max_context += 1;
        let m = max_context_within(model, hw, s, &weights, worst);
        self.max_ctx.insert((key, Some(worst)), m);
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::estimate::estimate;

    #[test]
    fn context_change_recomputes_no_weights_and_hardware_change_no_kv() {
        let cat = Catalog::builtin().expect("catalog");
        let m = cat.find_model("llama-3.1-8b").expect("model").clone();
        let (h1, h2) = (
            cat.find_hardware("rtx-4090").expect("hw"),
            cat.find_hardware("m4-pro-48").expect("hw"),
        );
        let mut memo = Memo::default();
        let s = Settings::default();
        memo.estimate(0, &m, 1, h1, &s);
        assert_eq!(
            memo.stats(),
            MemoStats {
                weights: 1,
                context: 1,
                estimates: 1,
                max_context: 0
            }
        );
        memo.estimate(
            0,
            &m,
            1,
            h1,
            &Settings {
                context: 16384,
                ..s
            },
        );
        assert_eq!(
            memo.stats().weights,
            1,
            "context slider must not rebuild weights"
        );
        assert_eq!(memo.stats().context, 2);
        memo.estimate(
            0,
            &m,
            2,
            h2,
            &Settings {
                context: 16384,
                ..s
            },
        );
        assert_eq!(
            memo.stats().context,
            2,
            "hardware change must not recompute KV"
        );
        assert_eq!(memo.stats().estimates, 3);
        memo.estimate(
            0,
            &m,
            2,
            h2,
            &Settings {
                context: 16384,
                ..s
            },
        );
        assert_eq!(
            memo.stats().estimates,
            3,
            "same inputs are served from the memo"
        );
    }

    #[test]
    fn memoised_equals_direct() {
        let cat = Catalog::builtin().expect("catalog");
        let mut memo = Memo::with_capacity(8);
        for (i, m) in cat.models.iter().enumerate().take(20) {
            for (j, hw) in cat.hardware.iter().enumerate().step_by(17) {
                for ctx in [4096, 65536] {
                    let s = Settings {
                        context: ctx,
                        ..Settings::default()
                    };
                    assert_eq!(
                        memo.estimate(i as u32, m, j as u64, hw, &s),
                        estimate(m, hw, &s),
                        "{} on {}",
                        m.id,
                        hw.id
                    );
                }
            }
        }
    }

    #[test]
    fn placement_flags_are_part_of_the_key() {
        let cat = Catalog::builtin().expect("catalog");
        let m = cat.find_model("qwen3-30b-a3b").expect("model");
        let hw = cat.find_hardware("rtx-3060-12").expect("hardware");
        let mut memo = Memo::with_capacity(8);
        for (gpu_layers, cpu_moe) in [(None, None), (None, Some(40)), (Some(20), None)] {
            let s = Settings {
                gpu_layers,
                cpu_moe,
                ..Settings::default()
            };
            assert_eq!(memo.estimate(0, m, 0, hw, &s), estimate(m, hw, &s));
        }
    }
}
