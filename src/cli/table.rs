//! Plain aligned text tables for the CLI.

use std::io::Write;

/// Columns of left-aligned text.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new(header: &[&str]) -> Self {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Writes header, a rule, then rows, columns padded to their widest cell. Cells longer than
    /// [`MAX_CELL`] characters (a hostile file name, a 64K model name) are cut with an ellipsis.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let cut = |cells: &[String]| -> Vec<String> { cells.iter().map(|c| truncate(c)).collect() };
        let header = cut(&self.header);
        let rows: Vec<Vec<String>> = self.rows.iter().map(|r| cut(r)).collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(c.chars().count());
                }
            }
        }
        let line = |cells: &[String]| {
            let mut text = String::new();
            for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
                if i > 0 {
                    text.push_str("  ");
                }
                text.push_str(c);
                text.extend(std::iter::repeat_n(
                    ' ',
                    w.saturating_sub(c.chars().count()),
                ));
            }
            text.trim_end().to_string()
        };
        writeln!(out, "{}", line(&header))?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        writeln!(out, "{}", line(&rule))?;
        for r in &rows {
            writeln!(out, "{}", line(r))?;
        }
        Ok(())
    }
}

/// Longest cell written, in characters.
pub const MAX_CELL: usize = 200;

fn truncate(cell: &str) -> String {
    // Control characters from a file name would move the cursor or clear the terminal.
    let clean = |c: char| if c.is_control() { '?' } else { c };
    if cell.chars().count() <= MAX_CELL {
        return cell.chars().map(clean).collect();
    }
    let mut s: String = cell.chars().take(MAX_CELL - 1).map(clean).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_cells_are_cut_not_a_panic() {
        let mut t = Table::new(&["a", "b"]);
        t.row(vec!["x".repeat(70_000), "y\u{1b}[2J".into()]);
        let mut out = Vec::new();
        t.write(&mut out).expect("writes");
        let text = String::from_utf8(out).expect("utf8");
        let last = text.lines().last().expect("row");
        assert!(last.starts_with(&"x".repeat(MAX_CELL - 1)), "{last}");
        assert!(last.contains("…  y?[2J"), "{last}");
        assert!(!text.contains('\u{1b}'));
    }
}
