//! Screen 1: the programme at a glance, for all wards or one (`w`): people, consent,
//! plans, grants, follow-ups, outcomes and the programme indicators; charts by ward and
//! by month (`Tab` on small windows, below the figures on large ones). Every figure
//! comes from `report::dashboard`, the same code as the reports and exports.

use super::{Ctx, Outcome, Screen, next_ward, ward_filter_label};
use crate::domain::Dong;
use crate::i18n::tf;
use crate::report::Filter;
use crate::report::dashboard::{self, AGE_GROUPS, Dashboard, Indicator};
use crate::report::export::ExportKind;
use crate::report::table::percent;
use crate::tui::keymap::{Action, Cmd, Scope};
use crate::tui::widgets::chart;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

#[derive(Default)]
pub struct DashboardScreen {
    ward: Option<String>,
    charts: bool,
    figures: Option<Dashboard>,
    computed_for: (u64, Option<String>, Option<chrono::NaiveDate>),
    /// When the last bundle received from each ward that has a laptop was made (None:
    /// never), and whether that is two weeks ago or more; read once per data version,
    /// so a supervisor sees which wards have gone quiet.
    last_bundles: std::collections::BTreeMap<String, (Option<i64>, bool)>,
    bundles_read_for: Option<u64>,
}

/// A ward laptop that has sent nothing for this long is shown as stale.
const STALE_AFTER_MILLIS: i64 = 14 * 24 * 3600 * 1000;

/// Big enough to show the charts under the figures without asking.
fn roomy(area: Rect) -> bool {
    area.height >= 34 && area.width >= 100
}

fn num(n: u64) -> String {
    Dong(n as i64).grouped()
}

fn share(part: u64, whole: u64) -> String {
    match percent(part, whole) {
        Some(p) => format!("{p:.0}% ({}/{})", num(part), num(whole)),
        None => "—".into(),
    }
}

impl Screen for DashboardScreen {
    fn scope(&self) -> (Scope, bool) {
        (Scope::Dashboard, false)
    }

    fn export_target(&self) -> Option<(ExportKind, Filter)> {
        Some((ExportKind::Wards, Filter::default()))
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let key = (ctx.version, self.ward.clone(), Some(ctx.today));
        if self.computed_for != key || self.figures.is_none() {
            self.figures = Some(dashboard::compute(
                ctx.snap,
                ctx.today,
                self.ward.as_deref(),
            ));
            self.computed_for = key;
        }
    }

