//! Dense FP16 matrix throughput of a GPU that is not in the catalog, from what the driver
//! reports: compute units × maximum clock × the architecture's matrix rate per unit and clock.
//! Pure functions; the figures per architecture come from the vendors' whitepapers and are
//! checked against their datasheet totals in the tests.

/// What NVML reports about an NVIDIA GPU's compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NvidiaCompute {
    /// CUDA compute capability (major, minor).
    pub capability: (u32, u32),
    /// CUDA cores (NVML's `nvmlDeviceGetNumGpuCores`).
    pub cuda_cores: u32,
    /// Maximum SM clock, MHz.
    pub max_sm_clock_mhz: u32,
}

/// (CUDA cores per SM, dense FP16 tensor FLOPs per SM per clock with FP16 accumulation) by
/// compute capability: Volta/Turing 8 tensor cores × 64 FMA, A100 4 × 256, Ampere/Ada consumer
/// 4 × 128, Hopper 4 × 512, B200 4 × 1024, Blackwell consumer 4 × 128 (2 FLOPs per FMA).
fn nvidia_rates(major: u32, minor: u32) -> Option<(u32, f64, &'static str)> {
    Some(match (major, minor) {
        (7, 0) => (64, 1024.0, "Volta"),
        (7, 5) => (64, 1024.0, "Turing"),
        (8, 0) => (64, 2048.0, "Ampere (A100)"),
        (8, 6) | (8, 7) => (128, 1024.0, "Ampere"),
        (8, 9) => (128, 1024.0, "Ada"),
        (9, 0) => (128, 4096.0, "Hopper"),
        (10, _) => (128, 8192.0, "Blackwell (datacenter)"),
        (12, _) => (128, 1024.0, "Blackwell"),
        _ => return None,
    })
}

/// Dense FP16 TFLOPS and the assumption behind it, or why it cannot be derived.
pub fn nvidia_fp16_tflops(c: &NvidiaCompute) -> Result<(f64, String), String> {
    let (major, minor) = c.capability;
    let (cores_per_sm, flops, arch) = nvidia_rates(major, minor)
        .ok_or_else(|| format!("compute capability {major}.{minor} has no known tensor rate"))?;
    if c.cuda_cores == 0 || c.max_sm_clock_mhz == 0 {
        return Err("NVML did not report the core count or the SM clock".into());
    }
    let sms = c.cuda_cores / cores_per_sm;
    let tflops = f64::from(sms) * f64::from(c.max_sm_clock_mhz) * 1e6 * flops / 1e12;
    Ok((
        tflops,
        format!(
            "{tflops:.0} TFLOPS derived from NVML: {sms} SMs ({} CUDA cores / {cores_per_sm}) × {} MHz max SM clock × {flops:.0} dense FP16 FLOPs per SM per clock ({arch}, compute capability {major}.{minor}); the datasheet's figure uses the lower boost clock",
            c.cuda_cores, c.max_sm_clock_mhz
        ),
    ))
}

/// Vector FP32 TFLOPS (the CUDA cores that dequantize weights in decode) and the assumption
/// behind it: NVML's CUDA cores are the FP32 lanes, each one FMA (2 FLOPs) per clock, which gives
/// the datasheets' FP32 figures (RTX 4090 82.6, A100 19.5, H100 SXM 67).
pub fn nvidia_fp32_tflops(c: &NvidiaCompute) -> Result<(f64, String), String> {
    if c.cuda_cores == 0 || c.max_sm_clock_mhz == 0 {
        return Err("NVML did not report the core count or the SM clock".into());
    }
    let tflops = f64::from(c.cuda_cores) * 2.0 * f64::from(c.max_sm_clock_mhz) * 1e6 / 1e12;
    Ok((
        tflops,
        format!(
            "{tflops:.1} FP32 TFLOPS derived from NVML: {} CUDA cores × 2 FLOPs (FMA) × {} MHz max SM clock",
            c.cuda_cores, c.max_sm_clock_mhz
        ),
    ))
}

