#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on bad input
//! `fitcheck calibrate`: the fit on real llama-bench runs, file:line errors on bad input, the
//! stored file, and that a calibration reaches this machine only. Every run of the binary gets
//! its own XDG_DATA_HOME and config folder (never the real home).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fitcheck::calibrate::{calibrate, parse, store};
use fitcheck::catalog::Catalog;
use fitcheck::estimate::machine::MachineSpeed;
use fitcheck::estimate::{estimate, Settings};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn runs_of(names: &[&str]) -> Vec<parse::Run> {
    names
        .iter()
        .flat_map(|n| {
            let p = data(n);
            let text = std::fs::read_to_string(&p).unwrap();
            parse::parse(&text, &p.display().to_string()).unwrap()
        })
        .collect()
}

const H200: [&str; 6] = [
    "raw/h200_2026-11-26/bench_llama1b_q4km.jsonl",
    "raw/h200_2026-11-26/bench_llama3b_q4km.jsonl",
    "raw/h200_2026-11-26/bench_llama8b_q4km.jsonl",
    "raw/h200_2026-11-26/bench_llama8b_q8.jsonl",
    "raw/h200_2026-11-26/bench_llama70b_q4km.jsonl",
    "raw/h200_2026-11-26/bench_llama8b_q4km_ngl16.jsonl",
];

#[test]
fn h200_runs_recover_its_bandwidth_and_speeds() {
    let cat = Catalog::builtin().unwrap();
    let mut hw = cat.find_hardware("h200-sxm-141").unwrap().clone();
    let fit = calibrate(&runs_of(&H200), &cat, &hw).unwrap();
    eprintln!("H200 fit: {:?}", fit.speed);
    // The 70B reads its 42.5 GB of weights at 44.8 tok/s: 1.90 TB/s achieved, fixed cost
    // included, far below the 4.8 TB/s peak (issue 10). The fit must land within a few %.
    let achieved_70b = 42.51e9 * 44.8 / 1e9;
    let b = fit.speed.bandwidth_gbps;
    assert!(
        (b / achieved_70b - 1.0).abs() < 0.06,
        "{b} vs {achieved_70b}"
    );
    assert!(
        fit.speed.fixed_s > 0.0 && fit.speed.fixed_s < 2e-3,
        "{:?}",
        fit.speed
    );
    // The partly offloaded run (16 layers on the GPU) measures the host too: left out.
    assert!(fit
        .notes
        .iter()
        .any(|n| n.contains("ngl16.jsonl") && n.contains("partly offloaded")));
    assert_eq!(fit.speed.decode_runs, 6, "{:#?}", fit.used);
    // Recognised by architecture and size, though the files are named llama8b.gguf etc.
    assert!(
        fit.used.iter().any(|u| u.contains("Llama 3.1 70B")),
        "{:#?}",
        fit.used
    );
    // With the calibration, the estimator gives back the measured decode speeds.
    hw.measured = Some(fit.speed);
    for (model, quant, measured) in [
        ("llama-3.1-8b", "Q4_K_M", 278.5),
        ("llama-3.1-70b", "Q4_K_M", 44.8),
        ("llama-3.2-1b", "Q4_K_M", 877.2),
    ] {
        let m = cat.resolve_model(model).unwrap().model;
        let s = Settings {
            quant: quant.parse().unwrap(),
            context: 512,
            ..Settings::default()
        };
        let e = estimate(m, &hw, &s);
        let err = e.decode_tps / measured - 1.0;
        eprintln!(
            "{model}: {:.1} tok/s estimated, {measured} measured",
            e.decode_tps
        );
        assert!(err.abs() < 0.15, "{model}: {} vs {measured}", e.decode_tps);
    }
}

#[test]
fn json_array_and_jsonl_fit_alike() {
    let cat = Catalog::builtin().unwrap();
    let hw = cat.find_hardware("h200-sxm-141").unwrap().clone();
    let array = calibrate(&runs_of(&["calibrate/h200_llama_bench.json"]), &cat, &hw).unwrap();
    let lines = calibrate(&runs_of(&H200[..3]), &cat, &hw).unwrap();
    let seventy = calibrate(&runs_of(&[H200[0], H200[1], H200[2], H200[4]]), &cat, &hw).unwrap();
    assert_eq!(array.speed, seventy.speed);
    assert_ne!(lines.speed, seventy.speed);
}

