//! The settings sliders: value and position within the range.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{HitMap, Theme};
use crate::app::{App, Focus, Slider, SLIDERS};

pub fn render(frame: &mut Frame, app: &App, theme: &Theme, area: Rect, hits: &mut HitMap) {
    let focused = app.focus == Focus::Sliders;
    let block = theme.panel(" Settings ", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    hits.sliders = area;
    for (i, slider) in SLIDERS.iter().enumerate() {
        if i as u16 >= inner.height {
            break;
        }
        let (value, pos, count) = app.slider_state(*slider);
        let label = match slider {
            Slider::Context => "context",
            Slider::Quant => "quant",
            Slider::KvType => "KV cache",
            Slider::Sequences => "sequences",
            Slider::GpuLayers => "GPU layers",
            Slider::Runtime => "runtime",
            Slider::Ubatch => "ubatch",
        };
        // Label 11 columns, a space each side of the bar, the value after it.
        let bar_width = inner.width.saturating_sub(11 + 2 + 16).max(4) as usize;
        let filled = if count <= 1 {
            bar_width
        } else {
            (pos * (bar_width - 1)) / (count - 1)
        };
        let bar: String = (0..bar_width)
            .map(|j| {
                if j == filled {
                    '●'
                } else if j < filled {
                    '━'
                } else {
                    '─'
                }
            })
            .collect();
        let active = *slider == app.slider;
        let marker = if active { "▸" } else { " " };
        let label_style = if active && focused {
            theme.key
        } else {
            theme.title
        };
        let line = Line::from(vec![
            Span::styled(format!("{marker}{label:<10} "), label_style),
            Span::styled(bar, if active { theme.key } else { theme.dim }),
            Span::raw(format!(" {value}")),
        ]);
        let y = inner.y + i as u16;
        frame.render_widget(
            Paragraph::new(line),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
        hits.slider_rows
            .push((*slider, y, inner.x + 12, inner.x + 12 + bar_width as u16));
    }
}
