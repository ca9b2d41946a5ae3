//! Reads the real machine: sysinfo for RAM/CPU, cgroup limits, `nvidia-smi`, AMD sysfs, and
//! `sysctl` on macOS. Bandwidth and TFLOPS are looked up in the catalog by device name.

use std::path::Path;
use std::process::Command;

use serde::Serialize;

use super::compute::{
    amd_fp16_tflops, amd_fp32_tflops, nvidia_fp16_tflops, nvidia_fp32_tflops, parse_kfd_properties,
    AmdCompute, NvidiaCompute,
};
use super::parse::{
    board_power, parse_cgroup_limit, parse_microwatts, parse_nvidia_smi, parse_sysctl_apple,
    parse_sysfs_bytes, GpuInfo,
};
use crate::estimate::hardware::{metal_working_set, Backend, Hardware, HardwareKind};
use crate::estimate::units::fmt_gib;
use crate::estimate::{BackendConstants, CpuClass};

/// What was detected, and how each figure was obtained.
#[derive(Debug, Clone, Serialize)]
pub struct Detection {
    /// The machine as the estimator sees it.
    pub hardware: Hardware,
    /// CPU model.
    pub cpu: String,
    /// Logical cores.
    pub cores: usize,
    /// Total RAM, bytes.
    pub ram_total: u64,
    /// Available RAM now, bytes.
    pub ram_available: u64,
    /// Every GPU seen.
    pub gpus: Vec<String>,
    /// "measured" / "looked up" / "assumed" per figure.
    pub notes: Vec<String>,
}

/// What the OS and drivers report, before any lookup or assumption. Empty fields mean the
/// source was missing or failed.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// CPU model.
    pub cpu: String,
    /// Logical cores.
    pub cores: usize,
    /// The CPU's feature flags (`/proc/cpuinfo` "flags" on x86, "Features" on Arm; empty
    /// elsewhere): AMX or NEON say which per-thread rates apply.
    pub cpu_flags: String,
    /// Total RAM, bytes (0: not reported).
    pub ram_total: u64,
    /// Available RAM, bytes (0: not reported).
    pub ram_available: u64,
    /// Container (cgroup) memory limit, bytes.
    pub cgroup_limit: Option<u64>,
    /// NVIDIA GPUs (NVML or nvidia-smi).
    pub nvidia: Vec<GpuInfo>,
    /// Bandwidth NVML derived from the memory clock and bus width, GB/s.
    pub nvml_bandwidth: Option<f64>,
    /// Compute capability, cores and SM clock of the first NVIDIA GPU (NVML).
    pub nvidia_compute: Option<NvidiaCompute>,
    /// Compute units and clock of the first AMD GPU (KFD topology).
    pub amd_compute: Option<AmdCompute>,
    /// AMD GPUs with their own VRAM (sysfs).
    pub amd: Vec<GpuInfo>,
    /// Intel GPUs with their own VRAM (sysfs).
    pub intel: Vec<GpuInfo>,
    /// Intel GPUs that share system RAM.
    pub intel_integrated: usize,
    /// Apple chip name and unified memory (sysctl).
    pub apple: Option<(String, u64)>,
    /// How the sources answered (NVML vs nvidia-smi, …).
    pub notes: Vec<String>,
}

/// Asks the OS and the drivers. Never fails: a source that does not answer leaves its field empty.
pub fn gather() -> Facts {
    let mut sys = sysinfo::System::new();
    sys.refresh_memory();
    sys.refresh_cpu_list(sysinfo::CpuRefreshKind::nothing());
    let mut notes = Vec::new();
    let (nvidia, nvml_bandwidth, nvidia_compute) = nvidia_gpus(&mut notes);
    let drm = Path::new("/sys/class/drm");
    let (intel, intel_integrated) = intel_gpus(drm);
    Facts {
        cpu: sys
            .cpus()
            .first()
            .map(|c| c.brand().trim().to_string())
            .unwrap_or_default(),
        cores: sys.cpus().len(),
        cpu_flags: std::fs::read_to_string("/proc/cpuinfo")
            .map(|t| cpu_flags(&t))
            .unwrap_or_default(),
        ram_total: sys.total_memory(),
        ram_available: sys.available_memory(),
        cgroup_limit: cgroup_limit(),
        nvidia,
        nvml_bandwidth,
        nvidia_compute,
        amd_compute: amd_compute(Path::new("/sys/class/kfd/kfd/topology/nodes")),
        amd: amd_gpus(drm),
        intel,
        intel_integrated,
        apple: if cfg!(target_os = "macos") {
            run("sysctl", &["-n", "machdep.cpu.brand_string", "hw.memsize"])
                .and_then(|o| parse_sysctl_apple(&o))
        } else {
            None
        },
        notes,
    }
}

