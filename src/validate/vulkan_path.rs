//! Which driver and matrix path a Vulkan row ran on. llama.cpp's Vulkan backend prints them on
//! its device line (`ggml_vulkan: 0 = AMD Radeon RX 7900 XTX (RADV NAVI31) (radv) | … | matrix
//! cores: KHR_coopmat`); rows copy them into their notes as `vk_driver=radv; vk_matrix=KHR_coopmat`.
//! The same card runs its prompts at very different rates on AMDVLK and RADV, so the fits split
//! Vulkan rows by these.

/// The Vulkan driver of a row (`vk_driver=` in its notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VkDriver {
    /// Mesa's RADV (AMD, open source; the Linux default).
    Radv,
    /// AMD's open-source AMDVLK (discontinued in 2025).
    Amdvlk,
    /// AMD's proprietary driver (Windows' Adrenalin, Linux amdgpu-pro).
    AmdProprietary,
    /// NVIDIA's driver.
    Nvidia,
    /// Mesa's ANV (Intel on Linux).
    IntelAnv,
    /// Intel's Windows driver.
    IntelProprietary,
    /// Mesa's NVK (NVIDIA, open source).
    Nvk,
    /// MoltenVK (Vulkan over Metal on a Mac).
    MoltenVk,
    /// Mesa's Turnip (Qualcomm Adreno).
    Turnip,
}

impl VkDriver {
    /// Every driver, in the order of [`VkDriver::label`]'s spellings.
    pub const ALL: [VkDriver; 9] = [
        VkDriver::Radv,
        VkDriver::Amdvlk,
        VkDriver::AmdProprietary,
        VkDriver::Nvidia,
        VkDriver::IntelAnv,
        VkDriver::IntelProprietary,
        VkDriver::Nvk,
        VkDriver::MoltenVk,
        VkDriver::Turnip,
    ];

    /// The value rows write after `vk_driver=`.
    pub fn label(self) -> &'static str {
        match self {
            VkDriver::Radv => "radv",
            VkDriver::Amdvlk => "amdvlk",
            VkDriver::AmdProprietary => "amd-proprietary",
            VkDriver::Nvidia => "nvidia",
            VkDriver::IntelAnv => "intel-anv",
            VkDriver::IntelProprietary => "intel-proprietary",
            VkDriver::Nvk => "nvk",
            VkDriver::MoltenVk => "moltenvk",
            VkDriver::Turnip => "turnip",
        }
    }
}

/// The matrix path of a Vulkan row (`vk_matrix=` in its notes): the device line's "matrix cores".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VkMatrix {
    /// No cooperative matrices: prompts run on the vector units.
    None,
    /// VK_KHR_cooperative_matrix (AMD RDNA3+, Intel Xe2, NVIDIA).
    KhrCoopmat,
    /// VK_NV_cooperative_matrix2 (NVIDIA's driver, Turing and newer).
    NvCoopmat2,
}

impl VkMatrix {
    /// Every matrix path.
    pub const ALL: [VkMatrix; 3] = [VkMatrix::None, VkMatrix::KhrCoopmat, VkMatrix::NvCoopmat2];

    /// The value rows write after `vk_matrix=` (as the device line prints it).
    pub fn label(self) -> &'static str {
        match self {
            VkMatrix::None => "none",
            VkMatrix::KhrCoopmat => "KHR_coopmat",
            VkMatrix::NvCoopmat2 => "NV_coopmat2",
        }
    }
}

/// The text after `key=` in a row's notes (`…; vk_driver=radv; …`), trimmed.
fn note_value<'a>(notes: &'a str, key: &str) -> Option<&'a str> {
    notes.split([';', ',']).find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.trim() == key).then(|| v.trim())
    })
}

/// The value of `all` whose label is `value` (any case); an unknown one is an error naming `key`
/// and the labels known.
fn parse_label<T: Copy>(
    key: &str,
    value: &str,
    all: &[T],
    label: fn(T) -> &'static str,
) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|x| label(*x).eq_ignore_ascii_case(value))
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|x| label(*x)).collect();
            format!("unknown {key} '{value}' (known: {})", known.join(", "))
        })
}

/// The driver a Vulkan row names: `vk_driver=` in its notes, else a backend label that spells
/// it ("Vulkan (AMDVLK)", "Vulkan (RADV)"); `Ok(None)` when the row does not say. An unknown
/// `vk_driver=` value is an error naming the values known.
pub fn vulkan_driver(backend: &str, notes: &str) -> Result<Option<VkDriver>, String> {
    if let Some(v) = note_value(notes, "vk_driver") {
        return parse_label("vk_driver", v, &VkDriver::ALL, |d| d.label()).map(Some);
    }
    let b = backend.to_ascii_lowercase();
    Ok(if !b.contains("vulkan") {
        None
    } else if b.contains("amdvlk") {
        Some(VkDriver::Amdvlk)
    } else if b.contains("radv") {
        Some(VkDriver::Radv)
    } else {
        None
    })
}

/// The matrix path a Vulkan row names (`vk_matrix=` in its notes); `Ok(None)` when not stated.
pub fn vulkan_matrix(notes: &str) -> Result<Option<VkMatrix>, String> {
    note_value(notes, "vk_matrix")
        .map(|v| parse_label("vk_matrix", v, &VkMatrix::ALL, |m| m.label()))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_driver_comes_from_the_notes_then_the_backend_label() {
        let notes = "2026-03-01; ngl 99; vk_driver=radv; vk_matrix=KHR_coopmat";
        assert_eq!(vulkan_driver("Vulkan", notes), Ok(Some(VkDriver::Radv)));
        assert_eq!(vulkan_matrix(notes), Ok(Some(VkMatrix::KhrCoopmat)));
        // The notes win over the label; the label is the fallback of older rows.
        assert_eq!(
            vulkan_driver("Vulkan (RADV)", "vk_driver=amdvlk"),
            Ok(Some(VkDriver::Amdvlk))
        );
        assert_eq!(
            vulkan_driver("Vulkan (AMDVLK, the README default)", ""),
            Ok(Some(VkDriver::Amdvlk))
        );
        assert_eq!(vulkan_driver("Vulkan (RADV)", ""), Ok(Some(VkDriver::Radv)));
        // Not stated: unknown, not a guess.
        assert_eq!(vulkan_driver("Vulkan", "ngl 99"), Ok(None));
        assert_eq!(vulkan_matrix("ngl 99"), Ok(None));
        assert_eq!(vulkan_driver("ROCm 7.1", ""), Ok(None));
        assert_eq!(
            vulkan_matrix("vk_matrix=none, vk_driver=intel-anv"),
            Ok(Some(VkMatrix::None))
        );
        assert_eq!(
            vulkan_driver("Vulkan", "vk_matrix=NV_coopmat2; vk_driver = nvidia"),
            Ok(Some(VkDriver::Nvidia))
        );
    }

    #[test]
    fn every_label_reads_back_and_typos_are_errors() {
        for d in VkDriver::ALL {
            let notes = format!("vk_driver={}", d.label());
            assert_eq!(vulkan_driver("Vulkan", &notes), Ok(Some(d)));
        }
        for m in VkMatrix::ALL {
            let notes = format!("vk_matrix={}", m.label());
            assert_eq!(vulkan_matrix(&notes), Ok(Some(m)));
        }
        let err = vulkan_driver("Vulkan", "vk_driver=radeon").unwrap_err();
        assert!(err.contains("'radeon'") && err.contains("radv"), "{err}");
        let err = vulkan_matrix("vk_matrix=coopmat").unwrap_err();
        assert!(err.contains("KHR_coopmat"), "{err}");
    }
}
