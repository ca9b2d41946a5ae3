//! Two small charts under the gauges: device memory and decode tok/s against context length
//! (log scale, one point per power of two), with what the device offers, the chosen context and
//! the largest context that fits on it marked.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType};
use ratatui::Frame;

use super::Theme;
use crate::app::frame::Details;
use crate::estimate::units::{fmt_tokens, GIB};

/// x position of a context: log2(tokens), so 1K…128K spread evenly.
fn x_of(context: u32) -> f64 {
    f64::from(context.max(1)).log2()
}

pub fn render(frame: &mut Frame, d: &Details, theme: &Theme, area: Rect) {
    let (Some(first), Some(last)) = (d.chart.first(), d.chart.last()) else {
        return;
    };
    let x_bounds = [
        x_of(first.context),
        x_of(last.context).max(x_of(first.context) + 1.0),
    ];
    let x_labels = vec![
        Span::styled(fmt_tokens(first.context), theme.dim),
        Span::styled(fmt_tokens(last.context), theme.dim),
    ];
    let [mem_area, speed_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .spacing(1)
            .areas(area);

    // Memory: the curve, the usable line, and two verticals.
    let gib = |b: u64| b as f64 / GIB as f64;
    let memory: Vec<(f64, f64)> = d
        .chart
        .iter()
        .map(|p| (x_of(p.context), gib(p.device_bytes)))
        .collect();
    let usable = gib(d.estimate.device_usable_bytes);
    let top = memory.iter().map(|p| p.1).fold(usable, f64::max).max(0.1) * 1.05;
    let usable_line = [(x_bounds[0], usable), (x_bounds[1], usable)];
    let chosen_x = x_of(d.settings.context);
    let chosen_mem = [(chosen_x, 0.0), (chosen_x, top)];
    let fits_x = x_of(d.max_ctx_gpu);
    let fits_line = [(fits_x, 0.0), (fits_x, top)];
    let mut sets = vec![
        dataset("usable", &usable_line, theme.dim, Marker::Dot),
        dataset("GiB", &memory, theme.segments[0], Marker::Braille),
        dataset("now", &chosen_mem, theme.key, Marker::Braille),
    ];
    if d.max_ctx_gpu > 0 && d.max_ctx_gpu < last.context {
        sets.push(dataset("fits", &fits_line, theme.ok, Marker::Dot));
    }
    let chart = Chart::new(sets)
        .x_axis(
            Axis::default()
                .bounds(x_bounds)
                .labels(x_labels.clone())
                .style(theme.dim),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, top])
                .labels(vec![
                    Span::styled("0", theme.dim),
                    Span::styled(format!("{top:.0}"), theme.dim),
                ])
                .style(theme.dim),
        )
        .legend_position(None)
        .block(Block::new().title(Span::styled("GiB  • usable  │ now, fits", theme.dim)));
    frame.render_widget(chart, mem_area);

    // Decode speed with the cache that full.
    let speed: Vec<(f64, f64)> = d
        .chart
        .iter()
        .map(|p| (x_of(p.context), p.decode_tps))
        .collect();
    let fastest = speed.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0) * 1.05;
    let chosen_tps = [(chosen_x, 0.0), (chosen_x, fastest)];
    let chart = Chart::new(vec![
        dataset("tok/s", &speed, theme.segments[1], Marker::Braille),
        dataset("now", &chosen_tps, theme.key, Marker::Braille),
    ])
    .x_axis(
        Axis::default()
            .bounds(x_bounds)
            .labels(x_labels)
            .style(theme.dim),
    )
    .y_axis(
        Axis::default()
            .bounds([0.0, fastest])
            .labels(vec![
                Span::styled("0", theme.dim),
                Span::styled(format!("{fastest:.0}"), theme.dim),
            ])
            .style(theme.dim),
    )
    .legend_position(None)
    .block(Block::new().title(Span::styled("decode tok/s", theme.dim)));
    frame.render_widget(chart, speed_area);
}

fn dataset<'a>(
    name: &'static str,
    data: &'a [(f64, f64)],
    style: Style,
    marker: Marker,
) -> Dataset<'a> {
    Dataset::default()
        .name(name)
        .marker(marker)
        .graph_type(GraphType::Line)
        .style(style)
        .data(data)
}
