//! Every word a user sees, in Vietnamese (the default) and English. The texts live in
//! `assets/i18n/*.txt` as `key = text` lines; `{name}` marks a value filled in at use.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "vi" | "vn" | "vie" | "vietnamese" | "tiếng việt" => Some(Lang::Vi),
            "en" | "eng" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

const VI: &str = include_str!("../assets/i18n/vi.txt");
const EN: &str = include_str!("../assets/i18n/en.txt");

fn parse(source: &'static str) -> HashMap<&'static str, &'static str> {
    source
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v))
        .collect()
}

static TABLES: LazyLock<[HashMap<&'static str, &'static str>; 2]> =
    LazyLock::new(|| [parse(VI), parse(EN)]);

/// The text for `key`; the key itself if a text is missing (a test keeps that from shipping).
pub fn t(lang: Lang, key: &str) -> &'static str {
    let table = &TABLES[lang as usize];
    match table.get(key) {
        Some(text) => text,
        None => TABLES[Lang::En as usize].get(key).copied().unwrap_or("(?)"),
    }
}

/// `t` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut text = t(lang, key).to_string();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), &value.to_string());
    }
    text
}

/// `tf` for a count: the `KEY.one` text when the count is 1 and the language has one
/// ("In 1 day", not "In 1 days"). Vietnamese nouns do not change with the number, so
/// its `.one` texts read as the others do.
pub fn tn(lang: Lang, key: &str, count: i64, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let one = format!("{key}.one");
    if count == 1 && TABLES[lang as usize].contains_key(one.as_str()) {
        tf(lang, &one, args)
    } else {
        tf(lang, key, args)
    }
}

/// Whether a key has a text in both languages.
pub fn has(key: &str) -> bool {
    TABLES.iter().all(|table| table.contains_key(key))
}

/// Both languages' labels for `key`, for reading files written in either.
pub fn both(key: &str) -> [&'static str; 2] {
    [t(Lang::Vi, key), t(Lang::En, key)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repair_warning_says_what_to_do_within_an_80_column_status_line() {
        for lang in [Lang::Vi, Lang::En] {
            let text = t(lang, "status.needs_repair");
            assert!(crate::text::width(text) <= 79, "{text}");
            assert!(text.contains("sinhke check --repair"));
        }
    }
    use crate::domain::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let vi: std::collections::BTreeSet<_> = TABLES[0].keys().collect();
        let en: std::collections::BTreeSet<_> = TABLES[1].keys().collect();
        let only_vi: Vec<_> = vi.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&vi).collect();
        assert!(
            only_vi.is_empty() && only_en.is_empty(),
            "only vi: {only_vi:?}, only en: {only_en:?}"
        );
    }

    #[test]
    fn every_domain_value_has_a_label() {
        let keys = Sex::ALL
            .iter()
            .map(|v| v.key())
            .chain(TargetGroup::ALL.iter().map(|v| v.key()))
            .chain(TargetGroup::ALL.iter().map(|v| v.short_key()))
            .chain(PersonStatus::ALL.iter().map(|v| v.key()))
            .chain(BusinessLine::ALL.iter().map(|v| v.key()))
            .chain(PlanStatus::ALL.iter().map(|v| v.key()))
            .chain(GrantKind::ALL.iter().map(|v| v.key()))
            .chain(MilestoneKind::ALL.iter().map(|v| v.key()))
            .chain(MilestoneStatus::ALL.iter().map(|v| v.key()))
            .chain(Service::ALL.iter().map(|v| v.key()))
            .chain(ReferralStatus::ALL.iter().map(|v| v.key()))
            .chain(Role::ALL.iter().map(|v| v.key()));
        for key in keys {
            assert!(has(key), "missing label {key}");
        }
    }

    /// Every string literal in the sources that looks like a message key has a text in
    /// both languages: a key typed wrong shows up here, not on an officer's screen.
    #[test]
    fn every_message_key_used_in_the_code_has_a_text() {
        const PREFIXES: [&str; 44] = [
            "hub.",
            "export_format.",
            "workbook.",
            "sync.",
            "record_kind.",
            "err.",
            "store.",
            "check.",
            "summary.",
            "age.",
            "indicator.",
            "col.",
            "field.",
            "form.",
            "key.",
            "screen.",
            "status.",
            "confirm.",
            "message.",
            "help.",
            "ui.",
            "welcome.",
            "people.",
            "person.",
            "section.",
            "consent.",
            "filter.",
            "grants.",
            "followup.",
            "dash.",
            "settings.",
            "review.",
            "cli.",
            "handover.",
            "export_kind.",
            "unit.",
            "target_short.",
            "signin.",
            "tab.",
            "history.",
            "audit.",
            "tree.",
            "csv.",
            "import.",
        ];
        fn visit(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("src").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    visit(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(&path).expect("read source"));
                }
            }
        }
        let mut sources = Vec::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut sources,
        );
        let mut missing = Vec::new();
        for source in &sources {
            for part in source.split('"').skip(1).step_by(2) {
                let looks_like_key = PREFIXES
                    .iter()
                    .any(|p| part.starts_with(p) && part.len() > p.len())
                    && part.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_'
                    });
                if looks_like_key && !has(part) {
                    missing.push(part.to_string());
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "no text for {missing:?}");
    }

    #[test]
    fn one_day_is_singular_in_english() {
        let days = |n: i64| tn(Lang::En, "followup.in_days", n, &[("days", &n)]);
        assert_eq!(days(1), "In 1 day");
        assert_eq!(days(2), "In 2 days");
        assert_eq!(days(0), "In 0 days");
        assert_eq!(
            tn(Lang::Vi, "followup.in_days", 1, &[("days", &1)]),
            "Còn 1 ngày"
        );
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            tf(Lang::En, "store.missing", &[("path", &"/tmp/x")]),
            "No sinhke database at /tmp/x."
        );
    }
}
