//! One record in conflict: who made each version where and when, and field by field
//! the value before the versions parted and each version's value. Edits of different
//! fields come with one merged proposal; a field changed differently is marked for a
//! person to choose. ←/→ choose a version (or the merged one), Enter keeps it.

use super::super::{Ctx, Outcome, Request};
use crate::report::record_fields::{self, Compared};
use crate::store::versions::RecordRef;
use crate::store::{Change, Resolution, Store};
use crate::tui::keymap::Cmd;
use crate::tui::widgets::list::{ListCursor, render_table};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Widget, Wrap};

/// What the page did with a key.
pub enum Key {
    Close,
    Outcome(Outcome),
}

/// One version in conflict, as the page names it.
struct Head {
    version_id: String,
    ward: String,
    user: String,
    device: String,
    this_device: bool,
    when: String,
    record: Change,
}

impl Head {
    /// "phường CT · Cán bộ Lan · máy 7F3A-91C2-04BD-E5A1 · 02/12/2026 10:15"
    fn made(&self, lang: crate::i18n::Lang) -> String {
        let key = if self.this_device {
            "sync.made_here"
        } else {
            "sync.made"
        };
        crate::i18n::tf(
            lang,
            key,
            &[
                ("ward", &self.ward),
                ("user", &self.user),
                ("device", &self.device),
                ("when", &self.when),
            ],
        )
    }
}

struct Loaded {
    title: String,
    heads: Vec<Head>,
    ancestor: Option<Change>,
    merged: Option<Change>,
    /// Fields two versions changed differently.
    clashing: Vec<&'static str>,
}

pub struct ConflictPage {
    record: RecordRef,
    loaded: Option<Loaded>,
    /// Why the record could not be shown (outside the user's ward, a version missing).
    error: Option<crate::store::StoreError>,
    /// Which version Enter keeps: a head, or (one past the last head) the merged one.
    choice: usize,
    rows: ListCursor,
}

impl ConflictPage {
    pub fn new(record: RecordRef) -> ConflictPage {
        ConflictPage {
            record,
            loaded: None,
            error: None,
            choice: 0,
            rows: ListCursor::default(),
        }
    }

    pub fn record(&self) -> &RecordRef {
        &self.record
    }

    pub fn load(&mut self, store: &Store) {
        let view = match store.conflict_view(&self.record) {
            Ok(view) => view,
            Err(e) => {
                self.loaded = None;
                self.error = Some(e);
                return;
            }
        };
        let devices = store.known_devices().unwrap_or_default();
        let me = store.device_public();
        let heads = view
            .heads
            .into_iter()
            .map(|h| {
                let v = &h.version;
                let device = devices
                    .get(&v.device)
                    .map(|d| d.public.fingerprint())
                    .unwrap_or_else(|| v.device.to_string());
                Head {
                    version_id: v.id.to_string(),
                    ward: if v.ward.is_empty() {
                        "-".into()
                    } else {
                        v.ward.clone()
                    },
                    user: v.user.clone(),
                    this_device: v.device == me.id,
                    device: if v.device == me.id {
                        me.fingerprint()
                    } else {
                        device
                    },
                    when: super::when((v.clock >> 16) as i64),
                    record: h.record,
                }
            })
            .collect();
        let snap = store.snapshot();
        let title = match self.record.id().and_then(|id| snap.person_of_record(id)) {
            Some(p) => format!("{} {}", p.code, p.full_name),
            None => self.record.display(),
        };
        self.loaded = Some(Loaded {
            title,
            heads,
            ancestor: view.ancestor,
            merged: view.merged,
            clashing: view
                .fields
                .iter()
                .filter(|f| f.clash)
                .map(|f| f.field)
                .collect(),
        });
        self.error = None;
        self.choice = self.choice.min(self.choices().saturating_sub(1));
    }

    fn choices(&self) -> usize {
        self.loaded
            .as_ref()
            .map_or(0, |l| l.heads.len() + usize::from(l.merged.is_some()))
    }

    pub fn handle(&mut self, cmd: Cmd, ctx: &Ctx) -> Key {
        let choices = self.choices();
        match cmd {
            Cmd::Back => Key::Close,
            Cmd::Right | Cmd::Left if choices > 0 => {
                self.choice = if cmd == Cmd::Right {
                    (self.choice + 1) % choices
                } else {
                    (self.choice + choices - 1) % choices
                };
                Key::Outcome(Outcome::Changed)
            }
            Cmd::Open => match self.resolution(ctx.lang) {
                Some((resolution, which)) => {
                    let question =
                        crate::i18n::tf(ctx.lang, "sync.confirm_resolve", &[("which", &which)]);
                    let then = Request::Resolve(self.record.clone(), resolution);
                    Key::Outcome(Outcome::Do(Request::Confirm(question, Box::new(then))))
                }
                None => Key::Outcome(Outcome::Ignored),
            },
            other => {
                let len = self.compared(ctx).len();
                Key::Outcome(if self.rows.handle(other, len) {
                    Outcome::Changed
                } else {
                    Outcome::Ignored
                })
            }
        }
    }

