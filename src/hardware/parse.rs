//! Parsers for what the system tools print. Pure, so they are tested on captured output from
//! machines we do not have.

/// One GPU as reported by `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuInfo {
    /// Marketing name.
    pub name: String,
    /// Memory in bytes.
    pub memory: u64,
}

/// Parses `nvidia-smi` CSV (memory in MiB). Malformed lines are skipped.
pub fn parse_nvidia_smi(text: &str) -> Vec<GpuInfo> {
    text.lines()
        .filter_map(|line| {
            let (name, mib) = line.rsplit_once(',')?;
            let mib: u64 = mib.trim().parse().ok()?;
            let name = name.trim();
            (!name.is_empty()).then(|| GpuInfo {
                name: name.to_string(),
                memory: mib << 20,
            })
        })
        .collect()
}

/// Parses a sysfs `mem_info_vram_total` file (bytes).
pub fn parse_sysfs_bytes(text: &str) -> Option<u64> {
    text.trim().parse().ok().filter(|&b| b > 0)
}

/// Parses a cgroup v2 `memory.max` (or v1 `memory.limit_in_bytes`); `None` when unlimited.
pub fn parse_cgroup_limit(text: &str) -> Option<u64> {
    let t = text.trim();
    if t == "max" {
        return None;
    }
    // cgroup v1 reports "unlimited" as a huge page-aligned number.
    t.parse::<u64>().ok().filter(|&b| b > 0 && b < (1u64 << 60))
}

/// Apple chip name and memory from `sysctl -n machdep.cpu.brand_string hw.memsize`.
pub fn parse_sysctl_apple(text: &str) -> Option<(String, u64)> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let chip = lines.next()?.to_string();
    let mem: u64 = lines.next()?.parse().ok()?;
    chip.starts_with("Apple").then_some((chip, mem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nvidia_smi_two_gpus() {
        let out = "NVIDIA GeForce RTX 4090, 24564\nNVIDIA GeForce RTX 3090, 24576\ngarbage line\n";
        let gpus = parse_nvidia_smi(out);
        assert_eq!(gpus.len(), 2);
        assert_eq!(gpus[0].name, "NVIDIA GeForce RTX 4090");
        assert_eq!(gpus[0].memory, 24564 << 20);
    }

    #[test]
    fn cgroup_limits() {
        assert_eq!(parse_cgroup_limit("max\n"), None);
        assert_eq!(parse_cgroup_limit("8589934592\n"), Some(8 << 30));
        assert_eq!(parse_cgroup_limit("9223372036854771712"), None);
    }

    #[test]
    fn apple_sysctl() {
        let out = "Apple M4 Pro\n51539607552\n";
        assert_eq!(
            parse_sysctl_apple(out),
            Some(("Apple M4 Pro".into(), 48 << 30))
        );
        assert_eq!(
            parse_sysctl_apple("Intel(R) Core(TM) i9\n17179869184\n"),
            None
        );
    }

    #[test]
    fn sysfs_vram() {
        assert_eq!(parse_sysfs_bytes("25753026560\n"), Some(25_753_026_560));
        assert_eq!(parse_sysfs_bytes("0"), None);
    }
}