    fn load(&mut self, store: &crate::store::Store, version: u64) {
        if self.bundles_read_for == Some(version) {
            return;
        }
        self.bundles_read_for = Some(version);
        self.last_bundles.clear();
        for device in store.other_devices().unwrap_or_default() {
            if let Some(ward) = device.public.ward.filter(|_| device.accepted) {
                let latest = self.last_bundles.entry(ward).or_insert((None, true));
                latest.0 = latest.0.max(device.last_bundle_at);
            }
        }
        let now = crate::domain::dates::now_millis();
        for (at, stale) in self.last_bundles.values_mut() {
            *stale = at.is_none_or(|t| now - t > STALE_AFTER_MILLIS);
        }
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        match action {
            Action::Cmd(Cmd::CycleWard) => {
                self.ward = next_ward(ctx, &self.ward);
                Outcome::Changed
            }
            Action::Cmd(Cmd::NextField | Cmd::PrevField) => {
                self.charts = !self.charts;
                Outcome::Changed
            }
            Action::Cmd(Cmd::Back) if self.ward.is_some() => {
                self.ward = None;
                Outcome::Changed
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx) -> Option<Position> {
        let Some(d) = &self.figures else { return None };
        let [title, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        // Its keys (w, Tab) are in the footer, from the key table: no second copy here.
        let mut spans = vec![Span::styled(
            ward_filter_label(ctx, &self.ward),
            ctx.theme.title(),
        )];
        spans.extend(self.bundle_news(ctx));
        Paragraph::new(Line::from(spans)).render(title, buf);
        if roomy(body) {
            let [figures, charts] =
                Layout::vertical([Constraint::Length(21), Constraint::Fill(1)]).areas(body);
            render_figures(d, figures, buf, ctx);
            render_charts(d, charts, buf, ctx);
        } else if self.charts {
            render_charts(d, body, buf, ctx);
        } else {
            render_figures(d, body, buf, ctx);
        }
        None
    }
}

impl DashboardScreen {
    /// For one ward: when its last bundle came. For all: the wards whose laptops have
    /// sent nothing for two weeks (nothing when every ward is up to date).
    fn bundle_news<'a>(&self, ctx: &Ctx) -> Option<Span<'a>> {
        let day = |at: &Option<i64>| match at {
            Some(t) => crate::domain::dates::local_day_of_millis(*t)
                .map(crate::domain::dates::format_date)
                .unwrap_or_default(),
            None => ctx.t("sync.never").to_string(),
        };
        // An officer of one ward sees that ward's, whatever the filter says.
        match self.ward.as_ref().or(ctx.user.ward.as_ref()) {
            Some(ward) => {
                let (at, stale) = self.last_bundles.get(ward)?;
                let text = tf(ctx.lang, "dash.last_bundle", &[("when", &day(at))]);
                let style = if *stale {
                    ctx.theme.warning()
                } else {
                    ctx.theme.muted()
                };
                Some(Span::styled(format!("   {text}"), style))
            }
            None => {
                let quiet: Vec<&str> = self
                    .last_bundles
                    .iter()
                    .filter(|(_, (_, stale))| *stale)
                    .map(|(ward, _)| ctx.snap.ward_name(ward))
                    .collect();
                if quiet.is_empty() {
                    return None;
                }
                let text = tf(
                    ctx.lang,
                    "dash.quiet_wards",
                    &[("count", &quiet.len()), ("wards", &quiet.join(", "))],
                );
                Some(Span::styled(format!("   {text}"), ctx.theme.warning()))
            }
        }
    }
}

fn boxed<'a>(title: &'a str, ctx: &Ctx) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {title} "), ctx.theme.title()))
}

fn figure<'a>(ctx: &Ctx, label: &str, value: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label}: "), ctx.theme.label()),
        Span::styled(value, ctx.theme.title()),
    ])
}

