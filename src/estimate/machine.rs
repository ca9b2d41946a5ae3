//! One machine's own speed, fitted from its benchmark runs (`fitcheck calibrate`): the rate at
//! which it streams model bytes in batch-1 decode, its fixed cost per token, and its prefill
//! matmul rate. For that machine these replace the backend's efficiencies; nothing else changes.
//! Pure: the runs come in as numbers, the I/O lives in [`crate::calibrate`].

use serde::{Deserialize, Serialize};

use super::hardware::Hardware;
use super::kv::kv_read_bytes;
use super::model::ModelSpec;
use super::speed::{BackendConstants, FORMAT_CLASSES};
use super::weights::WeightTable;
use super::{cache_shape, Settings};

/// What `fitcheck calibrate` measured on one machine.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MachineSpeed {
    /// Effective bandwidth of batch-1 decode, GB/s (10^9 B/s): model bytes read per token ÷
    /// (seconds per token − fixed cost), fitted by least squares.
    pub bandwidth_gbps: f64,
    /// Fixed cost per decoded token, seconds (the fit's intercept, or the backend's own when the
    /// runs cover one model only).
    pub fixed_s: f64,
    /// Effective dense matmul rate of prefill, TFLOPS; `None` without prompt-processing runs.
    pub prefill_tflops: Option<f64>,
    /// Decode runs the fit used.
    pub decode_runs: u32,
    /// Prefill runs the fit used.
    pub prefill_runs: u32,
}

impl MachineSpeed {
    /// Runs behind the figures.
    pub fn runs(&self) -> u32 {
        self.decode_runs.saturating_add(self.prefill_runs)
    }
}

/// One decode measurement, reduced to what the fit needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodePoint {
    /// Bytes read per token, MoE bytes divided by the backend's MoE efficiency and KV bytes by
    /// its relative KV efficiency (see [`decode_bytes`]).
    pub bytes: f64,
    /// Measured seconds per token (1 / tokens per second).
    pub seconds: f64,
    /// The backend's own fixed cost for this model (used when one model cannot fit an intercept).
    pub fixed_s: f64,
}

/// Why the runs could not be fitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FitError(pub String);

impl std::fmt::Display for FitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Models closer in size than this share one point of the line: the intercept needs a spread.
const MIN_SPREAD: f64 = 1.3;

/// Least squares of seconds per token against bytes per token: `t = bytes / B + t0`. With one
/// model size (or a fit whose intercept comes out negative), only `B` is fitted, around the
/// backend's own fixed cost.
pub fn fit_decode(points: &[DecodePoint]) -> Result<(f64, f64), FitError> {
    if points.is_empty() {
        return Err(FitError("no decode (tg) runs to fit".into()));
    }
    let n = points.len() as f64;
    let (lo, hi) = points.iter().fold((f64::MAX, 0f64), |(lo, hi), p| {
        (lo.min(p.bytes), hi.max(p.bytes))
    });
    if hi > lo * MIN_SPREAD && points.len() >= 2 {
        let mx = points.iter().map(|p| p.bytes).sum::<f64>() / n;
        let my = points.iter().map(|p| p.seconds).sum::<f64>() / n;
        let sxy: f64 = points
            .iter()
            .map(|p| (p.bytes - mx) * (p.seconds - my))
            .sum();
        let sxx: f64 = points.iter().map(|p| (p.bytes - mx).powi(2)).sum();
        let slope = sxy / sxx;
        let intercept = my - slope * mx;
        if slope > 0.0 && intercept >= 0.0 {
            return Ok((1.0 / slope, intercept));
        }
        if slope <= 0.0 {
            return Err(FitError(
                "decode time does not grow with model size in these runs (mixed machines or settings?)"
                    .into(),
            ));
        }
    }
    // One size: 1/B = Σ x (y − t0) / Σ x², each run around the backend's fixed cost.
    let sxy: f64 = points
        .iter()
        .map(|p| p.bytes * (p.seconds - p.fixed_s))
        .sum();
    let sxx: f64 = points.iter().map(|p| p.bytes * p.bytes).sum();
    if sxy <= 0.0 {
        return Err(FitError(
            "the runs are faster than the backend's fixed cost per token allows".into(),
        ));
    }
    let fixed = points.iter().map(|p| p.fixed_s).sum::<f64>() / n;
    Ok((sxx / sxy, fixed))
}

/// The median of the prefill rates (FLOP/s), in TFLOPS: the middle run, not a mean one outlier
/// (a cold first run) could drag.
pub fn fit_prefill(flops_per_s: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = flops_per_s
        .iter()
        .copied()
        .filter(|f| f.is_finite() && *f > 0.0)
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    let median = if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    };
    Some(median / 1e12)
}

