#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! Different GPUs in one box: llama.cpp's memory-proportional layer split (docs/beyond.md).

use fitcheck::catalog::Catalog;
use fitcheck::estimate::hardware::{mixed_box, Hardware};
use fitcheck::estimate::weights::weight_table;
use fitcheck::estimate::{estimate, layer_split, Quant, Settings, Verdict};

fn cat() -> Catalog {
    Catalog::builtin().unwrap()
}

fn hw(id: &str) -> Hardware {
    cat().find_hardware(id).unwrap().clone()
}

fn box_of(ids: &[&str]) -> Hardware {
    let cards: Vec<Hardware> = ids.iter().map(|id| hw(id)).collect();
    let refs: Vec<&Hardware> = cards.iter().collect();
    mixed_box(&cards[0], &refs).unwrap()
}

fn settings() -> Settings {
    Settings {
        quant: Quant::Q4_K_M,
        context: 8192,
        ..Settings::default()
    }
}

#[test]
fn layers_go_in_proportion_to_card_memory() {
    // 24 GiB + 12 GiB: cumulative shares 2/3 and 1. Qwen3 14B has 40 blocks + the head = 41
    // slots; slot k goes to the first card whose share exceeds k/41, so card 0 takes slots
    // 0..=27 (k < 27.33: blocks 0-27) and card 1 blocks 28-39 plus the head.
    let m = cat().find_model("qwen3-14b").unwrap().clone();
    let s = settings();
    let w = weight_table(&m, s.quant);
    let rig = box_of(&["rtx-3090", "rtx-3060-12"]);
    let split = layer_split(&m, &rig, &s, &w);
    let first: u64 = w.layers[..28].iter().map(|l| l.bytes).sum();
    let rest: u64 = w.layers[28..].iter().map(|l| l.bytes).sum::<u64>() + w.output;
    assert_eq!(split.len(), 2);
    assert_eq!((split[0].0, split[1].0), (first, rest));
    // The same two cards the other way round give the 12 GiB card a third again.
    let flipped = layer_split(&m, &box_of(&["rtx-3060-12", "rtx-3090"]), &s, &w);
    let third: u64 = w.layers[..14].iter().map(|l| l.bytes).sum();
    assert_eq!(flipped[0].0, third);
}

#[test]
fn identical_cards_split_as_before() {
    let m = cat().find_model("qwen3-14b").unwrap().clone();
    let s = settings();
    let w = weight_table(&m, s.quant);
    let listed = box_of(&["rtx-3090", "rtx-3090"]);
    assert!(listed.cards.is_empty());
    assert_eq!(
        layer_split(&m, &listed, &s, &w),
        layer_split(&m, &hw("2x-rtx-3090"), &s, &w)
    );
    let (a, b) = (
        estimate(&m, &listed, &s),
        estimate(&m, &hw("2x-rtx-3090"), &s),
    );
    assert_eq!(
        (a.used_bytes, a.decode_tps.to_bits()),
        (b.used_bytes, b.decode_tps.to_bits())
    );
}

#[test]
fn the_slow_cards_share_sets_decode_speed() {
    let m = cat().find_model("qwen3-14b").unwrap().clone();
    let s = settings();
    let fast = estimate(&m, &hw("2x-rtx-5090"), &s).decode_tps;
    let slow = estimate(&m, &box_of(&["rtx-5080", "rtx-5080"]), &s).decode_tps;
    let mixed = estimate(&m, &box_of(&["rtx-5090", "rtx-5080"]), &s).decode_tps;
    assert!(slow < mixed && mixed < fast, "{slow} < {mixed} < {fast}");
    // The 5090 holds about two thirds, so the mix sits nearer the fast pair than the slow one.
    assert!(mixed - slow > fast - mixed, "{slow} {mixed} {fast}");
}

#[test]
fn a_second_card_fits_what_the_first_alone_cannot() {
    let m = cat().find_model("llama-3.3-70b").unwrap().clone();
    let s = settings();
    let alone = estimate(&m, &hw("rtx-5090"), &s);
    let pair = estimate(&m, &box_of(&["rtx-5090", "rtx-5080"]), &s);
    assert_eq!(alone.verdict, Verdict::PartialOffload);
    assert_eq!(pair.verdict, Verdict::FitsOnGpu);
    assert_eq!(pair.usable_bytes, 48 << 30);
    assert!(pair.decode_tps > 4.0 * alone.decode_tps);
}