/// Detects this machine. Never fails: unknown parts are assumed and said so.
pub fn detect(presets: &[Hardware]) -> Detection {
    describe(gather(), presets)
}

/// The machine the estimator sees from what was reported: measured figures, catalog lookups by
/// device name, and assumptions for the rest, each noted.
pub fn describe(facts: Facts, presets: &[Hardware]) -> Detection {
    let Facts {
        cpu,
        cores,
        cpu_flags,
        mut ram_total,
        ram_available,
        cgroup_limit,
        nvidia,
        nvml_bandwidth,
        nvidia_compute,
        amd_compute,
        amd,
        intel,
        intel_integrated,
        apple,
        mut notes,
    } = facts;
    if ram_total == 0 {
        // Detection failed (sandbox, unsupported OS): a common laptop size, said out loud.
        ram_total = ASSUMED_RAM_WHEN_UNKNOWN;
        notes.push(format!(
            "RAM could not be measured: assumed {}; set machine: (memory_gib: Some(N)) in config.ron",
            fmt_gib(ram_total)
        ));
    } else {
        notes.push(format!("RAM {} measured (sysinfo)", fmt_gib(ram_total)));
    }
    if let Some(limit) = cgroup_limit.filter(|&l| l > 0 && l < ram_total) {
        notes.push(format!(
            "container memory limit {} (cgroup) caps RAM",
            fmt_gib(limit)
        ));
        ram_total = limit;
    }
    let ram_available = match ram_available {
        0 => ram_total,
        available => available.min(ram_total),
    };
    if intel_integrated > 0 && intel.is_empty() {
        notes.push(
            "Intel integrated GPU found (sysfs): it shares system RAM, so it is estimated as RAM"
                .into(),
        );
    }
    let (hardware, gpus) = if let Some((chip, mem)) = apple {
        notes.push(format!(
            "{chip} with {} unified memory (sysctl)",
            fmt_gib(mem)
        ));
        let mut hw = from_preset(presets, &chip, Backend::Metal, &mut notes);
        hw.unified = true;
        hw.memory = mem;
        hw.working_set = Some(metal_working_set(mem));
        notes.push("Metal working-set cap assumed 2/3 (≤36 GiB) or 3/4 of RAM".into());
        (hw, vec![chip])
    } else if let Some((backend, list)) = [
        (Backend::Cuda, &nvidia),
        (Backend::Rocm, &amd),
        (Backend::Vulkan, &intel),
    ]
    .into_iter()
    .find(|(_, list)| !list.is_empty())
    {
        let first = &list[0];
        notes.push(format!(
            "{} × {} with {} each (measured)",
            list.len(),
            first.name,
            fmt_gib(first.memory)
        ));
        let mut hw = from_preset(presets, &first.name, backend, &mut notes);
        if hw.kind == HardwareKind::Detected {
            derive_tflops(&mut hw, nvidia_compute, amd_compute, &mut notes);
        }
        if let Some(cc) = nvidia_compute.filter(|_| backend == Backend::Cuda) {
            let (major, minor) = cc.capability;
            hw.compute_capability = Some(cc.capability);
            if cc.capability < crate::estimate::speed::CUDA_GRAPHS_MIN_CC {
                notes.push(format!(
                    "compute capability {major}.{minor} (NVML): llama.cpp runs it without CUDA graphs{}",
                    if cc.capability < crate::estimate::speed::DP4A_MIN_CC {
                        " and emulates dp4a"
                    } else {
                        ""
                    }
                ));
            }
        }
        if let Some(bw) = nvml_bandwidth.filter(|_| backend == Backend::Cuda) {
            notes.push(format!(
                "bandwidth {bw:.0} GB/s measured from NVML (max memory clock × bus width)"
            ));
            hw.bandwidth_gbps = bw;
        }
        let card_power_w = card_power(&hw, first, backend, &mut notes);
        hw.unified = false;
        hw.memory = list.iter().map(|g| g.memory).min().unwrap_or(first.memory);
        hw.gpus = list.len() as u32;
        // A preset's power covers its own cards: scale to the cards found.
        hw.power_w = (card_power_w > 0.0).then(|| card_power_w * f64::from(hw.gpus));
        hw.ram = ram_total;
        if hw.ram_bandwidth_gbps <= 0.0 {
            hw.ram_bandwidth_gbps = 60.0;
            notes.push("host RAM bandwidth assumed 60 GB/s".into());
        }
        (hw, list.iter().map(|g| g.name.clone()).collect())
    } else {
        notes.push("no GPU found (NVML, nvidia-smi, sysfs): CPU only".into());
        let named = CpuClass::from_text(&format!("{cpu} {cpu_flags}"));
        let class = named.unwrap_or_default();
        notes.push(cpu_class_note(class, named.is_some(), cores));
        let name = if cpu.is_empty() {
            "This machine (CPU)".to_string()
        } else {
            format!("This machine ({cpu})")
        };
        let hw = Hardware {
            kind: HardwareKind::Detected,
            fp16_tflops: (cores as f64 * crate::estimate::speed::CPU_TFLOPS_PER_THREAD).max(0.1),
            cpu_class: Some(class),
            source: Some("detected".into()),
            ..Hardware::new(
                "this-machine",
                &name,
                Backend::Cpu,
                ram_total,
                ASSUMED_CPU_RAM_GBPS,
            )
        };
        notes.push(format!("RAM bandwidth assumed {ASSUMED_CPU_RAM_GBPS} GB/s (dual-channel DDR4/DDR5; the OS does not report it without root): decode runs at the lower of it and the threads' rate; `fitcheck calibrate` measures this machine, or set machine: (bandwidth_gbps: Some(N)) in config.ron"));
        (hw, Vec::new())
    };
    let mut hardware = hardware;
    hardware.id = "this-machine".into();
    hardware.kind = HardwareKind::Detected;
    if !hardware.name.starts_with("This machine") {
        hardware.name = format!("This machine ({})", hardware.name);
    }
    Detection {
        hardware,
        cpu,
        cores,
        ram_total,
        ram_available,
        gpus,
        notes,
    }
}

