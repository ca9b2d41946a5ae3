//! The app model: catalog, chosen hardware and settings, search, focus and selection. No
//! terminal here; `update` is the only mutator, `ui::view` only reads.

pub mod action;
pub mod advice;
pub mod frame;
mod hub_fetch;
pub mod problems;
pub mod recommend;
pub mod sliders;
pub mod sort_job;
mod sorting;
pub mod update;

use std::sync::Arc;

use crate::catalog::Catalog;
use crate::estimate::memo::Memo;
use crate::estimate::units::group_thousands as group;
use crate::estimate::{Estimate, Hardware, ModelSpec, Settings, Verdict};
use crate::local::LocalModel;
use crate::search::{match_small, Highlighter, ModelSearch};
use frame::FrameData;
pub use hub_fetch::{HubFetch, HUB_SOURCE};
pub use sliders::{context_steps, kv_steps, quant_steps, runtime_steps};
use sort_job::SortJob;
pub use sorting::SortKey;
use std::collections::HashSet;

pub use action::Action;
pub use update::update;

/// What the keys drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Moving around.
    Browse,
    /// Typing a model search.
    Search,
    /// Choosing hardware.
    Picker,
    /// Reading the key list.
    Help,
    /// Reading what the disk scan could not use.
    Problems,
    /// The models × hardware comparison.
    Compare,
    /// The source guide's claims, recomputed.
    Guide,
    /// The best models for a use case on the chosen machine.
    Recommend,
}

/// The panel with the keyboard (the gauges take no input, so they never have it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Focus {
    /// Model list.
    Browser,
    /// Settings sliders.
    Sliders,
}

/// A setting slider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slider {
    /// Context length.
    Context,
    /// Weight quantization.
    Quant,
    /// KV cache type.
    KvType,
    /// Concurrent sequences.
    Sequences,
    /// Layers on the GPU.
    GpuLayers,
    /// Runtime.
    Runtime,
    /// Micro-batch (`-ub`): compute buffers and the sliding-window cache grow with it.
    Ubatch,
}

/// Sliders top to bottom.
pub const SLIDERS: [Slider; 7] = [
    Slider::Context,
    Slider::Quant,
    Slider::KvType,
    Slider::Sequences,
    Slider::GpuLayers,
    Slider::Runtime,
    Slider::Ubatch,
];

