//! The box at the top of a person's page: who they are, where, their consent.

use crate::domain::Person;
use crate::domain::dates::format_date;
use crate::i18n::tf;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::fit;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

pub fn render_details(p: &Person, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    let theme = ctx.theme;
    let mut title = vec![Span::styled(
        format!(" {} · {} ", p.code, p.full_name),
        theme.title(),
    )];
    if !p.counts() {
        title.push(Span::styled(
            format!(" {} ", ctx.t("person.entered_in_error")),
            theme.error(),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    let half = inner.width / 2;
    let left = Rect {
        width: half,
        ..inner
    };
    let right = Rect {
        x: inner.x + half,
        width: inner.width - half,
        ..inner
    };
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{}: ", ctx.t(label)), theme.label()),
            Span::raw(value),
        ])
    };
    let age = p.age_on(ctx.today);
    let groups: Vec<&str> = p.target_groups.iter().map(|g| ctx.t(g.key())).collect();
    let consent_line = match &p.consent {
        None => Line::from(vec![
            Span::styled(format!("{}: ", ctx.t("field.consent")), theme.label()),
            Span::styled(ctx.t("consent.none"), theme.warning()),
        ]),
        Some(c) if !c.is_valid_on(ctx.today) => Line::from(vec![
            Span::styled(format!("{}: ", ctx.t("field.consent")), theme.label()),
            Span::styled(
                tf(
                    ctx.lang,
                    "consent.expired",
                    &[("date", &c.valid_until.map(format_date).unwrap_or_default())],
                ),
                theme.warning(),
            ),
        ]),
        Some(c) => field(
            "field.consent",
            match c.valid_until {
                Some(until) => tf(
                    ctx.lang,
                    "consent.valid_until",
                    &[("date", &format_date(until))],
                ),
                None => ctx.t("consent.valid").to_string(),
            },
        ),
    };
    let left_lines = vec![
        field(
            "field.sex",
            format!(
                "{} · {} ({} {})",
                ctx.t(p.sex.key()),
                p.birth_year,
                age,
                ctx.t("unit.years")
            ),
        ),
        field("field.ward", ctx.snap.ward_name(&p.ward).to_string()),
        field(
            "field.phone",
            if p.phone.is_empty() {
                "—".into()
            } else {
                p.phone.clone()
            },
        ),
        field("field.address", p.address.clone()),
        field("field.target", groups.join(", ")),
    ];
    let right_lines = vec![
        field("field.status", ctx.t(p.status.key()).to_string()),
        field("field.enrolled_on", format_date(p.enrolled_on)),
        field("field.collaborator", p.collaborator.clone()),
        consent_line,
        field(
            "field.household_note",
            fit(&p.household_note, right.width.saturating_sub(12) as usize),
        ),
    ];
    Paragraph::new(left_lines).render(left, buf);
    Paragraph::new(right_lines).render(right, buf);
}
