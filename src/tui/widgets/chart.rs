//! Small charts drawn with block characters, readable without colour: horizontal bars,
//! a month-by-month column line, and a gauge with its target marked.

use super::form::fit;
use crate::text;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

const EIGHTHS: [char; 9] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
const COLUMNS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One bar per row: label, bar scaled to the largest value, the value.
pub fn bars(area: Rect, buf: &mut Buffer, items: &[(String, u64)], theme: Theme) {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let label_width = items
        .iter()
        .map(|(l, _)| text::width(l))
        .max()
        .unwrap_or(0)
        .min(area.width as usize / 3);
    let value_width = items
        .iter()
        .map(|(_, v)| v.to_string().len())
        .max()
        .unwrap_or(1);
    let bar_width = (area.width as usize).saturating_sub(label_width + value_width + 2);
    for (row, (label, value)) in items.iter().enumerate().take(area.height as usize) {
        let y = area.y + row as u16;
        buf.set_stringn(
            area.x,
            y,
            fit(label, label_width),
            label_width,
            theme.label(),
        );
        let eighths = (*value as usize * bar_width * 8)
            .div_ceil(max as usize)
            .min(bar_width * 8);
        let mut bar: String = "█".repeat(eighths / 8);
        if !eighths.is_multiple_of(8) {
            bar.push(EIGHTHS[eighths % 8]);
        }
        let x = area.x + label_width as u16 + 1;
        buf.set_stringn(x, y, &bar, bar_width, theme.bar());
        let value = format!("{value:>value_width$}");
        buf.set_string(
            area.right().saturating_sub(value_width as u16),
            y,
            value,
            Style::new(),
        );
    }
}

/// Columns for a series (e.g. visits per month), scaled to the largest, with each
/// column's value just above it when the columns are wide enough to hold a number, and
/// a label under each column taken from `labels` (one or two characters each).
pub fn columns(area: Rect, buf: &mut Buffer, values: &[u64], labels: &[String], theme: Theme) {
    if area.height < 2 || values.is_empty() {
        return;
    }
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let step = ((area.width as usize) / values.len()).clamp(1, 4);
    // A row on top for the tallest column's number.
    let show_values = step >= 3 && area.height >= 4;
    let top = u16::from(show_values);
    let chart_height = (area.height - 1 - top) as usize;
    for (i, value) in values.iter().enumerate() {
        let x = area.x + (i * step) as u16;
        if x >= area.right() {
            break;
        }
        let eighths = (*value as usize * chart_height * 8).div_ceil(max as usize);
        for level in 0..chart_height {
            let filled = eighths.saturating_sub(level * 8).min(8);
            let y = area.y + top + (chart_height - 1 - level) as u16;
            let cell = COLUMNS[filled]
                .to_string()
                .repeat(step.saturating_sub(1).max(1));
            buf.set_stringn(x, y, &cell, step.max(1), theme.bar());
        }
        if show_values {
            // The row just above the column's top (the bottom row for a zero).
            let rows_used = eighths.div_ceil(8).min(chart_height);
            let y = area.y + top + (chart_height - rows_used.max(1)) as u16 - 1
                + u16::from(rows_used == 0);
            let width = step - 1;
            buf.set_stringn(x, y, short_count(*value, width), width, theme.muted());
        }
        // Labels need a gap between them; when columns are narrow, every other one.
        let label_every = if step >= 3 { 1 } else { 2 };
        if let Some(label) = labels.get(i).filter(|_| i % label_every == 0) {
            buf.set_stringn(
                x,
                area.y + top + chart_height as u16,
                label,
                step * label_every,
                theme.muted(),
            );
        }
    }
}

/// A count in at most `width` characters: 999, then 1k .. 99k, then "+".
fn short_count(value: u64, width: usize) -> String {
    let plain = value.to_string();
    if plain.len() <= width {
        return plain;
    }
    let thousands = format!("{}k", value / 1000);
    if value >= 1000 && thousands.len() <= width {
        thousands
    } else {
        "+".repeat(width.min(1))
    }
}

