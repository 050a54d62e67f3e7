//! Screen 6: the wards of this database, the follow-up schedule per grant kind, and
//! the language.

use super::{Ctx, Outcome, Request, Screen};
use crate::domain::GrantKind;
use crate::tui::forms::FormPurpose;
use crate::tui::keymap::{Action, Cmd, Scope};
use crate::tui::widgets::list::{ListCursor, render_table};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Widget};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum Part {
    #[default]
    Wards,
    Schedule,
}

#[derive(Default)]
pub struct SettingsScreen {
    part: Part,
    wards: ListCursor,
    kinds: ListCursor,
}

impl Screen for SettingsScreen {
    fn scope(&self) -> (Scope, bool) {
        (Scope::Settings, false)
    }

    fn refresh(&mut self, ctx: &Ctx) {
        self.wards.clamp(ctx.snap.wards.len());
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let Action::Cmd(cmd) = action else {
            return Outcome::Ignored;
        };
        match (cmd, self.part) {
            (Cmd::NextField | Cmd::PrevField, _) => {
                self.part = if self.part == Part::Wards {
                    Part::Schedule
                } else {
                    Part::Wards
                };
                Outcome::Changed
            }
            (Cmd::New, _) => Outcome::Do(Request::OpenForm(FormPurpose::Ward(None))),
            (Cmd::Open | Cmd::Edit, Part::Wards) => {
                match ctx.snap.wards_in_order().get(self.wards.selected) {
                    Some(w) => {
                        Outcome::Do(Request::OpenForm(FormPurpose::Ward(Some(w.code.clone()))))
                    }
                    None => Outcome::Ignored,
                }
            }
            (Cmd::Backup, _) => Outcome::Do(Request::Backup { then_quit: false }),
            (Cmd::HubAddress, _) => Outcome::Do(Request::OpenForm(FormPurpose::HubAddress {
                then_sync: false,
            })),
            (Cmd::Open, Part::Schedule) => match GrantKind::ALL.get(self.kinds.selected) {
                Some(kind) => Outcome::Do(Request::OpenForm(FormPurpose::Schedule(*kind))),
                None => Outcome::Ignored,
            },
            (other, Part::Wards) if self.wards.handle(*other, ctx.snap.wards.len()) => {
                Outcome::Changed
            }
            (other, Part::Schedule) if self.kinds.handle(*other, GrantKind::ALL.len()) => {
                Outcome::Changed
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        self.draw(area, buf, ctx)
    }
}

impl SettingsScreen {
    /// This database among the programme's: its fingerprint (compared by phone when a
    /// laptop joins), its ward, and the records in conflict after exchanges.
    fn device_line<'a>(&self, ctx: &Ctx) -> Line<'a> {
        let role = match ctx.joined_ward {
            Some(w) => crate::i18n::tf(ctx.lang, "sync.role_ward", &[("ward", &w)]),
            None => ctx.t("sync.role_supervisor").to_string(),
        };
        let mut spans = vec![
            Span::styled(format!("{}: ", ctx.t("settings.device")), ctx.theme.label()),
            Span::raw(format!("{} · {role}", ctx.fingerprint)),
        ];
        if ctx.conflicts > 0 {
            spans.push(Span::styled(
                format!(
                    " · {}",
                    crate::i18n::tn(
                        ctx.lang,
                        "settings.conflicts",
                        ctx.conflicts as i64,
                        &[("count", &ctx.conflicts)]
                    )
                ),
                ctx.theme.warning(),
            ));
        }
        Line::from(spans)
    }

    fn draw(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        let theme = ctx.theme;
        let [lang, wards_title, wards, sched_title, sched] = Layout::vertical([
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(GrantKind::ALL.len() as u16 + 1),
        ])
        .areas(area);
        let when = ctx
            .last_backup
            .map(crate::domain::dates::format_local_time)
            .unwrap_or_else(|| ctx.t("settings.never").to_string());
        let folder = ctx
            .backup_folder
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| ctx.t("settings.no_folder").to_string());
        let backup = crate::i18n::tf(
            ctx.lang,
            "settings.last_backup",
            &[("when", &when), ("folder", &folder)],
        );
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(format!("{}: ", ctx.t("settings.language")), theme.label()),
                Span::raw(ctx.t("settings.language_name")),
                Span::styled(format!("   (L {})", ctx.t("key.language")), theme.muted()),
            ]),
            Line::from(vec![
                Span::styled(format!("{}: ", ctx.t("settings.backup")), theme.label()),
                Span::raw(backup),
                Span::styled(format!("   (b {})", ctx.t("key.backup")), theme.muted()),
            ]),
            self.device_line(ctx),
            super::sync::hub_line(ctx, false, lang.width),
        ])
        .render(lang, buf);
        let title = |key: &str, active: bool| {
            Line::styled(
                format!("{} {}", if active { "▶" } else { " " }, ctx.t(key)),
                if active { theme.title() } else { theme.label() },
            )
        };
        Paragraph::new(title("settings.wards", self.part == Part::Wards)).render(wards_title, buf);
        let list = ctx.snap.wards_in_order();
        render_table(
            wards,
            buf,
            ["col.code", "col.ward", "field.district", "field.province"]
                .iter()
                .map(|k| ctx.t(k).to_string())
                .collect(),
            &[
                Constraint::Length(6),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Fill(1),
            ],
            list.len(),
            &self.wards,
            self.part == Part::Wards,
            theme,
            |i| {
                let w = list[i];
                vec![
                    Cell::from(w.code.clone()),
                    Cell::from(w.name.clone()),
                    Cell::from(w.district.clone()),
                    Cell::from(w.province.clone()),
                ]
            },
            |_| Style::new(),
        );
        Paragraph::new(title("settings.schedule", self.part == Part::Schedule))
            .render(sched_title, buf);
        render_table(
            sched,
            buf,
            ["col.kind", "settings.months_after"]
                .iter()
                .map(|k| ctx.t(k).to_string())
                .collect(),
            &[Constraint::Length(24), Constraint::Fill(1)],
            GrantKind::ALL.len(),
            &self.kinds,
            self.part == Part::Schedule,
            theme,
            |i| {
                let kind = GrantKind::ALL[i];
                let months: Vec<String> = ctx
                    .schedule
                    .months_for(kind)
                    .iter()
                    .map(|m| m.to_string())
                    .collect();
                vec![Cell::from(ctx.t(kind.key())), Cell::from(months.join(", "))]
            },
            |_| Style::new(),
        );
        None
    }
}