/// The whole app state.
pub struct App {
    /// Models and presets.
    pub catalog: Arc<Catalog>,
    /// Models found on disk; their ids follow the catalog's.
    pub local: Vec<LocalModel>,
    /// Catalog ids that have a file on disk.
    pub installed: HashSet<u32>,
    /// Models marked for the comparison (`m`).
    pub marked_models: Vec<u32>,
    /// Hardware indices marked for the comparison (Tab in the picker).
    pub marked_hardware: Vec<usize>,
    /// Hardware choices: this machine first, then the catalog's.
    pub hardware: Vec<Hardware>,
    /// Chosen hardware.
    pub hw_index: usize,
    /// Bumped when entry 0 (this machine) is replaced by detection.
    pub hw_version: u64,
    /// Slider values.
    pub settings: Settings,
    /// Which panel has the keyboard.
    pub focus: Focus,
    /// Key mode.
    pub mode: Mode,
    /// Focused slider.
    pub slider: Slider,
    /// Model query.
    pub query: String,
    /// Fuzzy search over models.
    pub search: ModelSearch,
    /// Matched model ids in display order.
    pub rows: Vec<u32>,
    /// Selected row.
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    /// Rows the browser showed in the last frame (a layout fact, fed back by `Action::Layout`).
    pub page: usize,
    /// First comparison row shown.
    pub compare_scroll: usize,
    /// Comparison rows the last frame had room for.
    pub compare_page: usize,
    /// Last useful guide scroll position at the last frame's width.
    pub guide_max_scroll: u16,
    /// First key line shown in the help (it pages when the terminal is too short for all).
    pub help_scroll: u16,
    /// Last useful help scroll position at the last frame's size.
    pub help_max_scroll: u16,
    /// What the next frame shows (see [`App::prepare_frame`]).
    pub frame: FrameData,
    /// Reused matcher for the highlighted characters of visible rows.
    pub highlighter: Highlighter,
    /// Browser order.
    pub sort: SortKey,
    /// Picker query, matches and selection.
    pub picker_query: String,
    /// Hardware indices matching the picker query.
    pub picker_rows: Vec<usize>,
    /// Selected picker row.
    pub picker_selected: usize,
    /// Incremental estimator.
    pub memo: Memo,
    /// Something visible changed: draw.
    pub dirty: bool,
    /// Leave the loop.
    pub quit: bool,
    /// A Hugging Face fetch asked for from the search, and its status.
    pub hub: HubFetch,
    /// Bumped by every new order; a worker's result must carry the current one.
    pub sort_generation: u64,
    /// The gauges show a fine-tuning step instead of inference (`f`).
    pub train_mode: Option<crate::estimate::train::Method>,
    /// The same, shared with sort workers so stale ones stop early.
    pub sort_latest: Arc<std::sync::atomic::AtomicU64>,
    /// A sort waiting for a worker (taken by the event loop).
    pub sort_pending: Option<SortJob>,
    /// A worker is sorting; the list shows the previous order meanwhile.
    pub sorting: bool,
    /// How this machine's figures were found (measured, looked up, assumed, corrected).
    pub machine_notes: Vec<String>,
    /// What the comparison weighs hardware prices against.
    pub costs: crate::compare::CostInputs,
    /// First line shown in the guide popup.
    pub guide_scroll: u16,
    /// The guide's tables, computed the first time the popup opens (they depend only on the
    /// catalog).
    pub guide_tables: std::sync::OnceLock<crate::guide::GuideTables>,
    /// The Recommend view (`R`) and the use case the browser's quality column shows.
    pub rec: recommend::RecommendState,
    /// The browser's order turned around (`S`).
    pub reverse: bool,
    /// The browser shows only models that fit on the GPU (`F`).
    pub fits_only: bool,
    /// Published quality data (`None` only if the built-in file failed to parse).
    pub quality: Option<Arc<crate::quality::QualityData>>,
    /// Scores of the use case's metric by catalog index (the quality column and sort, and the
    /// Recommend view's ranking).
    pub quality_scores: Arc<crate::recommend::MetricScores>,
    /// Each use case's scores lined up with the catalog, kept across use-case changes.
    pub score_cache: recommend::ScoreCache,
    /// The comparison's cheapest machines for a model (`$`), while shown.
    pub buy: Option<recommend::BuyView>,
    /// What the disk scan could not use (`!`).
    pub problems: problems::Problems,
}

impl App {
    /// A new app; `machine` is this machine (detected or a placeholder), `preselect` a hardware id.
    pub fn new(catalog: Arc<Catalog>, machine: Hardware, preselect: Option<&str>) -> App {
        let search = ModelSearch::new(
            catalog
                .models
                .iter()
                .map(|m| (m.name.clone(), extras(m)))
                .collect(),
        );
        let mut hardware = vec![machine];
        hardware.extend(catalog.hardware.iter().cloned());
        let hw_index = preselect
            .and_then(|id| hardware.iter().position(|h| h.id.eq_ignore_ascii_case(id)))
            .unwrap_or(0);
        let mut app = App {
            catalog,
            local: Vec::new(),
            installed: HashSet::new(),
            marked_models: Vec::new(),
            marked_hardware: Vec::new(),
            hardware,
            hw_index,
            hw_version: 0,
            settings: Settings::default(),
            focus: Focus::Browser,
            mode: Mode::Browse,
            slider: Slider::Context,
            query: String::new(),
            search,
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            page: 20,
            compare_scroll: 0,
            compare_page: 8,
            guide_max_scroll: u16::MAX,
            help_scroll: 0,
            help_max_scroll: u16::MAX,
            frame: FrameData::default(),
            highlighter: Highlighter::default(),
            sort: SortKey::Relevance,
            picker_query: String::new(),
            picker_rows: Vec::new(),
            picker_selected: 0,
            memo: Memo::default(),
            dirty: true,
            quit: false,
            machine_notes: vec!["detecting this machine…".into()],
            sort_generation: 0,
            hub: HubFetch::default(),
            train_mode: None,
            sort_latest: Arc::default(),
            sort_pending: None,
            sorting: false,
            costs: crate::compare::CostInputs::default(),
            guide_scroll: 0,
            guide_tables: std::sync::OnceLock::new(),
            rec: Default::default(),
            reverse: false,
            fits_only: false,
            quality: None,
            quality_scores: Arc::default(),
            score_cache: recommend::ScoreCache::default(),
            buy: None,
            problems: problems::Problems::default(),
        };
        app.quality = crate::quality::QualityData::builtin().ok().map(Arc::new);
        app.line_up_quality();
        app.refresh_rows();
        app.refresh_picker();
        app.prepare_frame();
        app
    }

