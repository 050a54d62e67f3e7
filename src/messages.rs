//! What a store error says to a person, in their language: shared by the commands and
//! the terminal program, so it lives below both.

use crate::i18n::{Lang, tf};
use crate::store::StoreError;

/// A store error in words, with its path and detail filled in.
pub fn store_message(err: &StoreError, lang: Lang) -> String {
    let (path, detail) = match err {
        StoreError::Missing(p)
        | StoreError::NotADatabase(p)
        | StoreError::AlreadyOpen(p)
        | StoreError::TooNew(p) => (p.display().to_string(), String::new()),
        StoreError::Damaged { path, detail } | StoreError::BadBackup { path, detail } => {
            (path.display().to_string(), detail.clone())
        }
        StoreError::TargetNotEmpty(p)
        | StoreError::ForeignFile(p)
        | StoreError::NoBackupFile(p) => (p.display().to_string(), String::new()),
        StoreError::Output(e) => e.path_and_detail(),
        StoreError::ReadOnly(d)
        | StoreError::Io(d)
        | StoreError::Unreadable(d)
        | StoreError::CodeTaken(d)
        | StoreError::UnknownUser(d)
        | StoreError::UserExists(d)
        | StoreError::OutsideWard(d) => (String::new(), d.clone()),
        StoreError::Refused(r) => (String::new(), r.detail()),
        _ => (String::new(), String::new()),
    };
    tf(
        lang,
        err.message_key(),
        &[
            ("path", &path),
            ("detail", &detail),
            ("min", &crate::store::MIN_PASSPHRASE_CHARS),
        ],
    )
}

/// How a line of what an exchange did should be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Done,
    /// Worth a look, not a failure: a device waiting, a code reissued, a look-alike.
    Look,
    Refused,
}

/// A hub's error in words.
pub fn hub_message(err: &crate::hub::HubError, lang: Lang) -> String {
    let values = err.values();
    let args: Vec<(&str, &dyn std::fmt::Display)> = values
        .iter()
        .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
        .collect();
    tf(lang, err.message_key(), &args)
}

/// What a hub exchange failed on, in words: the hub's error, or this database's.
pub fn hub_sync_message(err: &crate::sync::hub::HubSyncError, lang: Lang) -> String {
    match err {
        crate::sync::hub::HubSyncError::Store(e) => store_message(e, lang),
        crate::sync::hub::HubSyncError::Hub(e) => hub_message(e, lang),
    }
}

/// Who and where a hub address points at, without its password: what a screen may show
/// of an address that is otherwise never printed back. None when it is not an address.
pub fn hub_address_shown(url: &str) -> Option<String> {
    let config = crate::hub::config(url).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(name)) => name.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("?");
    let db = config.get_dbname().unwrap_or(user);
    Some(format!("{user}@{host}:{port}/{db}"))
}

/// What a push to the hub did.
pub fn pushed_lines(pushed: &crate::sync::hub::Pushed, lang: Lang) -> Vec<(Tone, String)> {
    vec![match &pushed.waiting {
        Some(print) => (
            Tone::Look,
            tf(lang, "hub.push_waiting", &[("fingerprint", print)]),
        ),
        None => (
            Tone::Done,
            tf(
                lang,
                "hub.pushed",
                &[("count", &pushed.versions), ("added", &pushed.added)],
            ),
        ),
    }]
}

/// What a pull from the hub did, then what a person should look at.
pub fn pulled_lines(pulled: &crate::sync::hub::Pulled, lang: Lang) -> Vec<(Tone, String)> {
    let mut lines = Vec::new();
    if pulled.waiting {
        lines.push((
            Tone::Look,
            crate::i18n::t(lang, "hub.pull_waiting").to_string(),
        ));
    } else {
        let r = &pulled.report;
        let text = tf(
            lang,
            "hub.pulled",
            &[
                ("read", &pulled.read),
                ("added", &r.added),
                ("new", &r.new_records),
                ("updated", &r.updated),
                ("conflicts", &r.new_conflicts),
            ],
        );
        lines.push((Tone::Done, text));
    }
    for print in &pulled.new_devices {
        let text = tf(lang, "hub.new_device", &[("fingerprint", print)]);
        lines.push((Tone::Look, text));
    }
    if !pulled.refused.is_empty() {
        let text = tf(
            lang,
            "hub.refused_rows",
            &[
                ("count", &pulled.refused.len()),
                ("which", &pulled.refused.join(", ")),
            ],
        );
        lines.push((Tone::Refused, text));
    }
    let after = after_merge_lines(
        &pulled.reissued,
        &pulled.look_alikes,
        pulled.report.conflicts,
        lang,
    );
    lines.extend(after.into_iter().map(|text| (Tone::Look, text)));
    lines
}

/// What follows any merge, from a bundle or the hub: new codes, people who look like
/// someone of another ward, and the records left in conflict.
pub fn after_merge_lines(
    reissued: &[(String, String)],
    look_alikes: &[(String, String)],
    conflicts: usize,
    lang: Lang,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (old, new) in reissued {
        lines.push(tf(lang, "sync.reissued", &[("old", old), ("new", new)]));
    }
    for (new, other) in look_alikes {
        lines.push(tf(
            lang,
            "sync.look_alike",
            &[("new", new), ("other", other)],
        ));
    }
    if conflicts > 0 {
        lines.push(tf(lang, "sync.open_conflicts", &[("count", &conflicts)]));
    }
    lines
}

/// What a publish of the de-identified view wrote.
pub fn published_line(
    published: &crate::hub::analytics::Published,
    suppress_below: Option<u64>,
    lang: Lang,
) -> String {
    match suppress_below {
        Some(k) => tf(
            lang,
            "hub.published_summaries",
            &[("figures", &published.figures), ("k", &k)],
        ),
        None => tf(
            lang,
            "hub.published",
            &[
                ("people", &published.people),
                ("grants", &published.grants),
                ("visits", &published.visits),
                ("referrals", &published.referrals),
                ("figures", &published.figures),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::hub_address_shown;

    #[test]
    fn a_hub_address_is_shown_by_whom_and_where_never_its_password() {
        let url = "postgresql://ward_ct:s3cret@hub.tinh.vn:6432/sinhke_hub\
                   ?sslmode=verify-full&sslrootcert=/etc/sinhke/ca.pem";
        let shown = hub_address_shown(url).expect("an address");
        assert_eq!(shown, "ward_ct@hub.tinh.vn:6432/sinhke_hub");
        let shown =
            hub_address_shown("host=hub.tinh.vn user=ward_ct password=s3cret").expect("key=value");
        assert_eq!(shown, "ward_ct@hub.tinh.vn:5432/ward_ct");
        assert_eq!(hub_address_shown("may chu tinh"), None);
    }
}