#[test]
fn one_model_fits_bandwidth_around_the_backend_fixed_cost() {
    let cat = Catalog::builtin().unwrap();
    let hw = cat.find_hardware("h200-sxm-141").unwrap().clone();
    let fit = calibrate(&runs_of(&[H200[2]]), &cat, &hw).unwrap();
    let c = fitcheck::estimate::BackendConstants::of(hw.backend);
    let layers = 32.0;
    let expect = c.t_fixed + c.t_layer * layers;
    assert!((fit.speed.fixed_s - expect).abs() < 1e-9, "{:?}", fit.speed);
}

#[test]
fn ollama_output_is_read_with_its_model() {
    let runs = runs_of(&["calibrate/ollama_verbose.txt"]);
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1].name.as_deref(), Some("llama3.2:1b"));
    let cat = Catalog::builtin().unwrap();
    let cpu = cat
        .hardware
        .iter()
        .find(|h| h.backend == fitcheck::estimate::Backend::Cpu)
        .cloned();
    if let Some(hw) = cpu {
        let fit = calibrate(&runs, &cat, &hw).unwrap();
        assert_eq!(fit.speed.decode_runs, 1);
        // 32 prompt tokens are too few to measure prefill.
        assert_eq!(fit.speed.prefill_runs, 0, "{:?}", fit.notes);
    }
}

// --- The binary, with its own data and config folders.