    /// Model `id`: a catalog entry, or a file found on disk.
    pub fn model(&self, id: u32) -> &ModelSpec {
        model_ref(&self.catalog, &self.local, id)
    }

    /// Whether model `id` is on disk (a local file, or a catalog model with a matching file).
    pub fn is_installed(&self, id: u32) -> bool {
        let n = self.catalog.models.len();
        match (id as usize).checked_sub(n) {
            Some(i) => self.local.get(i).is_some_and(|m| m.source != HUB_SOURCE),
            None => self.installed.contains(&id),
        }
    }

    /// Adds a model found on disk: searchable, marked installed, linked to its catalog entry.
    pub fn add_local(&mut self, m: LocalModel) {
        let id = (self.catalog.models.len() + self.local.len()) as u32;
        let on_disk = m.source != HUB_SOURCE;
        if let Some(cat_id) = self.catalog_match(&m).filter(|_| on_disk) {
            self.installed.insert(cat_id);
        }
        let extras = format!(
            "{}{} {} {}",
            if on_disk { "installed " } else { "" },
            m.source,
            m.label,
            m.spec.family
        );
        self.search.push(&m.spec.name, &extras);
        self.memo.set_fixed_weights(id, m.weights.clone());
        self.local.push(m);
        self.refresh_rows();
    }

    /// Records something the disk scan could not use (the header shows the count).
    pub fn add_problem(&mut self, message: String) {
        self.problems.push(message);
        self.dirty = true;
    }

    fn catalog_match(&self, m: &LocalModel) -> Option<u32> {
        let base = m.spec.name.split(" [").next().unwrap_or(&m.spec.name);
        let found = self
            .catalog
            .find_model(&m.label)
            .or_else(|_| self.catalog.find_model(base))
            .ok()?;
        self.catalog
            .models
            .iter()
            .position(|x| x.id == found.id)
            .map(|i| i as u32)
    }

    /// The chosen hardware.
    pub fn hw(&self) -> &Hardware {
        self.hw_at(self.hw_index)
    }

    /// Hardware entry `index`, clamped to the list.
    pub fn hw_at(&self, index: usize) -> &Hardware {
        hw_in(&self.hardware, index)
    }

    pub(crate) fn hw_key(&self) -> u64 {
        self.hw_key_of(self.hw_index)
    }

    /// The selected model, if any row matches.
    pub fn selected_model(&self) -> Option<(u32, &ModelSpec)> {
        let id = *self.rows.get(self.selected)?;
        Some((id, self.model(id)))
    }

    /// Id of the selected model.
    pub fn selected_id(&self) -> Option<u32> {
        self.rows.get(self.selected).copied()
    }

    /// Settings as applied to one model (context clamped to what it supports).
    pub fn settings_for(&self, model: &ModelSpec) -> Settings {
        self.settings.for_model(model)
    }

    /// The estimate of model `id` under the current choices (memoised).
    pub fn estimate_of(&mut self, id: u32) -> Estimate {
        self.estimate_on(id, self.hw_index, None)
    }

