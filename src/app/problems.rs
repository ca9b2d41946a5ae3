//! What the disk scan could not use (unreadable folders, malformed GGUF headers, bad
//! config.json files): counted in the header, listed in the `!` overlay.

/// Most messages kept; later ones are only counted (a hostile folder can produce thousands).
pub const MAX_KEPT: usize = 500;

/// Scan problems in the order they were found.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    kept: Vec<String>,
    total: usize,
    /// First line shown in the overlay.
    pub scroll: u16,
}

impl Problems {
    /// Records one problem.
    pub fn push(&mut self, message: String) {
        self.total += 1;
        if self.kept.len() < MAX_KEPT {
            self.kept.push(message);
        }
    }

    /// Every problem reported, kept or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The messages kept, oldest first.
    pub fn kept(&self) -> &[String] {
        &self.kept
    }

    /// Scrolls by `delta` lines, staying within the list; whether it moved.
    pub fn scroll_by(&mut self, delta: i32) -> bool {
        let last = i32::try_from(self.kept.len().saturating_sub(1)).unwrap_or(i32::MAX);
        let next = (i32::from(self.scroll) + delta).clamp(0, last.min(i32::from(u16::MAX)));
        let moved = next != i32::from(self.scroll);
        self.scroll = next as u16;
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_and_counts_all() {
        let mut p = Problems::default();
        for i in 0..MAX_KEPT + 7 {
            p.push(format!("problem {i}"));
        }
        assert_eq!(p.total(), MAX_KEPT + 7);
        assert_eq!(p.kept().len(), MAX_KEPT);
        assert_eq!(p.kept()[0], "problem 0");
        assert!(!p.scroll_by(-1));
        assert!(p.scroll_by(3));
        assert_eq!(p.scroll, 3);
        p.scroll_by(10_000);
        assert_eq!(usize::from(p.scroll), MAX_KEPT - 1);
    }
}