/// One card's board power, W (0: unknown): the limit the driver enforces when it reports one
/// (a card power-capped by its owner runs its prompts slower than the preset's board), else the
/// preset's figure.
fn card_power(hw: &Hardware, card: &GpuInfo, backend: Backend, notes: &mut Vec<String>) -> f64 {
    let preset_w = hw.card_power_w();
    let Some(limit) = card.power_limit_w else {
        return preset_w;
    };
    let source = match backend {
        Backend::Cuda => "NVIDIA driver",
        _ => "sysfs hwmon",
    };
    let differs = preset_w > 0.0 && (limit / preset_w - 1.0).abs() > 0.05;
    notes.push(if differs {
        format!("board power limit {limit:.0} W per card ({source}; the preset says {preset_w:.0} W): prompt speed uses the limit")
    } else {
        format!("board power limit {limit:.0} W per card ({source}): caps the prompt rate")
    });
    limit
}

/// The preset whose name shares the most tokens with `device`, or a generic guess.
fn from_preset(
    presets: &[Hardware],
    device: &str,
    backend: Backend,
    notes: &mut Vec<String>,
) -> Hardware {
    let best = crate::resolve::match_preset(presets, device, Some(backend));
    match best {
        Some(p) => {
            notes.push(format!(
                "bandwidth {} GB/s and {} TFLOPS looked up from preset '{}'",
                p.bandwidth_gbps, p.fp16_tflops, p.id
            ));
            Hardware {
                name: device.to_string(),
                ..p.clone()
            }
        }
        None => {
            notes.push(format!(
                "'{device}' is not in the catalog: bandwidth assumed 400 GB/s, 20 TFLOPS"
            ));
            Hardware {
                kind: HardwareKind::Detected,
                ram: 0,
                ram_bandwidth_gbps: 0.0,
                fp16_tflops: 20.0,
                source: Some("detected".into()),
                ..Hardware::new("this-machine", device, backend, 0, 400.0)
            }
        }
    }
}