    /// The estimate of model `id` on the chosen hardware under `s` (clamped to the model).
    pub fn estimate_with(&mut self, id: u32, s: &Settings) -> Estimate {
        let key = self.hw_key();
        // Disjoint field borrows: the memo mutably, catalog/local/hardware immutably.
        let model = model_ref(&self.catalog, &self.local, id);
        let hw = hw_in(&self.hardware, self.hw_index);
        self.memo.estimate(id, model, key, hw, &s.for_model(model))
    }

    /// The largest context that fits for model `id` (memoised).
    pub fn max_context_of(&mut self, id: u32) -> u32 {
        let key = self.hw_key();
        let model = model_ref(&self.catalog, &self.local, id);
        let s = self.settings.for_model(model);
        let hw = hw_in(&self.hardware, self.hw_index);
        self.memo.max_context(id, model, key, hw, &s)
    }

    /// Estimate of model `id` on hardware entry `hw_index` (memoised per column).
    pub fn estimate_on(
        &mut self,
        id: u32,
        hw_index: usize,
        quant: Option<crate::estimate::Quant>,
    ) -> Estimate {
        let key = self.hw_key_of(hw_index);
        let model = model_ref(&self.catalog, &self.local, id);
        let s = Settings {
            quant: quant.unwrap_or(self.settings.quant),
            ..self.settings.for_model(model)
        };
        let hw = hw_in(&self.hardware, hw_index);
        self.memo.estimate(id, model, key, hw, &s)
    }

    /// Largest context of model `id` on hardware entry `hw_index`: with everything on the GPU,
    /// and with layers offloaded to RAM (on a machine without a GPU: in RAM, twice).
    pub fn max_contexts_on(&mut self, id: u32, hw_index: usize) -> (u32, u32) {
        let key = self.hw_key_of(hw_index);
        let model = model_ref(&self.catalog, &self.local, id);
        let s = self.settings.for_model(model);
        let hw = hw_in(&self.hardware, hw_index);
        if !hw.has_gpu() {
            let m = self
                .memo
                .max_context_within(id, model, key, hw, &s, Verdict::CpuOnly);
            return (m, m);
        }
        let gpu = self
            .memo
            .max_context_within(id, model, key, hw, &s, Verdict::FitsOnGpu);
        let offload = self
            .memo
            .max_context_within(id, model, key, hw, &s, Verdict::CpuOnly);
        (gpu, offload)
    }

    fn hw_key_of(&self, index: usize) -> u64 {
        (index as u64) << 32 | if index == 0 { self.hw_version } else { 0 }
    }

    /// Rows of the comparison: marked models, else the first rows of the browser.
    pub fn compare_rows(&self, max: usize) -> Vec<u32> {
        if self.marked_models.is_empty() {
            self.rows.iter().copied().take(max).collect()
        } else {
            self.marked_models.iter().copied().take(max).collect()
        }
    }

    /// Every row the comparison can scroll through (at most the first 500 results).
    pub fn compare_rows_all(&self) -> Vec<u32> {
        self.compare_rows(500)
    }

    /// Columns of the comparison: marked hardware, else the guide's memory tiers.
    pub fn compare_columns(&self) -> Vec<usize> {
        if !self.marked_hardware.is_empty() {
            return self.marked_hardware.clone();
        }
        crate::compare::TIER_IDS
            .iter()
            .filter_map(|id| self.hardware.iter().position(|h| h.id == *id))
            .collect()
    }

    /// Replaces "this machine" with what detection found.
    pub fn set_machine(&mut self, hw: Hardware, notes: Vec<String>) {
        self.hardware[0] = hw;
        self.machine_notes = notes;
        self.hw_version += 1;
        self.refresh_picker();
        if self.sort_depends_on_estimates() {
            self.resort();
        }
        self.dirty = true;
    }

