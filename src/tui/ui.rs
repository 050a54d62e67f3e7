//! Drawing: a pure function of the app state. Header with the screens, the current
//! screen, a footer with its keys or the last message, and any modal on top.

use super::app::{App, Modal, StatusKind};
use super::keymap::{self, Scope};
use super::screens::{Ctx, ScreenId};
use super::widgets::form::fit;
use super::widgets::popup;
use crate::domain::dates::format_date;
use crate::i18n::tf;
use crate::text;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let ctx = app.ctx();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(app, area, frame.buffer_mut(), &ctx);
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let buf = frame.buffer_mut();
    render_header(app, header, buf, &ctx);
    let mut cursor = app.screens.get(app.screen).render(body, buf, &ctx);
    let (scope, _) = app.key_scope();
    for modal in &app.modals {
        cursor = render_modal(modal, body, buf, &ctx);
    }
    render_footer(app, scope, footer, buf, &ctx);
    if let Some(position) = cursor {
        frame.set_cursor_position(position);
    }
}

fn render_too_small(app: &App, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    let mut message = tf(
        ctx.lang,
        "ui.too_small",
        &[
            ("width", &area.width),
            ("height", &area.height),
            ("min_width", &MIN_WIDTH),
            ("min_height", &MIN_HEIGHT),
        ],
    );
    // A question still waiting for an answer (backup before quitting) must stay visible.
    if let Some(Modal::Confirm {
        question,
        default_yes,
        ..
    }) = app.modals.last()
    {
        message = format!(
            "{message}\n\n{question}\n{}",
            confirm_hint(ctx, *default_yes)
        );
    }
    Paragraph::new(message)
        .style(ctx.theme.warning())
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn render_header(app: &App, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    let theme = ctx.theme;
    buf.set_style(area, theme.header());
    let narrow = area.width < 130;
    let mut spans = if narrow {
        vec![]
    } else {
        vec![Span::styled(" sinhke ", theme.header())]
    };
    // Below 110 columns the other screens show by number only, leaving room for who is
    // signed in; `?` and the footer name them.
    let compact = area.width < 110;
    for (i, screen) in ScreenId::ALL.iter().enumerate() {
        let label = if compact && *screen != app.screen {
            format!(" {} ", i + 1)
        } else {
            format!(" {} {} ", i + 1, ctx.t(screen.title_key()))
        };
        let style = if *screen == app.screen {
            theme.tab_active()
        } else {
            theme.header()
        };
        spans.push(Span::styled(label, style));
    }
    let left_width: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    // Who is signed in, always: a shared laptop must not hide whose name goes on a record.
    // Where it does not all fit, the date goes first, then the role; a name is cut last.
    // An officer of one ward sees it named: every figure on screen is that ward's.
    let ward = match &ctx.user.ward {
        Some(code) => format!(" · {}", ctx.snap.ward_name(code)),
        None => String::new(),
    };
    let who = format!("{} ({})", ctx.user.name, ctx.t(ctx.user.role.key()));
    let demo = if app.is_demo {
        format!("{} · ", ctx.t("ui.demo"))
    } else {
        String::new()
    };
    let room = (area.width as usize).saturating_sub(left_width + 1);
    let choices = [
        format!("{demo}{who}{ward} · {} ", format_date(ctx.today)),
        format!("{demo}{who}{ward} "),
        format!("{demo}{}{ward} ", ctx.user.name),
        format!("{demo}{} ", ctx.user.name),
    ];
    let right = choices
        .iter()
        .find(|c| text::width(c) <= room)
        .cloned()
        .unwrap_or_else(|| fit(&choices[3], room));
    let pad = room.saturating_sub(text::width(&right));
    spans.push(Span::styled(" ".repeat(pad + 1), theme.header()));
    spans.push(Span::styled(right, theme.header()));
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn render_footer(app: &App, scope: Scope, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    let theme = ctx.theme;
    if let Some((message, kind)) = &app.status {
        let style = if *kind == StatusKind::Error {
            theme.error()
        } else {
            theme.good()
        };
        Paragraph::new(Line::styled(fit(message, area.width as usize), style)).render(area, buf);
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0;
    let hidden = app.not_offered(scope);
    for b in keymap::footer_for(scope)
        .into_iter()
        .filter(|b| b.needs().is_none_or(|p| app.store.may(p)))
        .filter(|b| !hidden.contains(&b.cmd))
    {
        let label = ctx.t(b.help);
        let piece = text::width(b.label) + text::width(label) + 3;
        if used + piece > area.width as usize {
            break;
        }
        used += piece;
        spans.push(Span::styled(b.label, theme.key()));
        spans.push(Span::styled(format!(" {label}  "), theme.muted()));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn render_modal(modal: &Modal, body: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
    match modal {
        Modal::Form(fm) => {
            popup::clear(body, buf);
            fm.form.render(body, buf, ctx.lang, ctx.theme)
        }
        Modal::Help(help) => {
            help.render(body, buf, ctx);
            None
        }
        Modal::Confirm {
            question,
            default_yes,
            ..
        } => {
            let hint = confirm_hint(ctx, *default_yes);
            render_box(
                body,
                buf,
                ctx,
                ctx.t("confirm.title"),
                &[question.as_str(), "", &hint],
            );
            None
        }
        Modal::Message(message) => {
            render_box(
                body,
                buf,
                ctx,
                ctx.t("message.title"),
                &[message.as_str(), "", ctx.t("message.hint")],
            );
            None
        }
    }
}

/// The keys of a question, with what Enter answers.
fn confirm_hint(ctx: &Ctx, default_yes: bool) -> String {
    let answer = ctx.t(if default_yes { "key.yes" } else { "key.no" });
    tf(ctx.lang, "confirm.hint_default", &[("answer", &answer)])
}

fn render_box(body: Rect, buf: &mut Buffer, ctx: &Ctx, title: &str, lines: &[&str]) {
    let width = (body.width.saturating_sub(8)).min(70);
    let text_lines: usize = lines
        .iter()
        .map(|l| text::width(l) / (width.saturating_sub(4).max(1) as usize) + 1)
        .sum();
    let area = popup::centered(body, width, text_lines as u16 + 2);
    popup::clear(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), ctx.theme.title()));
    Paragraph::new(
        lines
            .iter()
            .map(|l| Line::from(l.to_string()))
            .collect::<Vec<_>>(),
    )
    .block(block)
    .wrap(Wrap { trim: false })
    .render(area, buf);
}
