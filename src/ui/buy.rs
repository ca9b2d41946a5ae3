//! "Cheapest machine for this" (`$` in the comparison): the priced machines that run the
//! comparison's top model at the current settings with 10 % headroom and at least the view's
//! speed floor, cheapest first, as `fitcheck buy --model` computes them.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::browser::fit_width;
use super::popups::centered;
use super::Theme;
use crate::app::recommend::{BuyView, VIEW_MIN_TPS};
use crate::app::{group_thousands, App};
use crate::estimate::units::GIB;

/// Draws the list over the comparison's lower part.
pub fn render(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, view: &BuyView) {
    let wanted = 5 + view.rows.len().max(1) as u16;
    let r = centered(
        area,
        area.width.saturating_sub(4).min(100),
        wanted.min(area.height),
    );
    frame.render_widget(Clear, r);
    let title = format!(
        " Cheapest machines for {} · $/Esc close ",
        app.model(view.id).name
    );
    let block = theme.panel(title, true);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let w = inner.width as usize;
    let mut lines = vec![Line::styled(
        fit_width(
            &format!(
                "{} tokens · ≥ {VIEW_MIN_TPS:.0} tok/s at that context · 10% headroom · least lossy format that qualifies",
                group_thousands(view.context)
            ),
            w,
        ),
        theme.dim,
    )];
    if view.rows.is_empty() {
        lines.push(Line::styled(
            "no priced machine runs it at these settings",
            theme.warn,
        ));
    } else {
        lines.push(Line::styled(
            fit_width(
                &format!(
                    "{:<32} {:>8} {:<7} {:>7} {:>9} {:>8} {:>9}",
                    "machine", "USD", "quant", "tok/s", "free GiB", "$/tok/s", "break-even"
                ),
                w,
            ),
            theme.title,
        ));
    }
    for row in &view.rows {
        let months = row
            .break_even_months
            .map_or_else(|| "never".to_string(), |m| format!("{m:.0} mo"));
        let text = format!(
            "{:<32} {:>8.0} {:<7} {:>7.1} {:>9.1} {:>8.0} {:>9}",
            fit_width(&row.name, 32),
            row.price_usd,
            row.quant,
            row.decode_tps,
            row.headroom_bytes as f64 / GIB as f64,
            row.usd_per_tps,
            months
        );
        lines.push(Line::raw(fit_width(&text, w)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