/// TFLOPS of a GPU the catalog does not know, from the driver's compute units and clock.
fn derive_tflops(
    hw: &mut Hardware,
    nvidia: Option<NvidiaCompute>,
    amd: Option<AmdCompute>,
    notes: &mut Vec<String>,
) {
    let derived = match hw.backend {
        Backend::Cuda => nvidia.map(|c| nvidia_fp16_tflops(&c)),
        Backend::Rocm => amd.map(|c| Ok(amd_fp16_tflops(&c))),
        _ => None,
    };
    match derived {
        Some(Ok((tflops, how))) => {
            hw.fp16_tflops = tflops;
            notes.push(how);
        }
        Some(Err(why)) => notes.push(format!("TFLOPS not derived: {why}")),
        None => {}
    }
    let fp32 = match hw.backend {
        Backend::Cuda => nvidia.map(|c| nvidia_fp32_tflops(&c)),
        Backend::Rocm => amd.map(|c| Ok(amd_fp32_tflops(&c))),
        _ => None,
    };
    match fp32 {
        Some(Ok((tflops, how))) => {
            hw.fp32_tflops = Some(tflops);
            notes.push(how);
        }
        Some(Err(why)) => notes.push(format!(
            "FP32 TFLOPS not derived ({why}): decode uses the backend's bandwidth saturation alone"
        )),
        None => {}
    }
}

/// The first GPU node of the KFD topology with compute units.
fn amd_compute(nodes: &Path) -> Option<AmdCompute> {
    let mut dirs: Vec<_> = std::fs::read_dir(nodes)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs.iter().find_map(|d| {
        std::fs::read_to_string(d.join("properties"))
            .ok()
            .and_then(|t| parse_kfd_properties(&t))
    })
}

fn run(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cgroup_limit() -> Option<u64> {
    [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .find_map(|p| {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|t| parse_cgroup_limit(&t))
    })
}

/// NVIDIA GPUs through NVML (loaded at run time; no driver means no NVIDIA GPU), else nvidia-smi.
fn nvidia_gpus(notes: &mut Vec<String>) -> (Vec<GpuInfo>, Option<f64>, Option<NvidiaCompute>) {
    if let Ok(nvml) = nvml_wrapper::Nvml::init() {
        let count = nvml.device_count().unwrap_or(0);
        let mut gpus = Vec::new();
        let mut bandwidth = None;
        let mut compute = None;
        for i in 0..count {
            let Ok(dev) = nvml.device_by_index(i) else {
                continue;
            };
            let (Ok(name), Ok(mem)) = (dev.name(), dev.memory_info()) else {
                continue;
            };
            if bandwidth.is_none() {
                if let (Ok(clock), Ok(bus)) = (
                    dev.max_clock_info(nvml_wrapper::enum_wrappers::device::Clock::Memory),
                    dev.memory_bus_width(),
                ) {
                    bandwidth = Some(nvml_bandwidth_gbps(clock, bus));
                }
            }
            if compute.is_none() {
                use nvml_wrapper::enum_wrappers::device::Clock;
                if let (Ok(cc), Ok(cores), Ok(mhz)) = (
                    dev.cuda_compute_capability(),
                    dev.num_cores(),
                    dev.max_clock_info(Clock::SM),
                ) {
                    compute = Some(NvidiaCompute {
                        capability: (cc.major.max(0) as u32, cc.minor.max(0) as u32),
                        cuda_cores: cores,
                        max_sm_clock_mhz: mhz,
                    });
                }
            }
            gpus.push(GpuInfo {
                name,
                memory: mem.total,
                power_limit_w: dev
                    .enforced_power_limit()
                    .ok()
                    .and_then(|mw| board_power(f64::from(mw) / 1e3)),
            });
        }
        if !gpus.is_empty() {
            notes.push("NVIDIA GPUs read through NVML".into());
            return (gpus, bandwidth, compute);
        }
    }
    let smi = run(
        "nvidia-smi",
        &[
            "--query-gpu=name,memory.total,power.limit",
            "--format=csv,noheader,nounits",
        ],
    )
    .map(|o| parse_nvidia_smi(&o))
    .unwrap_or_default();
    if !smi.is_empty() {
        notes.push("NVIDIA GPUs read through nvidia-smi (NVML not loadable)".into());
    }
    (smi, None, None)
}

/// RAM bandwidth of a CPU-only machine, GB/s, when nothing reports it: dual-channel DDR4-3200
/// (51.2 GB/s), rounded.
const ASSUMED_CPU_RAM_GBPS: f64 = 50.0;

/// The flags line of `/proc/cpuinfo` ("flags" on x86, "Features" on Arm), first CPU only.
fn cpu_flags(cpuinfo: &str) -> String {
    cpuinfo
        .lines()
        .find_map(|l| {
            let (key, value) = l.split_once(':')?;
            matches!(key.trim(), "flags" | "Features").then(|| value.trim().to_string())
        })
        .unwrap_or_default()
}

/// What detection says about a CPU-only machine's cores and the rates they are given.
fn cpu_class_note(class: CpuClass, named: bool, cores: usize) -> String {
    let c = BackendConstants::of(Backend::Cpu);
    let i = class.index();
    format!(
        "CPU cores {} ({}), {cores} threads: decode up to {:.1} GB/s a thread, prefill {:.0} GFLOPS a thread (fitted per core class, docs/accuracy.md)",
        class.name(),
        if named { "from the CPU name and flags" } else { "assumed: neither the name nor the flags say" },
        c.cpu_thread_gbps[i],
        c.cpu_thread_tflops[i] * c.prefill_eff * 1000.0,
    )
}

/// RAM assumed when the OS does not report it.
const ASSUMED_RAM_WHEN_UNKNOWN: u64 = 16 << 30;

/// Peak bandwidth from NVML's memory clock (MHz) and bus width (bits): double data rate.
pub fn nvml_bandwidth_gbps(mem_clock_mhz: u32, bus_width_bits: u32) -> f64 {
    f64::from(mem_clock_mhz) * 1e6 * 2.0 * f64::from(bus_width_bits) / 8.0 / 1e9
}

/// AMD GPUs from sysfs (`/sys/class/drm/cardN/device/mem_info_vram_total`); `root` for tests.
pub fn amd_gpus(root: &Path) -> Vec<GpuInfo> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let dev = e.path().join("device");
        let vendor = std::fs::read_to_string(dev.join("vendor")).unwrap_or_default();
        if vendor.trim() != "0x1002" || !e.file_name().to_string_lossy().starts_with("card") {
            continue;
        }
        if e.file_name().to_string_lossy().contains('-') {
            continue; // connectors like card0-DP-1
        }
        if let Some(mem) = read_bytes(&dev.join("mem_info_vram_total")) {
            let name = std::fs::read_to_string(dev.join("product_name"))
                .unwrap_or_else(|_| "AMD GPU".into());
            out.push(GpuInfo {
                name: name.trim().to_string(),
                memory: mem,
                power_limit_w: hwmon_power_limit(&dev),
            });
        }
    }
    out
}