/// What the amdgpu driver's KFD topology (`/sys/class/kfd/kfd/topology/nodes/N/properties`)
/// reports about a GPU's compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmdCompute {
    /// `gfx_target_version`, e.g. 110000 for gfx1100.
    pub gfx_target_version: u32,
    /// Compute units (`simd_count / simd_per_cu`).
    pub compute_units: u32,
    /// `max_engine_clk_fcompute`, MHz.
    pub max_clock_mhz: u32,
}

/// Parses one KFD topology `properties` file; `None` for CPU nodes or missing fields.
pub fn parse_kfd_properties(text: &str) -> Option<AmdCompute> {
    let get = |key: &str| {
        text.lines().find_map(|l| {
            let mut it = l.split_whitespace();
            (it.next() == Some(key))
                .then(|| it.next().and_then(|v| v.parse::<u32>().ok()))
                .flatten()
        })
    };
    let simds = get("simd_count").filter(|&s| s > 0)?;
    let per_cu = get("simd_per_cu").filter(|&s| s > 0)?;
    Some(AmdCompute {
        gfx_target_version: get("gfx_target_version").filter(|&v| v > 0)?,
        compute_units: simds / per_cu,
        max_clock_mhz: get("max_engine_clk_fcompute").filter(|&c| c > 0)?,
    })
}

/// Dense FP16 FLOPs per CU per clock by GFX generation: CDNA3 2048 and CDNA1/2 1024 (matrix
/// cores), RDNA4 1024 and RDNA3 512 (WMMA), older parts 256 (packed FP16 FMA on 64 lanes).
fn amd_rate(gfx: u32) -> (f64, &'static str) {
    let major = gfx / 10000;
    let minor = (gfx / 100) % 100;
    match (major, minor) {
        (9, 4) => (2048.0, "CDNA3"),
        (9, 0) if gfx >= 90008 && gfx != 90009 && gfx != 90012 => (1024.0, "CDNA1/2"),
        (12, _) => (1024.0, "RDNA4"),
        (11, _) => (512.0, "RDNA3"),
        _ => (256.0, "packed FP16 (no matrix cores)"),
    }
}

/// Dense FP16 TFLOPS of an AMD GPU and the assumption behind it.
pub fn amd_fp16_tflops(c: &AmdCompute) -> (f64, String) {
    let (rate, arch) = amd_rate(c.gfx_target_version);
    let tflops = f64::from(c.compute_units) * f64::from(c.max_clock_mhz) * 1e6 * rate / 1e12;
    (
        tflops,
        format!(
            "{tflops:.0} TFLOPS derived from the KFD topology: {} CUs × {} MHz max clock × {rate:.0} dense FP16 FLOPs per CU per clock ({arch}, gfx target {})",
            c.compute_units, c.max_clock_mhz, c.gfx_target_version
        ),
    )
}

/// Vector FP32 FLOPs per CU per clock: 64 lanes × FMA, doubled by dual issue on RDNA3/4 and by
/// CDNA3's packed FP32 (the counting AMD's spec sheets use: RX 7900 XTX 61.4, MI300X 163.4).
fn amd_fp32_rate(gfx: u32) -> f64 {
    match (gfx / 10000, (gfx / 100) % 100) {
        (11 | 12, _) | (9, 4) => 256.0,
        _ => 128.0,
    }
}