#[test]
fn mixed_card_presets_are_the_box_their_cards_make() {
    // A catalog entry with `cards` must say what `--gpus a,b` builds from those presets, so the
    // picker's preset and the command line agree (figures, price, power).
    let c = cat();
    let mixed: Vec<&Hardware> = c.hardware.iter().filter(|h| !h.cards.is_empty()).collect();
    assert!(mixed.len() >= 2, "the picker offers mixed boxes");
    for h in mixed {
        let cards: Vec<&Hardware> = h
            .cards
            .iter()
            .map(|card| c.find_hardware(&card.id).unwrap())
            .collect();
        let built = mixed_box(cards[0], &cards).unwrap();
        assert_eq!(built.cards, h.cards, "{}", h.id);
        assert_eq!(built.id, h.id);
        assert_eq!(
            (built.gpus, built.memory, built.backend),
            (h.gpus, h.memory, h.backend),
            "{}",
            h.id
        );
        assert_eq!(
            (built.price_usd, built.power_w),
            (h.price_usd, h.power_w),
            "{}",
            h.id
        );
        assert_eq!(
            (built.ram, built.ram_bandwidth_gbps),
            (h.ram, h.ram_bandwidth_gbps),
            "{}",
            h.id
        );
    }
}

#[test]
fn a_mixed_box_reports_its_own_memory_and_the_headroom_adds_up() {
    // The app's one memory figure: 24 + 12 GiB usable (not twice the first card), and used such
    // that usable − used is the headroom the gauges and the list state.
    let m = cat().find_model("qwen3-32b").unwrap().clone();
    let rig = box_of(&["rtx-3090", "rtx-3060-12"]);
    let e = estimate(&m, &rig, &settings());
    assert_eq!(e.verdict, Verdict::FitsOnGpu);
    assert_eq!(e.device_usable_bytes, 36 << 30);
    assert_eq!(
        e.device_usable_bytes as i64 - e.device_bytes as i64,
        e.headroom_bytes
    );
    // Everything on the cards is counted: at least the weights and cache they hold.
    assert!(e.device_bytes >= e.weights_gpu_bytes + e.kv_bytes);
    // Identical cards are unchanged: twice the usable card, used = twice the fullest.
    let two = estimate(&m, &hw("2x-rtx-3090"), &settings());
    assert_eq!(two.device_usable_bytes, 48 << 30);
    assert_eq!(
        two.device_usable_bytes as i64 - two.device_bytes as i64,
        two.headroom_bytes
    );
}

/// The parts add up to what the GPUs hold plus host RAM, offloaded or not, on one card, on
/// identical cards and on a mixed box; the room a split leaves idle is the rest of the device
/// figure, and `fit` and the gauges say it.
#[test]
fn the_parts_sum_to_held_plus_host_and_the_idle_room_is_shown() {
    let c = cat();
    let rigs = [
        hw("rtx-3090"),
        hw("2x-rtx-3090"),
        box_of(&["rtx-3090", "rtx-3060-12"]),
    ];
    for id in ["gpt-oss-120b", "qwen3-32b", "gemma-3-27b", "llama-3.1-8b"] {
        let m = c.find_model(id).unwrap();
        for rig in &rigs {
            let e = estimate(m, rig, &settings());
            let parts = e.weights_bytes
                + e.kv_bytes
                + e.state_bytes
                + e.overhead_bytes
                + e.projector_bytes
                + e.projector_compute_bytes;
            assert_eq!(parts, e.total_bytes, "{id} on {}", rig.id);
            assert_eq!(
                e.device_held_bytes + e.host_bytes,
                e.total_bytes,
                "{id} on {}: held + host",
                rig.id
            );
            assert_eq!(e.device_held_bytes + e.split_idle_bytes(), e.device_bytes);
            if rig.gpus == 1 {
                assert_eq!(e.split_idle_bytes(), 0, "{id} on {}", rig.id);
            }
        }
    }
    // gpt-oss 120B on the 3090 + 3060: the 3060 fills first, most of the 3090 stays idle.
    let e = estimate(c.find_model("gpt-oss-120b").unwrap(), &rigs[2], &settings());
    assert_eq!(e.verdict, Verdict::PartialOffload);
    assert!(e.split_idle_bytes() > 10 << 30, "{}", e.split_idle_bytes());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fitcheck"))
        .args(["fit", "-m", "gpt-oss-120b", "-H", "rtx-3090+rtx-3060-12"])
        .env(
            "FITCHECK_CONFIG_DIR",
            std::env::temp_dir().join("fitcheck-mixed-no-config"),
        )
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let gib = |b: u64| format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64);
    let held = format!(
        "held on GPUs   {} + {} idle",
        gib(e.device_held_bytes),
        gib(e.split_idle_bytes())
    );
    assert!(text.contains(&held), "{held:?} not in:\n{text}");
}
