//! Parsers for what the system tools print. Pure, so they are tested on captured output from
//! machines we do not have.

/// One GPU as the driver reports it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GpuInfo {
    /// Marketing name.
    pub name: String,
    /// Memory in bytes.
    pub memory: u64,
    /// The board power limit the driver enforces, W (NVML's enforced limit, `nvidia-smi`'s
    /// `power.limit`, amdgpu's hwmon `power1_cap`): prompt processing slows to fit it.
    pub power_limit_w: Option<f64>,
}

/// Parses `nvidia-smi --query-gpu=name,memory.total,power.limit --format=csv,noheader,nounits`
/// (memory in MiB, power in W or `[N/A]`); a line without the power column is read too.
/// Malformed lines are skipped.
pub fn parse_nvidia_smi(text: &str) -> Vec<GpuInfo> {
    text.lines()
        .filter_map(|line| {
            let mut fields: Vec<&str> = line.rsplitn(3, ',').collect();
            fields.reverse();
            let (name, mib, power) = match fields[..] {
                [name, mib, power] if mib.trim().parse::<u64>().is_ok() => (name, mib, Some(power)),
                [_, _, _] => {
                    // A comma in the name, no power column: the last field is the memory.
                    let (name, mib) = line.rsplit_once(',')?;
                    (name, mib, None)
                }
                [name, mib] => (name, mib, None),
                _ => return None,
            };
            let mib: u64 = mib.trim().parse().ok()?;
            let name = name.trim();
            (!name.is_empty()).then(|| GpuInfo {
                name: name.to_string(),
                memory: mib << 20,
                power_limit_w: power.and_then(parse_watts),
            })
        })
        .collect()
}

/// A board power in W (`450.00`; `[N/A]` and values outside [`crate::limits::POWER_W`] or
/// zero are no figure).
pub fn parse_watts(text: &str) -> Option<f64> {
    text.trim().parse().ok().and_then(board_power)
}

/// Parses amdgpu's hwmon `power1_cap` (microwatts).
pub fn parse_microwatts(text: &str) -> Option<f64> {
    let microwatts: u64 = text.trim().parse().ok()?;
    board_power(microwatts as f64 / 1e6)
}

/// A power limit the driver reported, W, when it is a figure the `--power`-style bound accepts.
pub fn board_power(watts: f64) -> Option<f64> {
    (watts > 0.0 && crate::limits::POWER_W.check(watts).is_ok()).then_some(watts)
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
        assert_eq!(gpus[0].power_limit_w, None, "no power column");
    }

    #[test]
    fn nvidia_smi_power_limits_are_read_within_bounds() {
        let out = "NVIDIA H200, 143771, 700.00\nNVIDIA GeForce RTX 4090, 24564, [N/A]\n\
                   Quadro RTX 8000, Rev 2, 49152, 260.00\nOdd, 1024, 1e12\nComma, Name, 8192\n";
        let gpus = parse_nvidia_smi(out);
        let got: Vec<(&str, u64, Option<f64>)> = gpus
            .iter()
            .map(|g| (g.name.as_str(), g.memory >> 20, g.power_limit_w))
            .collect();
        assert_eq!(
            got,
            vec![
                ("NVIDIA H200", 143771, Some(700.0)),
                ("NVIDIA GeForce RTX 4090", 24564, None),
                ("Quadro RTX 8000, Rev 2", 49152, Some(260.0)),
                ("Odd", 1024, None),
                ("Comma, Name", 8192, None),
            ]
        );
        assert_eq!(parse_microwatts("300000000\n"), Some(300.0));
        assert_eq!(parse_microwatts("0"), None);
        assert_eq!(parse_microwatts("18446744073709551615"), None);
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
