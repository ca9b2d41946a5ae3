//! The comparison matrix: models × hardware at one setting, each cell a full estimate plus the
//! best quantization and the largest context that still fit. Pure: the CLI and the TUI render it.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::estimate::quant::largest_that_fits;
use crate::estimate::weights::{weight_table, WeightTable};
use crate::estimate::{
    estimate, estimate_with_weights, max_context, Estimate, Hardware, ModelSpec, Quant, Settings,
    Verdict,
};

/// The guide's memory tiers on their typical unified-memory platforms.
pub const TIER_IDS: [&str; 7] = [
    "tier-16", "tier-24", "tier-32", "tier-48", "tier-64", "tier-96", "tier-128",
];

/// The models the guide recommends, in its order.
pub const GUIDE_MODELS: [&str; 11] = [
    "gemma-4-12b",
    "phi-4",
    "qwen2.5-14b",
    "ministral-3-14b",
    "mistral-small-3.1-24b",
    "deepseek-r1-distill-qwen-32b",
    "qwen3.6-35b-a3b",
    "llama-3.3-70b",
    "llama-4-scout",
    "qwen3.5-122b-a10b",
    "kimi-k2.6",
];

/// One cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// The estimate at the chosen settings.
    pub estimate: Estimate,
    /// Highest-precision quantization of the same family (GGUF or not) that fits on the GPU.
    pub best_quant: Option<&'static str>,
    /// Largest context that fits at the chosen quantization.
    pub max_context: u32,
    /// Runs with at least 10 % of its pool free ([`comfortable`]).
    pub comfortable: bool,
}

/// Models (rows) × hardware (columns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    /// Row model ids.
    pub models: Vec<String>,
    /// Column hardware ids.
    pub hardware: Vec<String>,
    /// `cells[row][col]`.
    pub cells: Vec<Vec<Cell>>,
    /// Per row: the column of the cheapest hardware where it first fits comfortably.
    pub cheapest_fit: Vec<Option<usize>>,
}

/// Share of usable memory a comfortable fit leaves free, so it still fits with a longer prompt.
pub const COMFORT: f64 = 0.10;

/// Runs as `fit` says it does (on the GPU, with layers or experts in host RAM, or on the CPU)
/// with at least [`COMFORT`] of the memory it runs from to spare: the GPU's when all of it is
/// there, GPU + RAM together when offloaded ([`Estimate::pool`]).
pub fn comfortable(e: &Estimate) -> bool {
    e.verdict != Verdict::DoesNotFit && e.pool_headroom() as f64 >= COMFORT * e.pool().1 as f64
}

/// Estimates one cell.
pub fn cell(model: &ModelSpec, hw: &Hardware, s: &Settings) -> Cell {
    cell_with(model, None, hw, s)
}

/// Estimates one cell; `weights` is the table of a model read from its file (a GGUF header, a
/// fetched repo), so the cell counts that file's bytes as `fit` does, else the one the
/// quantization gives. The best quantization is over the architecture's other files.
pub fn cell_with(
    model: &ModelSpec,
    weights: Option<&WeightTable>,
    hw: &Hardware,
    s: &Settings,
) -> Cell {
    let e = match weights {
        Some(w) => estimate_with_weights(model, hw, s, w),
        None => estimate(model, hw, s),
    };
    let comfortable = comfortable(&e);
    let best_quant = largest_that_fits(s.quant, |q| {
        estimate(model, hw, &Settings { quant: q, ..*s }).verdict == Verdict::FitsOnGpu
    })
    .map(|q| q.label());
    let max_ctx = match weights {
        Some(w) => max_context(model, hw, s, w),
        None => max_context(model, hw, s, &weight_table(model, s.quant)),
    };
    Cell {
        estimate: e,
        best_quant,
        max_context: max_ctx,
        comfortable,
    }
}

/// Position of the cheapest column where the row fits comfortably: by price when every column
/// has one, else by memory.
pub fn cheapest_comfortable<'a>(
    cells: impl Iterator<Item = (&'a Hardware, &'a Estimate)> + Clone,
) -> Option<usize> {
    let by_price = cells.clone().all(|(h, _)| h.price_usd.is_some());
    let cost = |h: &Hardware| {
        if by_price {
            h.price_usd.unwrap_or(0.0)
        } else {
            h.memory as f64
        }
    };
    cells
        .enumerate()
        .filter(|(_, (_, e))| comfortable(e))
        .min_by(|(_, (a, _)), (_, (b, _))| cost(a).total_cmp(&cost(b)))
        .map(|(i, _)| i)
}

