//! The `?` popup: the keys of the scope it was opened from, from the one key table.
//! Longer than the window (80x24 with every global key), it scrolls; the line saying how
//! to close it never scrolls away.

use crate::i18n::tf;
use crate::text;
use crate::tui::keymap::{self, Action, Cmd, HelpLine, Scope};
use crate::tui::screens::Ctx;
use crate::tui::widgets::popup;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};
use std::cell::Cell;

pub struct HelpPopup {
    pub scope: Scope,
    /// The scope's commands that do nothing now, left out.
    hidden: Vec<Cmd>,
    scroll: u16,
    /// How far drawing found the list can scroll in the window it had: a view detail
    /// (like a list's offset), so keys stop at the end instead of scrolling into nothing.
    max_scroll: Cell<u16>,
}

impl HelpPopup {
    pub fn new(scope: Scope, hidden: Vec<Cmd>) -> HelpPopup {
        HelpPopup {
            scope,
            hidden,
            scroll: 0,
            max_scroll: Cell::new(u16::MAX),
        }
    }

    /// Scrolls, or says to close (true).
    pub fn handle(&mut self, action: &Action) -> bool {
        let max = self.max_scroll.get();
        self.scroll = match action {
            Action::Cmd(Cmd::Back | Cmd::Help | Cmd::Quit) => return true,
            Action::Cmd(Cmd::Down) => self.scroll.saturating_add(1),
            Action::Cmd(Cmd::Up) => self.scroll.saturating_sub(1),
            Action::Cmd(Cmd::PageDown) => self.scroll.saturating_add(10),
            Action::Cmd(Cmd::PageUp) => self.scroll.saturating_sub(10),
            Action::Cmd(Cmd::First) => 0,
            Action::Cmd(Cmd::Last) => max,
            _ => self.scroll,
        }
        .min(max);
        false
    }

    fn lines(&self, ctx: &Ctx) -> Vec<HelpLine> {
        keymap::help_lines(self.scope)
            .into_iter()
            .filter(|l| l.needs.is_none_or(|p| ctx.user.may(p)))
            .filter(|l| !self.hidden.contains(&l.cmd))
            .collect()
    }

    pub fn render(&self, body: Rect, buf: &mut Buffer, ctx: &Ctx) {
        let theme = ctx.theme;
        let lines = self.lines(ctx);
        let keys: Vec<String> = lines.iter().map(|l| l.keys.join(" ")).collect();
        let key_width = keys.iter().map(|k| text::width(k)).max().unwrap_or(4) + 2;
        // Borders and the closing line take three rows.
        let height = (lines.len() as u16 + 3).min(body.height);
        let area = popup::centered(body, 64, height);
        popup::clear(area, buf);
        let shown = usize::from(area.height.saturating_sub(3)).max(1);
        let max = lines.len().saturating_sub(shown);
        self.max_scroll.set(u16::try_from(max).unwrap_or(u16::MAX));
        let first = usize::from(self.scroll).min(max);
        let mut out: Vec<Line> = lines
            .iter()
            .zip(&keys)
            .skip(first)
            .take(shown)
            .map(|(line, keys)| {
                Line::from(vec![
                    Span::styled(format!(" {keys:<key_width$}"), theme.key()),
                    Span::raw(ctx.t(line.help).to_string()),
                ])
            })
            .collect();
        let mut close = format!(" {}", ctx.t("help.close"));
        if max > 0 {
            close.push_str(&tf(
                ctx.lang,
                "help.scroll",
                &[
                    ("from", &(first + 1)),
                    ("to", &(first + out.len())),
                    ("total", &lines.len()),
                ],
            ));
        }
        out.push(Line::styled(close, theme.muted()));
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", ctx.t("help.title")),
            theme.title(),
        ));
        Paragraph::new(out).block(block).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, t};
    use crate::tui::tests::demo_app;

    fn draw(help: &HelpPopup, ctx: &Ctx, height: u16) -> String {
        let area = Rect::new(0, 0, 70, height);
        let mut buf = Buffer::empty(area);
        help.render(area, &mut buf, ctx);
        (0..height)
            .map(|y| (0..70).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_help_taller_than_the_window_scrolls_and_always_says_how_to_close() {
        let (_dir, app) = demo_app(5, Lang::Vi);
        let ctx = app.ctx();
        let mut help = HelpPopup::new(Scope::FollowUps, Vec::new());
        let top = draw(&help, &ctx, 12);
        assert!(top.contains(t(Lang::Vi, "help.close")), "{top}");
        assert!(!top.contains(t(Lang::Vi, "key.export")), "{top}");
        help.handle(&Action::Cmd(Cmd::Last));
        let bottom = draw(&help, &ctx, 12);
        assert!(bottom.contains(t(Lang::Vi, "key.export")), "{bottom}");
        assert!(bottom.contains(t(Lang::Vi, "help.close")), "{bottom}");
        // From the end, one line up shows one line more at the top, not nothing.
        help.handle(&Action::Cmd(Cmd::Up));
        assert_ne!(draw(&help, &ctx, 12), bottom);
        assert!(help.handle(&Action::Cmd(Cmd::Back)), "Esc closes");
    }
}
