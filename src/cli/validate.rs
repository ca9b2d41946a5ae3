//! `fitcheck validate FILE.csv`.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use super::table::Table;
use super::CliError;
use crate::catalog::Catalog;
use crate::validate::{validate, Metric};

pub fn run(
    cat: &Catalog,
    file: &Path,
    rows: bool,
    as_json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let text = crate::files::read_text(file, crate::files::CSV_LIMIT)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let report = validate(&text, cat)
        .map_err(|e| CliError::Usage(format!("{}:{}: {}", file.display(), e.line, e.message)))?;
    let subsets = report.by_subset();
    if as_json {
        let v: Vec<_> = subsets
            .iter()
            .map(|((m, s), st)| {
                json!({"metric": format!("{m:?}").to_lowercase(), "subset": s, "n": st.n,
                       "median_abs_error": st.median_abs, "median_signed_error": st.median_signed, "p90_abs_error": st.p90_abs})
            })
            .collect();
        let text = serde_json::to_string_pretty(
            &json!({"subsets": v, "rows": report.rows.len(), "skipped": report.skipped.len()}),
        )
        .map_err(|e| CliError::Usage(e.to_string()))?;
        writeln!(out, "{text}")?;
        return Ok(());
    }
    if rows {
        let mut t = Table::new(&[
            "line",
            "metric",
            "model",
            "hardware",
            "measured",
            "predicted",
            "error",
        ]);
        for r in &report.rows {
            t.row(vec![
                r.line.to_string(),
                format!("{:?}", r.metric).to_lowercase(),
                r.model.clone(),
                r.hardware.clone(),
                format!("{:.1}", r.measured),
                format!("{:.1}", r.predicted),
                format!("{:+.1}%", r.error() * 100.0),
            ]);
        }
        t.write(out)?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} rows checked, {} skipped",
        report.rows.len(),
        report.skipped.len()
    )?;
    let mut t = Table::new(&[
        "metric",
        "subset",
        "n",
        "median |error|",
        "median bias",
        "p90 |error|",
    ]);
    for ((m, s), st) in &subsets {
        t.row(vec![
            if *m == Metric::Decode {
                "decode"
            } else {
                "prefill"
            }
            .into(),
            s.to_string(),
            st.n.to_string(),
            format!("{:.1}%", st.median_abs * 100.0),
            format!("{:+.1}%", st.median_signed * 100.0),
            format!("{:.1}%", st.p90_abs * 100.0),
        ]);
    }
    t.write(out)?;
    Ok(())
}
