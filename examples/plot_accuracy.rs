#![allow(clippy::unwrap_used, clippy::expect_used)] // a maintainer tool
//! Draws measured decode tokens/s against the bandwidth roofline and against fitcheck's estimate
//! (assets/roofline.svg, shown in docs/accuracy.md).
//!   cargo run --release --example plot_accuracy

use fitcheck::catalog::Catalog;
use fitcheck::validate::{validate, Metric};
use plotters::prelude::*;

fn main() {
    let csv = std::fs::read_to_string("tests/data/ground_truth_speed.csv").unwrap();
    let cat = Catalog::builtin().unwrap();
    let report = validate(&csv, &cat).unwrap();
    let rows: Vec<_> = report
        .rows
        .iter()
        .filter(|r| r.metric == Metric::Decode && r.roofline > 0.0)
        .collect();
    let root = SVGBackend::new("assets/roofline.svg", (1100, 520)).into_drawing_area();
    root.fill(&WHITE).unwrap();
    let (left, right) = root.split_horizontally(550);
    let range = (1f64..3000f64).log_scale();
    let colours = [
        ("cuda", RGBColor(118, 185, 0)),
        ("apple", RGBColor(90, 90, 90)),
        ("rocm", RGBColor(200, 30, 30)),
        ("vulkan", RGBColor(160, 60, 200)),
        ("cpu", RGBColor(0, 120, 200)),
    ];
    for (area, title, x_of) in [
        (
            &left,
            "measured vs bandwidth roofline",
            (|r: &fitcheck::validate::Checked| r.roofline)
                as fn(&fitcheck::validate::Checked) -> f64,
        ),
        (&right, "measured vs fitcheck estimate", |r| r.predicted),
    ] {
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(46)
            .build_cartesian_2d(range.clone(), range.clone())
            .unwrap();
        chart
            .configure_mesh()
            .x_desc(if title.contains("roofline") {
                "roofline tok/s (bandwidth / bytes per token)"
            } else {
                "estimated tok/s"
            })
            .y_desc("measured decode tok/s")
            .draw()
            .unwrap();
        chart
            .draw_series(LineSeries::new(
                [(1.0, 1.0), (3000.0, 3000.0)],
                BLACK.stroke_width(1),
            ))
            .unwrap()
            .label("y = x");
        for (name, colour) in colours {
            chart
                .draw_series(
                    rows.iter()
                        .filter(|r| r.subsets.contains(&name))
                        .map(|r| Circle::new((x_of(r), r.measured), 2, colour.filled())),
                )
                .unwrap()
                .label(name)
                .legend(move |(x, y)| Circle::new((x, y), 4, colour.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .unwrap();
    }
    root.present().unwrap();
    println!("wrote assets/roofline.svg from {} decode rows", rows.len());
}