/// Vector FP32 TFLOPS of an AMD GPU and the assumption behind it.
pub fn amd_fp32_tflops(c: &AmdCompute) -> (f64, String) {
    let rate = amd_fp32_rate(c.gfx_target_version);
    let tflops = f64::from(c.compute_units) * f64::from(c.max_clock_mhz) * 1e6 * rate / 1e12;
    (
        tflops,
        format!(
            "{tflops:.1} FP32 TFLOPS derived from the KFD topology: {} CUs × {} MHz × {rate:.0} FP32 FLOPs per CU per clock (gfx target {})",
            c.compute_units, c.max_clock_mhz, c.gfx_target_version
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nv(cap: (u32, u32), cores: u32, mhz: u32) -> f64 {
        nvidia_fp16_tflops(&NvidiaCompute {
            capability: cap,
            cuda_cores: cores,
            max_sm_clock_mhz: mhz,
        })
        .unwrap()
        .0
    }

    #[test]
    fn nvidia_rates_reproduce_datasheet_totals() {
        // Datasheet dense FP16 (FP16 accumulate) at the datasheet's boost clock.
        let close = |got: f64, want: f64| (got / want - 1.0).abs() < 0.02;
        assert!(close(nv((8, 9), 16384, 2520), 330.3)); // RTX 4090
        assert!(close(nv((8, 0), 6912, 1410), 312.0)); // A100
        assert!(close(nv((8, 6), 10496, 1695), 142.3)); // RTX 3090
        assert!(close(nv((9, 0), 16896, 1830), 989.4)); // H100 SXM at 1.83 GHz
        assert!(close(nv((12, 0), 21760, 2407), 419.0)); // RTX 5090
        assert!(close(nv((7, 0), 5120, 1530), 125.0)); // V100
    }

    #[test]
    fn fp32_rates_reproduce_datasheet_totals() {
        let close = |got: f64, want: f64| (got / want - 1.0).abs() < 0.02;
        let nv32 = |cores: u32, mhz: u32| {
            nvidia_fp32_tflops(&NvidiaCompute {
                capability: (8, 9),
                cuda_cores: cores,
                max_sm_clock_mhz: mhz,
            })
            .unwrap()
            .0
        };
        assert!(close(nv32(16384, 2520), 82.6)); // RTX 4090
        assert!(close(nv32(6912, 1410), 19.5)); // A100
        assert!(close(nv32(16896, 1980), 67.0)); // H100 SXM / H200
        assert!(close(nv32(21760, 2407), 104.8)); // RTX 5090
        let amd = |gfx: u32, cus: u32, mhz: u32| {
            amd_fp32_tflops(&AmdCompute {
                gfx_target_version: gfx,
                compute_units: cus,
                max_clock_mhz: mhz,
            })
            .0
        };
        assert!(close(amd(110000, 96, 2500), 61.4)); // RX 7900 XTX
        assert!(close(amd(90402, 304, 2100), 163.4)); // MI300X
        assert!(close(amd(90010, 104, 1700), 22.6)); // MI210
        assert!(close(amd(90006, 60, 1725), 13.3)); // MI50
        assert!(close(amd(120001, 64, 2970), 48.7)); // RX 9070 XT
    }

    #[test]
    fn unknown_nvidia_generations_are_refused_with_a_reason() {
        let c = NvidiaCompute {
            capability: (6, 1),
            cuda_cores: 3584,
            max_sm_clock_mhz: 1582,
        };
        assert!(nvidia_fp16_tflops(&c).unwrap_err().contains("6.1"));
        let zero = NvidiaCompute {
            capability: (8, 9),
            cuda_cores: 0,
            max_sm_clock_mhz: 2520,
        };
        assert!(nvidia_fp16_tflops(&zero).is_err());
    }

    #[test]
    fn kfd_properties_give_amd_datasheet_totals() {
        let props = |gfx: u32, simds: u32, per_cu: u32, mhz: u32| {
            format!(
                "cpu_cores_count 0\nsimd_count {simds}\nsimd_per_cu {per_cu}\n\
                 max_engine_clk_fcompute {mhz}\ngfx_target_version {gfx}\n"
            )
        };
        let t = |text: String| amd_fp16_tflops(&parse_kfd_properties(&text).unwrap()).0;
        let close = |got: f64, want: f64| (got / want - 1.0).abs() < 0.02;
        assert!(close(t(props(110000, 192, 2, 2500)), 122.9)); // RX 7900 XTX
        assert!(close(t(props(90402, 1216, 4, 2100)), 1307.4)); // MI300X
        assert!(close(t(props(90010, 416, 4, 1700)), 181.0)); // MI210
        assert!(close(t(props(120001, 128, 2, 2970)), 194.6)); // RX 9070 XT
                                                               // A CPU node has no SIMDs.
        assert_eq!(
            parse_kfd_properties("cpu_cores_count 16\nsimd_count 0\n"),
            None
        );
    }
}