    /// What Enter would do, and how the question names it.
    fn resolution(&self, lang: crate::i18n::Lang) -> Option<(Resolution, String)> {
        let loaded = self.loaded.as_ref()?;
        match loaded.heads.get(self.choice) {
            Some(head) => Some((
                Resolution::Keep(head.version_id.clone()),
                crate::i18n::tf(
                    lang,
                    "sync.version_n",
                    &[("n", &(self.choice + 1)), ("made", &head.made(lang))],
                ),
            )),
            None if loaded.merged.is_some() => Some((
                Resolution::Merge,
                crate::i18n::t(lang, "sync.merged_version").to_string(),
            )),
            None => None,
        }
    }

    /// Every line where the versions differ, as `record_fields::compare` finds them.
    fn compared(&self, ctx: &Ctx) -> Vec<Compared> {
        let Some(l) = &self.loaded else {
            return Vec::new();
        };
        let heads: Vec<&Change> = l.heads.iter().map(|h| &h.record).collect();
        record_fields::compare(l.ancestor.as_ref(), &heads, l.merged.as_ref(), ctx.lang)
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
        let theme = ctx.theme;
        let Some(l) = &self.loaded else {
            let text = self
                .error
                .as_ref()
                .map(|e| crate::messages::store_message(e, ctx.lang))
                .unwrap_or_default();
            Paragraph::new(text).style(theme.error()).render(area, buf);
            return;
        };
        let mut top = vec![Line::styled(
            crate::i18n::tf(
                ctx.lang,
                "sync.conflict_title",
                &[
                    ("kind", &ctx.t(self.record.kind.label_key())),
                    ("title", &l.title),
                ],
            ),
            theme.title(),
        )];
        for (i, head) in l.heads.iter().enumerate() {
            let mark = if i == 0 { " ★" } else { "" };
            top.push(Line::from(vec![
                Span::styled(
                    crate::i18n::tf(ctx.lang, "sync.version_label", &[("n", &(i + 1))]) + mark,
                    theme.label(),
                ),
                Span::raw(format!(": {}", head.made(ctx.lang))),
            ]));
        }
        let advice = if l.merged.is_some() {
            ctx.t("sync.page_merge_possible").to_string()
        } else if l.ancestor.is_none() {
            // Made on two laptops at once (an import done twice): nothing to merge from.
            ctx.t("sync.page_no_ancestor").to_string()
        } else {
            let words: Vec<&str> = self
                .compared(ctx)
                .iter()
                .filter(|c| l.clashing.contains(&c.field))
                .map(|c| ctx.t(c.label))
                .collect();
            crate::i18n::tf(
                ctx.lang,
                "sync.page_same_field",
                &[("fields", &words.join(", "))],
            )
        };
        top.push(Line::styled(advice, theme.warning()));
        if deletes(l) {
            top.push(Line::styled(
                ctx.t("sync.page_edit_or_delete"),
                theme.error(),
            ));
        }
        top.push(Line::styled(ctx.t("sync.page_star"), theme.muted()));
        let top = Paragraph::new(top).wrap(Wrap { trim: true });
        let top_height = top.line_count(area.width) as u16 + 1;
        let [head_area, table_area] =
            Layout::vertical([Constraint::Length(top_height), Constraint::Fill(1)]).areas(area);
        top.render(head_area, buf);

        let compared = self.compared(ctx);
        let marked = |i: usize, text: String| {
            if i == self.choice {
                format!("▶ {text}")
            } else {
                text
            }
        };
        let mut header = vec![
            ctx.t("sync.col_field").to_string(),
            ctx.t("sync.col_before").to_string(),
        ];
        header.extend((0..l.heads.len()).map(|i| {
            marked(
                i,
                crate::i18n::tf(ctx.lang, "sync.version_label", &[("n", &(i + 1))]),
            )
        }));
        let has_merged = l.merged.is_some();
        if has_merged {
            header.push(marked(l.heads.len(), ctx.t("sync.col_merged").to_string()));
        }
        let mut widths = vec![Constraint::Length(20), Constraint::Fill(1)];
        widths.extend((0..l.heads.len() + usize::from(has_merged)).map(|_| Constraint::Fill(1)));
        let chosen = theme.selected();
        render_table(
            table_area,
            buf,
            header,
            &widths,
            compared.len(),
            &self.rows,
            true,
            theme,
            |i| {
                let c = &compared[i];
                let label_style = if l.clashing.contains(&c.field) {
                    theme.warning()
                } else {
                    theme.label()
                };
                let mut cells = vec![
                    Cell::from(Span::styled(ctx.t(c.label), label_style)),
                    Cell::from(Span::styled(c.before.clone(), theme.muted())),
                ];
                for (h, value) in c.heads.iter().enumerate() {
                    let style = if h == self.choice {
                        chosen
                    } else {
                        Style::new()
                    };
                    cells.push(Cell::from(Span::styled(value.clone(), style)));
                }
                if let Some(merged) = &c.merged {
                    let style = if self.choice == l.heads.len() {
                        chosen
                    } else {
                        Style::new()
                    };
                    cells.push(Cell::from(Span::styled(merged.clone(), style)));
                }
                cells
            },
            |_| Style::new(),
        );
    }
}

/// One version marks the person entered in error and another does not: keeping either
/// is a choice, never made by a merge in silence.
fn deletes(l: &Loaded) -> bool {
    let marks: Vec<bool> = l
        .heads
        .iter()
        .filter_map(|h| match &h.record {
            Change::Person(p) => Some(p.entered_in_error),
            _ => None,
        })
        .collect();
    marks.iter().any(|m| *m) && marks.iter().any(|m| !*m)
}