/// Builds the matrix. Columns keep the given order; "cheapest" is by price when every column has
/// one, else by memory.
pub fn build(models: &[&ModelSpec], hardware: &[&Hardware], s: &Settings) -> Matrix {
    build_with(
        models,
        &vec![None; models.len()],
        hardware,
        &vec![*s; models.len()],
    )
}

/// [`build`] with each row's weights as its file holds them where known (`weights[row]`) and
/// its own settings (`settings[row]`: the quant its name selects).
pub fn build_with(
    models: &[&ModelSpec],
    weights: &[Option<&WeightTable>],
    hardware: &[&Hardware],
    settings: &[Settings],
) -> Matrix {
    let cells: Vec<Vec<Cell>> = models
        .iter()
        .zip(settings)
        .enumerate()
        .map(|(r, (m, s))| {
            let w = weights.get(r).copied().flatten();
            hardware
                .iter()
                .map(|h| cell_with(m, w, h, &s.for_model(m)))
                .collect()
        })
        .collect();
    let cheapest_fit = cells
        .iter()
        .map(|row| {
            cheapest_comfortable(
                hardware
                    .iter()
                    .copied()
                    .zip(row.iter().map(|c| &c.estimate)),
            )
        })
        .collect();
    Matrix {
        models: models.iter().map(|m| m.id.clone()).collect(),
        hardware: hardware.iter().map(|h| h.id.clone()).collect(),
        cells,
        cheapest_fit,
    }
}

/// A model as named: the catalog entry and the quant its name selects, if any.
pub type NamedModel<'a> = (&'a ModelSpec, Option<Quant>);

/// Resolves comma-separated names (each with the quant its name selects, `name:Q8_0`, as `fit`
/// reads it), or the defaults when none are given.
pub fn resolve<'a>(
    cat: &'a Catalog,
    models: &[String],
    hardware: &[String],
) -> Result<(Vec<NamedModel<'a>>, Vec<&'a Hardware>), String> {
    let models: Vec<NamedModel> = if models.is_empty() {
        GUIDE_MODELS
            .iter()
            .filter_map(|id| cat.find_model(id).ok())
            .map(|m| (m, None))
            .collect()
    } else {
        models
            .iter()
            .map(|m| {
                cat.resolve_model(m)
                    .map(|found| (found.model, found.quant))
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?
    };
    let tiers =
        hardware.is_empty() || (hardware.len() == 1 && hardware[0].eq_ignore_ascii_case("tiers"));
    let hardware: Vec<&Hardware> = if tiers {
        TIER_IDS
            .iter()
            .filter_map(|id| cat.find_hardware(id).ok())
            .collect()
    } else {
        hardware
            .iter()
            .map(|h| cat.find_hardware(h).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?
    };
    Ok((models, hardware))
}

/// What a machine is weighed against: the monthly API bill it replaces and its electricity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostInputs {
    pub api_usd_per_month: f64,
    pub usd_per_kwh: f64,
    pub hours_per_day: f64,
}

impl Default for CostInputs {
    /// The guide's example: 150 USD a month of API use; a typical tariff and working day.
    fn default() -> Self {
        CostInputs {
            api_usd_per_month: 150.0,
            usd_per_kwh: 0.15,
            hours_per_day: 8.0,
        }
    }
}

impl CostInputs {
    /// Break-even months of `hw` (`None`: no known price, or it never pays off).
    pub fn break_even(&self, hw: &Hardware) -> Option<f64> {
        break_even_months(
            hw.price_usd?,
            hw.power_w.unwrap_or(0.0),
            self.api_usd_per_month,
            self.usd_per_kwh,
            self.hours_per_day,
        )
    }
}

/// Months until a machine pays for itself against an API bill: price / (API − electricity).
/// `None` when electricity costs as much as the API.
pub fn break_even_months(
    price_usd: f64,
    power_w: f64,
    api_per_month: f64,
    usd_per_kwh: f64,
    hours_per_day: f64,
) -> Option<f64> {
    let electricity = power_w / 1000.0 * hours_per_day * 30.0 * usd_per_kwh;
    let saving = api_per_month - electricity;
    (saving > 0.0 && price_usd.is_finite()).then(|| price_usd / saving)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn break_even_of_the_guides_example() {
        // A 48 GB Mac at ~2,400 USD, 60 W for 8 h/day at 0.15 USD/kWh, against 150 USD/month.
        let m = break_even_months(2400.0, 60.0, 150.0, 0.15, 8.0).expect("pays off");
        assert!(
            (m - 2400.0 / (150.0 - 0.06 * 8.0 * 30.0 * 0.15)).abs() < 1e-9
                && (m - 16.2).abs() < 0.05,
            "{m}"
        );
        assert_eq!(break_even_months(2000.0, 5000.0, 10.0, 0.3, 24.0), None);
    }
}