    /// Keeps the selection inside the rows and visible.
    pub fn clamp_selection(&mut self) {
        if self.rows.is_empty() {
            self.selected = 0;
            self.offset = 0;
            return;
        }
        self.selected = self.selected.min(self.rows.len() - 1);
        let page = self.page.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(1));
    }

    /// A comma list in the picker (`rtx-5090, rtx-5080`): those cards in one box, or why not.
    pub fn picker_cards(&self) -> Option<Result<Hardware, String>> {
        if !self.picker_query.contains(',') {
            return None;
        }
        let cards: Result<Vec<&Hardware>, String> = self
            .picker_query
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| crate::resolve::resolve_hardware(&self.hardware, p).map_err(|e| e.to_string()))
            .collect();
        Some(cards.and_then(|cards| match cards.first() {
            Some(first) => crate::estimate::mixed_box(first, &cards),
            None => Err("an empty GPU list".into()),
        }))
    }

    /// The picker's comma list as a hardware entry (added once, then reused), for Enter or Tab.
    pub fn picker_cards_index(&mut self) -> Option<usize> {
        let hw = self.picker_cards()?.ok()?;
        if let Some(i) = self.hardware.iter().position(|h| h.id == hw.id) {
            return Some(i);
        }
        self.hardware.push(hw);
        Some(self.hardware.len() - 1)
    }

    /// Recomputes the picker's matches (a comma list matches the box it names, once added).
    pub fn refresh_picker(&mut self) {
        if let Some(Ok(hw)) = self.picker_cards() {
            self.picker_rows = self
                .hardware
                .iter()
                .position(|h| h.id == hw.id)
                .into_iter()
                .collect();
            self.picker_selected = 0;
            return;
        }
        let names: Vec<String> = self
            .hardware
            .iter()
            .map(|h| format!("{} {} {}", h.name, h.id, apple_products(&h.name)))
            .collect();
        self.picker_rows = match_small(&self.picker_query, &names);
        self.picker_selected = self
            .picker_selected
            .min(self.picker_rows.len().saturating_sub(1));
    }

    /// Verdict summary for the title bar: how many matched models fit on the GPU.
    pub fn verdict_symbol(v: Verdict) -> &'static str {
        v.symbol()
    }
}

/// Hardware entry `index`, clamped to the list (the one place that clamp lives; the list always
/// holds this machine, so it is never empty).
fn hw_in(hardware: &[Hardware], index: usize) -> &Hardware {
    &hardware[index.min(hardware.len() - 1)]
}

fn model_ref<'a>(catalog: &'a Catalog, local: &'a [LocalModel], id: u32) -> &'a ModelSpec {
    match (id as usize).checked_sub(catalog.models.len()) {
        Some(i) => &local[i].spec,
        None => &catalog.models[id as usize],
    }
}

/// "131072" → "131,072".
pub fn group_thousands(n: u32) -> String {
    group(u64::from(n))
}

/// Where Apple's Max and Ultra chips ship (Apple's tech specs: Mac Studio with M1 Max/Ultra,
/// M2 Max/Ultra, M4 Max, M3 Ultra; M3 Max only in the MacBook Pro), so "mac studio" finds them.
fn apple_products(name: &str) -> &'static str {
    if !name.starts_with("Apple M") {
        ""
    } else if name.contains(" Ultra") {
        "Mac Studio"
    } else if name.contains("M3 Max") {
        "MacBook Pro"
    } else if name.contains(" Max") {
        "Mac Studio MacBook Pro"
    } else {
        ""
    }
}

/// The searchable text of a model besides its name: every token of family, repo, Ollama tags,
/// aliases and use cases that the name (or an earlier field) does not already contain.
pub fn extras(m: &ModelSpec) -> String {
    let mut seen = m.name.to_lowercase();
    let mut out = String::new();
    let fields = std::iter::once(m.family.as_str())
        .chain(m.hf_repo.as_deref())
        .chain(m.ollama.iter().map(String::as_str))
        .chain(m.aliases.iter().map(String::as_str))
        .chain(m.use_cases.iter().map(String::as_str));
    for field in fields {
        for token in field.split(|c: char| c.is_whitespace() || c == '/') {
            let t = token.to_lowercase();
            if !t.is_empty() && !seen.contains(&t) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(token);
                seen.push(' ');
                seen.push_str(&t);
            }
        }
    }
    out
}