/// "label ████████░░░░│░░ 62% (target 70%)": the share, with the target marked on the bar.
pub fn gauge(
    area: Rect,
    buf: &mut Buffer,
    label: &str,
    percent: Option<f64>,
    target: f64,
    suffix: &str,
    theme: Theme,
) {
    let y = area.y;
    buf.set_stringn(area.x, y, label, area.width as usize, theme.label());
    if area.height < 2 {
        return;
    }
    let y = y + 1;
    let value_text = match percent {
        Some(p) => format!(" {p:.0}% {suffix}"),
        None => format!(" — {suffix}"),
    };
    let bar_width = (area.width as usize)
        .saturating_sub(text::width(&value_text))
        .max(4);
    let filled = percent.map_or(0, |p| {
        ((p.clamp(0.0, 100.0) / 100.0) * bar_width as f64).round() as usize
    });
    let mark = ((target.clamp(0.0, 100.0) / 100.0) * bar_width as f64).round() as usize;
    let met = percent.is_some_and(|p| p >= target);
    for i in 0..bar_width {
        let (c, style) = if i == mark.min(bar_width - 1) {
            ('│', theme.key())
        } else if i < filled {
            ('█', if met { theme.good() } else { theme.warning() })
        } else {
            ('░', theme.muted())
        };
        buf.set_string(area.x + i as u16, y, c.to_string(), style);
    }
    buf.set_string(
        area.x + bar_width as u16,
        y,
        value_text,
        if met { theme.good() } else { theme.warning() },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect::<String>()
            .trim_end()
            .to_string()
    }

    #[test]
    fn the_longest_bar_fills_the_width_and_others_scale() {
        let area = Rect::new(0, 0, 29, 2); // a 16-cell bar: label 9, value 2, two gaps
        let mut buf = Buffer::empty(area);
        bars(
            area,
            &mut buf,
            &[("Cao Thắng".into(), 20), ("Hồng Gai".into(), 10)],
            Theme { color: false },
        );
        let first = row(&buf, 0);
        let second = row(&buf, 1);
        assert!(first.ends_with("20") && second.ends_with("10"));
        assert_eq!(first.matches('█').count(), 2 * second.matches('█').count());
    }

    #[test]
    fn a_gauge_marks_its_target() {
        let area = Rect::new(0, 0, 40, 2);
        let mut buf = Buffer::empty(area);
        gauge(
            area,
            &mut buf,
            "Được hỗ trợ",
            Some(50.0),
            70.0,
            "/ 70%",
            Theme { color: false },
        );
        let bar = row(&buf, 1);
        assert!(bar.contains('│') && bar.contains("50%"), "{bar}");
        let mark = bar.chars().position(|c| c == '│').expect("mark");
        let filled = bar.chars().filter(|c| *c == '█').count();
        assert!(filled < mark, "half is short of the 70% mark: {bar}");
    }

    #[test]
    fn columns_are_scaled_to_the_largest_month() {
        let area = Rect::new(0, 0, 12, 5);
        let mut buf = Buffer::empty(area);
        columns(
            area,
            &mut buf,
            &[0, 4, 8],
            &["1".into(), "2".into(), "3".into()],
            Theme { color: false },
        );
        assert_eq!(row(&buf, 4), "1   2   3");
        assert_eq!(row(&buf, 0), "        8", "the largest's value on top");
        assert_eq!(
            row(&buf, 1),
            "    4   ███",
            "a half column, its value above it"
        );
        assert_eq!(row(&buf, 2), "    ▄▄▄ ███");
        assert_eq!(row(&buf, 3), "0   ███ ███", "a zero on the baseline");
    }

    #[test]
    fn counts_too_wide_for_a_column_are_shortened() {
        assert_eq!(short_count(999, 3), "999");
        assert_eq!(short_count(1_250, 3), "1k");
        assert_eq!(short_count(45_000, 3), "45k");
        assert_eq!(short_count(450_000, 3), "+");
        assert_eq!(short_count(12, 2), "12");
        assert_eq!(short_count(120, 2), "+");
    }
}