fn render_figures(d: &Dashboard, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    let theme = ctx.theme;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let [people_area, follow_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(8)]).areas(left);
    let [grants_area, plans_area, indicators_area] = Layout::vertical([
        Constraint::Length(10),
        Constraint::Length(4),
        Constraint::Fill(1),
    ])
    .areas(right);

    // "nữ 73, nam 9": the other sex only when someone is counted there.
    let sexes = |f: u64, m: u64, o: u64| {
        let mut parts = vec![
            format!("{} {}", ctx.t("dash.female_short"), num(f)),
            format!("{} {}", ctx.t("dash.male_short"), num(m)),
        ];
        if o > 0 {
            parts.push(format!("{} {}", ctx.t("dash.other_short"), num(o)));
        }
        parts.join(", ")
    };
    let mut people = vec![figure(
        ctx,
        ctx.t("dash.people"),
        format!(
            "{}  ({})",
            num(d.people.total()),
            sexes(d.people.female, d.people.male, d.people.other)
        ),
    )];
    for (group, counts) in &d.by_group {
        people.push(Line::from(vec![
            Span::styled(format!("  {:<11}", ctx.t(group.short_key())), theme.label()),
            Span::raw(format!("{:>5}  ", num(counts.total()))),
            Span::styled(
                sexes(counts.female, counts.male, counts.other),
                theme.muted(),
            ),
        ]));
    }
    let ages: Vec<String> = AGE_GROUPS
        .iter()
        .zip(d.by_age)
        .map(|((key, _, _), n)| format!("{} {}", ctx.t(key), num(n)))
        .collect();
    people.push(Line::from(vec![
        Span::styled(format!("{}: ", ctx.t("dash.ages")), theme.label()),
        Span::raw(ages.join(" · ")),
    ]));
    people.push(Line::from(vec![
        Span::styled(format!("{}: ", ctx.t("dash.consent")), theme.label()),
        Span::styled(
            tf(
                ctx.lang,
                "dash.consent_gaps",
                &[
                    ("none", &num(d.no_consent)),
                    ("expired", &num(d.consent_expired)),
                ],
            ),
            if d.no_consent + d.consent_expired > 0 {
                theme.warning()
            } else {
                theme.good()
            },
        ),
    ]));
    let plans: Vec<String> = d
        .plans_by_status
        .iter()
        .map(|(s, n)| format!("{} {}", ctx.t(s.key()), num(*n)))
        .collect();
    Paragraph::new(Line::raw(plans.join(" · ")))
        .wrap(ratatui::widgets::Wrap { trim: true })
        .block(boxed(ctx.t("dash.plans"), ctx))
        .render(plans_area, buf);
    Paragraph::new(people)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .block(boxed(ctx.t("dash.people_box"), ctx))
        .render(people_area, buf);

    let f = &d.follow_ups;
    let follow = vec![
        figure(ctx, ctx.t("dash.done_on_time"), num(f.done_on_time)),
        figure(ctx, ctx.t("dash.done_late"), num(f.done_late)),
        Line::from(vec![
            Span::styled(format!("{}: ", ctx.t("dash.overdue")), theme.label()),
            Span::styled(
                num(f.overdue),
                if f.overdue > 0 {
                    theme.warning()
                } else {
                    theme.good()
                },
            ),
        ]),
        figure(ctx, ctx.t("dash.due_30_days"), num(f.due_next_30_days)),
        figure(
            ctx,
            ctx.t("dash.operating"),
            share(d.businesses_operating.0, d.businesses_operating.1),
        ),
        figure(
            ctx,
            ctx.t("dash.animals_alive"),
            share(d.animals_alive.0, d.animals_alive.1),
        ),
    ];
    Paragraph::new(follow)
        .block(boxed(ctx.t("dash.followups_box"), ctx))
        .render(follow_area, buf);

    let mut grants = vec![figure(
        ctx,
        ctx.t("dash.grants"),
        format!("{} · {}", num(d.grants), d.grant_value),
    )];
    for (kind, n, value) in &d.grants_by_kind {
        grants.push(Line::from(vec![
            Span::styled(format!("  {:<16}", ctx.t(kind.key())), theme.label()),
            Span::raw(format!("{:>5} {:>14}", num(*n), value.grouped())),
        ]));
    }
    Paragraph::new(grants)
        .block(boxed(ctx.t("dash.grants_box"), ctx))
        .render(grants_area, buf);

    let block = boxed(ctx.t("dash.indicators_box"), ctx);
    let inner = block.inner(indicators_area);
    block.render(indicators_area, buf);
    let rows = Layout::vertical([Constraint::Length(2), Constraint::Length(2)]).split(inner);
    for (indicator, row) in [&d.supported, &d.visited_on_time]
        .into_iter()
        .zip(rows.iter())
    {
        render_indicator(indicator, *row, buf, ctx);
    }
}

fn render_indicator(indicator: &Indicator, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    let suffix = tf(
        ctx.lang,
        "dash.target",
        &[("target", &format!("{:.0}", indicator.target))],
    );
    chart::gauge(
        area,
        buf,
        ctx.t(indicator.key),
        indicator.value(),
        indicator.target,
        &suffix,
        ctx.theme,
    );
}

fn render_charts(d: &Dashboard, area: Rect, buf: &mut Buffer, ctx: &Ctx) {
    let [wards_area, months_area] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    let block = boxed(ctx.t("dash.chart_wards"), ctx);
    let inner = block.inner(wards_area);
    block.render(wards_area, buf);
    let bars: Vec<(String, u64)> = d
        .by_ward
        .iter()
        .map(|w| (w.name.clone(), w.overdue))
        .collect();
    chart::bars(inner, buf, &bars, ctx.theme);
    let block = boxed(ctx.t("dash.chart_months"), ctx);
    let inner = block.inner(months_area);
    block.render(months_area, buf);
    let values: Vec<u64> = d.visits_by_month.iter().map(|(_, n)| *n).collect();
    let labels: Vec<String> = d
        .visits_by_month
        .iter()
        .map(|(m, _)| dashboard::month_label(*m))
        .collect();
    chart::columns(inner, buf, &values, &labels, ctx.theme);
}