struct Home {
    data: tempfile::TempDir,
    config: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        let dir = |n: &str| {
            tempfile::Builder::new()
                .prefix(&format!("fitcheck-calibrate-{n}-"))
                .tempdir()
                .unwrap()
        };
        Home {
            data: dir("data"),
            config: dir("config"),
        }
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_fitcheck"));
        cmd.args(args)
            .env("XDG_DATA_HOME", self.data.path())
            .env_remove("FITCHECK_DATA_DIR")
            .env_remove("FITCHECK_NO_CALIBRATION")
            .env("FITCHECK_CONFIG_DIR", self.config.path())
            .env_remove("XDG_CONFIG_HOME");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn store(&self) -> PathBuf {
        self.data.path().join("fitcheck").join(store::FILE_NAME)
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs that match this machine: its CPU rows when it has no GPU, else the H200's GPU rows
/// (a GPU run with every layer offloaded is what any GPU machine calibrates from).
fn fixture_for_this_machine(home: &Home) -> Vec<String> {
    let o = home.run(&["system", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let backend = v["hardware"]["backend"]
        .as_str()
        .unwrap_or("cpu")
        .to_string();
    let files: &[&str] = if backend == "cpu" {
        &[
            "raw/h200_2026-11-26/bench_llama1b_q4km_cpu.jsonl",
            "raw/h200_2026-11-26_run2/bench_llama8b_cpu_threads.jsonl",
        ]
    } else {
        &H200[..3]
    };
    files
        .iter()
        .map(|f| data(f).display().to_string())
        .collect()
}

#[test]
fn stored_calibration_reaches_this_machine_only() {
    let home = Home::new();
    let files = fixture_for_this_machine(&home);
    let mut args = vec!["calibrate"];
    args.extend(files.iter().map(String::as_str));
    let o = home.run(&args, &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("calibrated on this machine ("),
        "{}",
        text(&o)
    );
    assert!(home.store().exists());

    let shown = home.run(&["calibrate", "--show", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let runs = v["calibration"]["speed"]["decode_runs"].as_u64().unwrap();
    assert!(runs >= 2, "{v}");

    let fit = ["fit", "-m", "llama-3.2-1b", "--json"];
    let o = home.run(&fit, &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["speed_calibration"]["label"]
            .as_str()
            .unwrap()
            .starts_with("calibrated on this machine"),
        "{v}"
    );
    let calibrated_tps = v["decode_tps"].as_f64().unwrap();
    // A measured rate above an assumed peak raises the roofline with it.
    assert!(calibrated_tps <= v["roofline_tps"].as_f64().unwrap(), "{v}");
    let text_out = home.run(&["fit", "-m", "llama-3.2-1b"], &[]);
    assert!(text(&text_out).contains("speed: calibrated on this machine ("));

    // Off by flag and by environment: the specs-only figure comes back.
    for (args, env) in [
        (
            vec!["--no-calibration", "fit", "-m", "llama-3.2-1b", "--json"],
            vec![],
        ),
        (fit.to_vec(), vec![("FITCHECK_NO_CALIBRATION", "1")]),
    ] {
        let o = home.run(&args, &env);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["speed_calibration"].is_null(), "{v}");
        assert_ne!(v["decode_tps"].as_f64().unwrap(), calibrated_tps);
    }
    // A preset is never calibrated.
    let o = home.run(
        &["fit", "-m", "llama-3.2-1b", "-H", "rtx-4090", "--json"],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["speed_calibration"].is_null(), "{v}");
    // compare's `this` column and recommend say it too.
    let o = home.run(
        &["compare", "--models", "llama-3.2-1b", "-H", "this,rtx-4090"],
        &[],
    );
    assert!(
        text(&o).contains("this-machine: speed calibrated on this machine ("),
        "{}",
        text(&o)
    );
    let o = home.run(&["recommend", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["speed_calibration"]["runs"].as_u64().is_some(), "{v}");

    let o = home.run(&["calibrate", "--reset"], &[]);
    assert!(
        o.status.success() && text(&o).contains("removed"),
        "{}",
        text(&o)
    );
    assert!(!home.store().exists());
    let o = home.run(&fit, &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["speed_calibration"].is_null(), "{v}");
}

#[test]
fn another_machines_calibration_is_not_applied() {
    let home = Home::new();
    let speed = MachineSpeed {
        bandwidth_gbps: 1.0,
        fixed_s: 0.5,
        prefill_tflops: None,
        decode_runs: 3,
        prefill_runs: 0,
    };
    let entry = store::Entry {
        machine: "cuda | Some Other CPU | 64 cores | 512 GiB RAM | NVIDIA B200".into(),
        name: "another machine".into(),
        speed,
        fitted_at_unix: 0,
        sources: vec!["elsewhere.jsonl".into()],
    };
    store::save(&home.store(), entry.clone()).unwrap();
    assert_eq!(store::load_all(&home.store()).unwrap(), vec![entry]);
    let o = home.run(&["fit", "-m", "llama-3.2-1b", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["speed_calibration"].is_null(), "{v}");
    let o = home.run(&["calibrate", "--show"], &[]);
    assert!(
        text(&o).contains("no calibration stored for this machine"),
        "{}",
        text(&o)
    );
}

#[test]
fn store_round_trips_and_keeps_other_machines() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sub").join(store::FILE_NAME);
    let entry = |machine: &str, b: f64| store::Entry {
        machine: machine.into(),
        name: machine.into(),
        speed: MachineSpeed {
            bandwidth_gbps: b,
            fixed_s: 1.25e-3,
            prefill_tflops: Some(12.5),
            decode_runs: 4,
            prefill_runs: 4,
        },
        fitted_at_unix: 1_764_000_000,
        sources: vec!["a.jsonl".into()],
    };
    store::save(&file, entry("a", 100.0)).unwrap();
    store::save(&file, entry("b", 200.0)).unwrap();
    store::save(&file, entry("a", 150.0)).unwrap();
    let all = store::load_all(&file).unwrap();
    assert_eq!(all, vec![entry("b", 200.0), entry("a", 150.0)]);
    assert_eq!(store::load(&file, "a").unwrap(), Some(entry("a", 150.0)));
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(store::remove(&file, "a").unwrap());
    assert!(!store::remove(&file, "a").unwrap());
    assert!(store::remove(&file, "b").unwrap());
    assert!(!file.exists());
    // A hand-edited file with an impossible figure is refused, naming the file.
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let bad = r#"{"version": 1, "machines": [{"machine": "a", "name": "a", "speed": {"bandwidth_gbps": -5.0, "fixed_s": 0.001, "prefill_tflops": null, "decode_runs": 1, "prefill_runs": 0}, "fitted_at_unix": 0, "sources": []}]}"#;
    std::fs::write(&file, bad).unwrap();
    let e = store::load_all(&file).unwrap_err();
    assert!(
        e.contains("bandwidth") && e.contains(store::FILE_NAME),
        "{e}"
    );
    std::fs::write(&file, r#"{"version": 7, "machines": []}"#).unwrap();
    assert!(store::load_all(&file).unwrap_err().contains("version-1"));
}

#[test]
fn malformed_files_give_file_and_line() {
    let home = Home::new();
    for (name, line) in [
        ("calibrate/malformed.jsonl", ":2:"),
        ("calibrate/truncated.json", ":48:"),
    ] {
        let p = data(name).display().to_string();
        let o = home.run(&["calibrate", "--dry-run", &p], &[]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let t = text(&o);
        assert!(t.contains(&format!("{p}{line}")), "{name}: {t}");
    }
    let p = data("calibrate/malformed.jsonl").display().to_string();
    let o = home.run(&["calibrate", "--dry-run", &p], &[]);
    assert!(
        text(&o).contains("avg_ts: tokens/s must be a number"),
        "{}",
        text(&o)
    );
    // A corrupt store never breaks `fit`: it warns and estimates from the specs.
    std::fs::create_dir_all(home.store().parent().unwrap()).unwrap();
    std::fs::write(home.store(), "{ not json").unwrap();
    let o = home.run(&["fit", "-m", "llama-3.2-1b", "--json"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("stored calibration ignored"),
        "{}",
        text(&o)
    );
}

#[test]
fn without_files_or_llama_bench_it_says_what_to_do() {
    let home = Home::new();
    let empty = tempfile::tempdir().unwrap();
    let path = empty.path().display().to_string();
    let o = home.run(&["calibrate"], &[("PATH", &path)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("llama-bench is not on PATH"),
        "{}",
        text(&o)
    );
}

#[test]
fn the_app_says_so_for_this_machine_only() {
    use fitcheck::app::App;
    use fitcheck::ui::Theme;
    use ratatui::{backend::TestBackend, Terminal};
    let mut machine = common::fixed_machine();
    machine.measured = Some(MachineSpeed {
        bandwidth_gbps: 40.0,
        fixed_s: 2e-3,
        prefill_tflops: Some(0.5),
        decode_runs: 4,
        prefill_runs: 3,
    });
    let screen = |preselect: &str| {
        let mut app = App::new(common::ui_catalog(), machine.clone(), Some(preselect));
        let mut t = Terminal::new(TestBackend::new(140, 44)).unwrap();
        let mut hits = fitcheck::ui::HitMap::default();
        fitcheck::ui::draw(&mut t, &mut app, &Theme::monochrome(), &mut hits).unwrap();
        format!("{}", t.backend())
    };
    assert!(screen("this-machine").contains("calibrated on this machine (7 runs)"));
    assert!(!screen("rtx-4090").contains("calibrated on this machine"));
}

/// With no file, `calibrate --gguf` runs the `llama-bench` it finds on PATH (here a script that
/// prints recorded runs), shows progress on stderr and keeps the raw output.
#[cfg(unix)]
#[test]
fn runs_llama_bench_from_path() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let files = fixture_for_this_machine(&home);
    let bin = tempfile::tempdir().unwrap();
    let script = bin.path().join("llama-bench");
    let cats: Vec<String> = files.iter().map(|f| format!("cat '{f}'")).collect();
    std::fs::write(&script, format!("#!/bin/sh\n{}\n", cats.join("\n"))).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = home.run(
        &["calibrate", "--gguf", "small.gguf"],
        &[("PATH", path.as_str())],
    );
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("[1/1] llama-bench small.gguf"), "{t}");
    assert!(t.contains("calibrated on this machine ("), "{t}");
    let kept = std::fs::read_dir(home.store().parent().unwrap())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("llama-bench-")
        })
        .count();
    assert_eq!(kept, 1);
}