/// A GPU's board power limit from its hwmon node, microwatts: amdgpu's `power1_cap`, or the
/// sustained (PL1) limit `power1_max` of Intel's i915/xe drivers.
fn hwmon_power_limit(device: &Path) -> Option<f64> {
    std::fs::read_dir(device.join("hwmon"))
        .ok()?
        .flatten()
        .find_map(|h| {
            ["power1_cap", "power1_max"].iter().find_map(|f| {
                std::fs::read_to_string(h.path().join(f))
                    .ok()
                    .and_then(|t| parse_microwatts(&t))
            })
        })
}

/// Intel GPUs under a DRM sysfs root: discrete ones (with their own VRAM: `xe`'s
/// `tile0/vram0/physical_vram_size_bytes` or i915's `lmem_total_bytes`) and a count of integrated
/// ones, which share system RAM.
pub fn intel_gpus(root: &Path) -> (Vec<GpuInfo>, usize) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return (Vec::new(), 0);
    };
    let (mut discrete, mut integrated) = (Vec::new(), 0);
    for e in entries.flatten() {
        let file_name = e.file_name().to_string_lossy().to_string();
        let dev = e.path().join("device");
        let vendor = std::fs::read_to_string(dev.join("vendor")).unwrap_or_default();
        if vendor.trim() != "0x8086" || !file_name.starts_with("card") || file_name.contains('-') {
            continue;
        }
        let vram = read_bytes(&dev.join("tile0/vram0/physical_vram_size_bytes"))
            .or_else(|| read_bytes(&e.path().join("lmem_total_bytes")))
            .filter(|&b| b > 0);
        match vram {
            Some(memory) => {
                let id = std::fs::read_to_string(dev.join("device")).unwrap_or_default();
                discrete.push(GpuInfo {
                    name: intel_name(id.trim()).to_string(),
                    memory,
                    power_limit_w: hwmon_power_limit(&dev),
                });
            }
            None => integrated += 1,
        }
    }
    (discrete, integrated)
}

/// Marketing name of an Intel Arc PCI device id (the ids in Intel's published lists).
fn intel_name(pci_id: &str) -> &'static str {
    match pci_id.to_ascii_lowercase().as_str() {
        "0x56a0" => "Intel Arc A770",
        "0x56a1" => "Intel Arc A750",
        "0x56a2" => "Intel Arc A580",
        "0x56a5" => "Intel Arc A380",
        "0x56a6" => "Intel Arc A310",
        "0xe20b" => "Intel Arc B580",
        "0xe20c" => "Intel Arc B570",
        _ => "Intel Arc GPU",
    }
}