/// What one token of `model` costs on `hw`'s backend at `depth`: (decode bytes as the fit counts
/// them, prefill FLOPs per token divided by the MoE prefill efficiency, the backend's fixed cost).
/// `weights` may be scaled to the real file's size.
pub fn decode_bytes(
    model: &ModelSpec,
    weights: &WeightTable,
    settings: &Settings,
    c: &BackendConstants,
    depth: u64,
) -> (f64, f64, f64) {
    let moe = model.arch.moe.is_some();
    let shape = cache_shape(settings);
    let kv = kv_read_bytes(&model.arch, &shape, depth) as f64;
    let bytes = effective_bytes(weights.read_bytes() as f64, kv, moe, c);
    let active = weights
        .active_params()
        .saturating_sub(weights.output_params) as f64;
    let flops = 2.0 * active / if moe { c.moe_prefill.max(0.05) } else { 1.0 };
    let fixed = c.t_fixed + c.t_layer * f64::from(model.arch.layers);
    (bytes, flops, fixed)
}

/// Weight bytes over the MoE efficiency, KV bytes over the KV efficiency relative to weights.
pub fn effective_bytes(weights: f64, kv: f64, moe: bool, c: &BackendConstants) -> f64 {
    let moe_f = if moe { c.moe_eta.max(0.05) } else { 1.0 };
    weights / moe_f + kv / kv_ratio(c)
}

fn kv_ratio(c: &BackendConstants) -> f64 {
    (c.eta_kv / c.eta_weights.max(0.05)).max(0.05)
}

/// The backend constants and rates (device bandwidth, host bandwidth, TFLOPS) that make the
/// estimator's decode and prefill formulas give `m`'s figures: raw bytes at `B`, no saturation,
/// no per-format, per-layer or dequantization terms, the fitted fixed cost, prefill at the fitted
/// rate.
pub fn measured_rates(
    m: &MachineSpeed,
    c: &BackendConstants,
    hw: &Hardware,
    (dev_bw, host_bw, tflops): (f64, f64, f64),
) -> (BackendConstants, f64, f64, f64) {
    let mut k = *c;
    k.eta_weights = 1.0;
    k.eta_kv = kv_ratio(c);
    k.bw_saturation_gbps = f64::MAX;
    k.t_fixed = m.fixed_s;
    k.t_layer = 0.0;
    // The fit is linear in the bytes: the measured rate already holds whatever the vector units'
    // dequantization cost the runs, so it is not charged again on top.
    k.alu_ops_per_weight = 0.0;
    k.format_eff = [1.0; FORMAT_CLASSES];
    let (dev_bw, host_bw) = if hw.has_gpu() {
        (m.bandwidth_gbps, host_bw)
    } else {
        // CPU-only: every byte is a host byte, which the estimator reads at host bw × eta_host.
        (dev_bw, m.bandwidth_gbps / c.eta_host.max(0.05))
    };
    let tflops = match m.prefill_tflops {
        Some(t) => {
            // The measured rate is what the kernels reach: no efficiency, no saturation.
            k.prefill_eff = 1.0;
            k.tflops_saturation = f64::MAX;
            k.prefill_format_eff = [1.0; FORMAT_CLASSES];
            // Whatever units ran the measured prompts, the measured rate is the peak.
            k.vector_matmul_ratio = f64::MAX;
            t
        }
        None => tflops,
    };
    (k, dev_bw, host_bw, tflops)
}

/// (device, host) peak bandwidths for the roofline: the spec's, raised to the measured rate where
/// the machine streams faster than its assumed peak (a CPU's RAM bandwidth is often a guess).
pub fn roofline_rates(m: &MachineSpeed, hw: &Hardware, (dev, host): (f64, f64)) -> (f64, f64) {
    if hw.has_gpu() {
        (dev.max(m.bandwidth_gbps), host)
    } else {
        (dev, host.max(m.bandwidth_gbps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(b: f64, t0: f64, gb: &[f64]) -> Vec<DecodePoint> {
        gb.iter()
            .map(|g| DecodePoint {
                bytes: g * 1e9,
                seconds: g * 1e9 / b + t0,
                fixed_s: 0.005,
            })
            .collect()
    }

    #[test]
    fn recovers_bandwidth_and_fixed_cost_of_an_exact_line() {
        let (b, t0) = fit_decode(&line(800e9, 0.002, &[0.8, 2.0, 4.9, 8.5])).expect("fit");
        assert!((b / 800e9 - 1.0).abs() < 1e-9, "{b}");
        assert!((t0 - 0.002).abs() < 1e-12, "{t0}");
    }

    #[test]
    fn one_model_fits_bandwidth_around_the_backend_fixed_cost() {
        let pts = line(100e9, 0.005, &[4.9, 4.9]);
        let (b, t0) = fit_decode(&pts).expect("fit");
        assert!((b / 100e9 - 1.0).abs() < 1e-9, "{b}");
        assert_eq!(t0, 0.005);
    }

    #[test]
    fn refuses_runs_that_get_faster_with_size() {
        let mut pts = line(100e9, 0.001, &[1.0, 8.0]);
        pts.swap(0, 1);
        pts[0].bytes = 1e9;
        pts[1].bytes = 8e9;
        assert!(fit_decode(&pts).is_err());
        assert!(fit_decode(&[]).is_err());
    }

    #[test]
    fn prefill_is_the_median_rate() {
        assert_eq!(fit_prefill(&[1e12, 9e12, 2e12]), Some(2.0));
        assert_eq!(fit_prefill(&[]), None);
    }
}