fn read_bytes(p: &Path) -> Option<u64> {
    std::fs::read_to_string(p)
        .ok()
        .and_then(|t| parse_sysfs_bytes(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presets() -> Vec<Hardware> {
        crate::catalog::Catalog::builtin()
            .expect("catalog")
            .hardware
    }

    #[test]
    fn a_machine_that_reports_nothing_is_an_assumed_cpu_box_and_says_so() {
        let d = describe(Facts::default(), &presets());
        assert_eq!(d.hardware.backend, Backend::Cpu);
        assert_eq!(d.hardware.memory, ASSUMED_RAM_WHEN_UNKNOWN);
        assert_eq!(d.ram_available, ASSUMED_RAM_WHEN_UNKNOWN);
        let notes = d.notes.join("\n");
        assert!(notes.contains("could not be measured"), "{notes}");
        assert!(notes.contains("no GPU found"), "{notes}");
        assert!(notes.contains("assumed 50 GB/s"), "{notes}");
        assert!(notes.contains("CPU cores x86"), "{notes}");
        assert!(notes.contains("assumed: neither"), "{notes}");
        assert_eq!(d.hardware.id, "this-machine");
        assert_eq!(d.hardware.cpu_class, Some(CpuClass::X86));
    }

    #[test]
    fn the_cpu_flags_set_the_core_class() {
        let cpuinfo = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\nflags\t\t: fpu avx2 avx512f amx_tile amx_int8\n\nprocessor\t: 1\n";
        assert_eq!(cpu_flags(cpuinfo), "fpu avx2 avx512f amx_tile amx_int8");
        let arm = "processor\t: 0\nFeatures\t: fp asimd asimddp i8mm\n";
        assert_eq!(cpu_flags(arm), "fp asimd asimddp i8mm");
        for (cpu, flags, class) in [
            (
                "Intel(R) Xeon(R) Processor",
                cpu_flags(cpuinfo),
                CpuClass::X86Amx,
            ),
            ("", cpu_flags(arm), CpuClass::Arm),
            ("AMD EPYC", "fpu avx avx2".to_string(), CpuClass::X86),
            (
                "13th Gen Intel(R) Core(TM) i3-1315U",
                "fpu avx avx2 avx_vnni".to_string(),
                CpuClass::X86Vnni,
            ),
        ] {
            let facts = Facts {
                cpu: cpu.into(),
                cores: 8,
                cpu_flags: flags,
                ram_total: 32 << 30,
                ..Facts::default()
            };
            let d = describe(facts, &presets());
            assert_eq!(d.hardware.cpu_class, Some(class), "{cpu}");
            assert!(d
                .notes
                .iter()
                .any(|n| n.contains("from the CPU name and flags")));
        }
    }

    #[test]
    fn a_container_limit_caps_ram() {
        let facts = Facts {
            ram_total: 64 << 30,
            ram_available: 60 << 30,
            cgroup_limit: Some(8 << 30),
            ..Facts::default()
        };
        let d = describe(facts, &presets());
        assert_eq!((d.ram_total, d.ram_available), (8 << 30, 8 << 30));
        assert!(d.notes.iter().any(|n| n.contains("cgroup")));
    }

    #[test]
    fn two_nvidia_cards_are_a_layer_split_with_looked_up_or_measured_bandwidth() {
        let card = || GpuInfo {
            name: "NVIDIA GeForce RTX 3090".into(),
            memory: 24 << 30,
            power_limit_w: None,
        };
        let facts = Facts {
            ram_total: 128 << 30,
            nvidia: vec![card(), card()],
            ..Facts::default()
        };
        let d = describe(facts.clone(), &presets());
        assert_eq!((d.hardware.backend, d.hardware.gpus), (Backend::Cuda, 2));
        assert_eq!(d.hardware.memory, 24 << 30, "per card, not pooled");
        assert_eq!(
            d.hardware.bandwidth_gbps, 936.0,
            "looked up from the rtx-3090 preset"
        );
        assert!(d
            .notes
            .iter()
            .any(|n| n.contains("looked up from preset 'rtx-3090'")));
        let measured = describe(
            Facts {
                nvml_bandwidth: Some(930.0),
                ..facts
            },
            &presets(),
        );
        assert_eq!(
            measured.hardware.bandwidth_gbps, 930.0,
            "NVML's figure wins"
        );
        assert_eq!(
            measured.hardware.card_power_w(),
            350.0,
            "each card keeps the single-card preset's board power"
        );
    }

    #[test]
    fn the_drivers_power_limit_is_each_cards_board_power() {
        let card = |name: &str, limit| GpuInfo {
            name: name.into(),
            memory: 24 << 30,
            power_limit_w: limit,
        };
        let machine = |gpus| Facts {
            ram_total: 64 << 30,
            nvidia: gpus,
            ..Facts::default()
        };
        // An owner's 300 W cap on a 450 W board: the prompt rate follows the cap, and says so.
        let capped = describe(
            machine(vec![card("NVIDIA GeForce RTX 4090", Some(300.0))]),
            &presets(),
        );
        assert_eq!(capped.hardware.card_power_w(), 300.0);
        assert!(
            capped
                .notes
                .iter()
                .any(|n| n.contains("300 W per card") && n.contains("preset says 450 W")),
            "{:?}",
            capped.notes
        );
        // A card the catalog lacks had no power figure at all.
        let unknown = describe(
            machine(vec![
                card("NVIDIA Future X900", Some(700.0)),
                card("NVIDIA Future X900", Some(700.0)),
            ]),
            &presets(),
        );
        assert_eq!(unknown.hardware.card_power_w(), 700.0);
        assert_eq!(unknown.hardware.power_w, Some(1400.0));
        assert!(unknown
            .notes
            .iter()
            .any(|n| n.contains("700 W per card (NVIDIA driver)")));
        let none = describe(machine(vec![card("NVIDIA Future X900", None)]), &presets());
        assert_eq!(none.hardware.card_power_w(), 0.0, "no limit, no figure");
    }

    #[test]
    fn an_uncatalogued_nvidia_card_gets_tflops_from_nvml_and_says_how() {
        let facts = Facts {
            ram_total: 256 << 30,
            nvidia: vec![GpuInfo {
                name: "NVIDIA Future X900".into(),
                memory: 140 << 30,
                power_limit_w: None,
            }],
            nvml_bandwidth: Some(4814.0),
            nvidia_compute: Some(NvidiaCompute {
                capability: (9, 0),
                cuda_cores: 16896,
                max_sm_clock_mhz: 1980,
            }),
            ..Facts::default()
        };
        let d = describe(facts.clone(), &presets());
        // 132 SMs × 1980 MHz × 4096 FLOPs per SM per clock.
        assert!(
            (d.hardware.fp16_tflops - 1070.5).abs() < 0.5,
            "{}",
            d.hardware.fp16_tflops
        );
        assert!(
            d.notes.iter().any(|n| n.contains("132 SMs")),
            "{:?}",
            d.notes
        );
        // 16,896 CUDA cores × 2 × 1980 MHz: the vector rate that dequantizes in decode.
        let fp32 = d.hardware.fp32_tflops.unwrap_or(0.0);
        assert!((fp32 - 66.9).abs() < 0.1, "{fp32}");
        assert!(d.notes.iter().any(|n| n.contains("FP32 TFLOPS derived")));
        // Without NVML's compute figures, the old assumption stays and is said.
        let bare = describe(
            Facts {
                nvidia_compute: None,
                ..facts
            },
            &presets(),
        );
        assert_eq!(bare.hardware.fp16_tflops, 20.0);
        assert_eq!(bare.hardware.fp32_tflops, None);
        assert!(bare.notes.iter().any(|n| n.contains("not in the catalog")));
        // NVML's compute capability is kept; a current card gets no note about it.
        assert_eq!(d.hardware.compute_capability, Some((9, 0)));
        assert!(!d.notes.iter().any(|n| n.contains("CUDA graphs")));
    }

    #[test]
    fn an_old_nvidia_card_is_said_to_run_without_graphs_or_dp4a() {
        let facts = |capability| Facts {
            ram_total: 64 << 30,
            nvidia: vec![GpuInfo {
                name: "NVIDIA Old Card".into(),
                memory: 16 << 30,
                power_limit_w: None,
            }],
            nvidia_compute: Some(NvidiaCompute {
                capability,
                cuda_cores: 3584,
                max_sm_clock_mhz: 1329,
            }),
            ..Facts::default()
        };
        let pascal = describe(facts((6, 0)), &presets());
        assert_eq!(pascal.hardware.compute_capability, Some((6, 0)));
        assert!(
            pascal
                .notes
                .iter()
                .any(|n| n.contains("without CUDA graphs and emulates dp4a")),
            "{:?}",
            pascal.notes
        );
        let maxwell = describe(facts((5, 2)), &presets());
        assert!(maxwell
            .notes
            .iter()
            .any(|n| n.contains("without CUDA graphs and emulates dp4a")));
        // Volta and Turing have had CUDA graphs since b10042: no such note.
        let volta = describe(facts((7, 0)), &presets());
        assert!(!volta.notes.iter().any(|n| n.contains("CUDA graphs")));
    }

    #[test]
    fn apple_silicon_gets_unified_memory_and_the_metal_cap() {
        let facts = Facts {
            ram_total: 48 << 30,
            apple: Some(("Apple M4 Pro".into(), 48 << 30)),
            ..Facts::default()
        };
        let d = describe(facts, &presets());
        assert_eq!(d.hardware.backend, Backend::Metal);
        assert!(d.hardware.unified);
        assert_eq!(d.hardware.working_set, Some(metal_working_set(48 << 30)));
        assert!(d.hardware.bandwidth_gbps > 200.0, "M4 Pro preset bandwidth");
    }

    #[test]
    fn nvml_bandwidth_matches_spec_sheets() {
        // RTX 4090: 10501 MHz GDDR6X on 384 bits; A100: 1593 MHz HBM2e on 5120 bits.
        assert!((nvml_bandwidth_gbps(10501, 384) - 1008.0).abs() < 1.0);
        assert!((nvml_bandwidth_gbps(1593, 5120) - 2039.0).abs() < 1.0);
    }

    #[test]
    fn amd_sysfs_tree_is_read_and_other_vendors_ignored() {
        let root = std::env::temp_dir().join(format!("fitcheck-sysfs-{}", std::process::id()));
        let card = |n: &str, vendor: &str, vram: &str, name: &str| {
            let d = root.join(n).join("device");
            std::fs::create_dir_all(&d).expect("dir");
            std::fs::write(d.join("vendor"), vendor).expect("write");
            std::fs::write(d.join("mem_info_vram_total"), vram).expect("write");
            std::fs::write(d.join("product_name"), name).expect("write");
        };
        card(
            "card0",
            "0x1002\n",
            "25753026560\n",
            "AMD Radeon RX 7900 XTX\n",
        );
        card("card1", "0x8086\n", "1\n", "Intel iGPU\n");
        card("card0-DP-1", "0x1002\n", "1\n", "connector\n");
        let hwmon = root.join("card0/device/hwmon/hwmon3");
        std::fs::create_dir_all(&hwmon).expect("dir");
        std::fs::write(hwmon.join("power1_cap"), "355000000\n").expect("write");
        let gpus = amd_gpus(&root);
        assert_eq!(
            gpus,
            vec![GpuInfo {
                name: "AMD Radeon RX 7900 XTX".into(),
                memory: 25_753_026_560,
                power_limit_w: Some(355.0),
            }]
        );
        assert!(amd_gpus(&root.join("missing")).is_empty());
    }

    #[test]
    fn intel_discrete_cards_have_vram_and_integrated_ones_do_not() {
        let root = std::env::temp_dir().join(format!("fitcheck-intel-{}", std::process::id()));
        let card = |n: &str, pci_id: &str| {
            let d = root.join(n).join("device");
            std::fs::create_dir_all(&d).expect("dir");
            std::fs::write(d.join("vendor"), "0x8086\n").expect("write");
            std::fs::write(d.join("device"), pci_id).expect("write");
            d
        };
        // B580 on the xe driver: VRAM per tile.
        let xe = card("card0", "0xe20b\n");
        std::fs::create_dir_all(xe.join("tile0/vram0")).expect("dir");
        std::fs::write(
            xe.join("tile0/vram0/physical_vram_size_bytes"),
            "12884901888\n",
        )
        .expect("write");
        // A770 on i915: lmem_total_bytes on the card.
        card("card1", "0x56A0\n");
        std::fs::write(root.join("card1/lmem_total_bytes"), "17179869184\n").expect("write");
        // An iGPU: no VRAM of its own.
        card("card2", "0x7d55\n");
        let (mut discrete, integrated) = intel_gpus(&root);
        discrete.sort_by(|a, b| a.name.cmp(&b.name));
        let names: Vec<_> = discrete
            .iter()
            .map(|g| (g.name.as_str(), g.memory))
            .collect();
        assert_eq!(
            names,
            vec![("Intel Arc A770", 16 << 30), ("Intel Arc B580", 12 << 30)]
        );
        assert_eq!(integrated, 1);
        let _ = std::fs::remove_dir_all(&root);
    }
}
