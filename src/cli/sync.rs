//! `sinhke sync ...`: ward kits, bundles each way, devices and conflicts, each a thin
//! call into `sync` and the store, in the user's language.

use super::{Cli, Failure, SyncAction};
use crate::i18n::{Lang, t, tf};
use crate::output::OutputFile;
use crate::store::versions::RecordRef;
use crate::store::{OpenMode, Refusal, Resolution, Store, StoreError};
use crate::sync::{self, Target};
use std::path::Path;

pub fn run(cli: &Cli, action: &SyncAction) -> Result<(), Failure> {
    let lang = cli.lang;
    let fail = |e: StoreError| Failure::store(&e, lang);
    match action {
        SyncAction::Kit { ward, out } => {
            let mut store = cli.open_store(OpenMode::MustExist)?;
            let ward = crate::text::clean(ward).to_uppercase();
            let kit = sync::make_kit(&mut store, &ward).map_err(fail)?;
            write_to(&target_file(&store, out, lang)?, &kit, lang)?;
            say!(
                "{}",
                tf(
                    lang,
                    "sync.kit_written",
                    &[
                        ("ward", &ward),
                        ("path", &out.display()),
                        ("fingerprint", &store.device_public().fingerprint()),
                    ]
                )
            );
        }
        SyncAction::Join { file } => {
            let bytes = read_file(file, lang)?;
            let mut store = cli.open_store(OpenMode::CreateIfMissing)?;
            let (kit, _) = sync::join(&mut store, &bytes).map_err(fail)?;
            say!(
                "{}",
                tf(
                    lang,
                    "sync.joined",
                    &[
                        ("ward", &kit.ward),
                        ("supervisor", &kit.supervisor.fingerprint()),
                        ("fingerprint", &store.device_public().fingerprint()),
                    ]
                )
            );
        }
        SyncAction::Send { out, to, all } => {
            let mut store = cli.open_store(OpenMode::MustExist)?;
            let target = match to {
                Some(ward) => Target::Ward(crate::text::clean(ward).to_uppercase()),
                None => Target::Supervisor,
            };
            // The target is checked before a bundle number is used up.
            let file = target_file(&store, out, lang)?;
            let sent = sync::send(&mut store, target, *all).map_err(fail)?;
            write_to(&file, &sent.file, lang)?;
            say!(
                "{}",
                tf(
                    lang,
                    "sync.sent",
                    &[
                        ("count", &sent.versions),
                        ("ward", &sent.ward),
                        ("path", &out.display()),
                        ("number", &sent.number),
                        ("recipients", &sent.recipients.join(", ")),
                    ]
                )
            );
        }
        SyncAction::Receive { file } => {
            let bytes = read_file(file, lang)?;
            let mut store = cli.open_store(OpenMode::MustExist)?;
            match sync::receive(&mut store, &bytes) {
                Ok(got) => say_received(&got, lang),
                Err(StoreError::Refused(Refusal::Waiting(print))) => {
                    return Err(Failure::text(
                        lang,
                        "sync.kept_waiting",
                        &[("fingerprint", &print)],
                    ));
                }
                Err(e) => return Err(fail(e)),
            }
        }
        SyncAction::Push { hub } => {
            let mut store = cli.open_store(OpenMode::MustExist)?;
            let mut client = hub_client(&store, hub.as_deref(), lang)?;
            let pushed =
                sync::hub::push(&mut store, &mut client).map_err(|e| hub_failure(e, lang))?;
            say_lines(crate::messages::pushed_lines(&pushed, lang));
        }
        SyncAction::Pull { hub } => {
            let mut store = cli.open_store(OpenMode::MustExist)?;
            let mut client = hub_client(&store, hub.as_deref(), lang)?;
            let pulled =
                sync::hub::pull(&mut store, &mut client).map_err(|e| hub_failure(e, lang))?;
            say_lines(crate::messages::pulled_lines(&pulled, lang));
            if sync::publish::refresh(&mut store, &mut client)
                .map_err(|e| hub_failure(e, lang))?
                .is_some()
            {
                say!("{}", t(lang, "hub.refreshed"));
            }
        }
        SyncAction::KeepHub {
            hub,
            url_file,
            forget,
        } => {
            let mut store = cli.open_store(OpenMode::MustExist)?;
            let url = if *forget {
                String::new()
            } else {
                let given = match url_file {
                    Some(file) => first_line(&read_file(file, lang)?),
                    None => hub.clone().unwrap_or_default(),
                };
                if given.trim().is_empty() {
                    return Err(Failure::text(lang, "hub.url_needed", &[]));
                }
                given
            };
            let shown = crate::messages::hub_address_shown(&url);
            if !url.is_empty() && shown.is_none() {
                return Err(Failure::text(lang, "err.hub_address", &[]));
            }
            store.set_hub_url(&url).map_err(fail)?;
            match shown {
                Some(address) => say!("{}", tf(lang, "hub.kept", &[("address", &address)])),
                None => say!("{}", t(lang, "hub.forgotten")),
            }
        }
        SyncAction::Devices => {
            let store = cli.open_store(OpenMode::MustExist)?;
            devices(&store, lang).map_err(fail)?;
        }
        SyncAction::Audit { fingerprint } => {
            let store = cli.open_store(OpenMode::MustExist)?;
            let device = sync::find_device(&store, fingerprint).map_err(fail)?;
            for entry in store.ward_audit(device.public.id).map_err(fail)? {
                super::security::print_entry(&entry);
            }
        }
        SyncAction::Accept { fingerprint } => {
            let mut store = cli.open_store(OpenMode::MustExist)?;
            let (device, merged) = sync::accept(&mut store, fingerprint).map_err(fail)?;
            say!(
                "{}",
                tf(
                    lang,
                    "sync.accepted",
                    &[
                        ("fingerprint", &device.public.fingerprint()),
                        ("ward", &device.public.ward.clone().unwrap_or_default()),
                        ("count", &merged.len()),
                    ]
                )
            );
            for got in &merged {
                say_received(got, lang);
            }
        }
        SyncAction::Conflicts { record } => {
            let store = cli.open_store(OpenMode::MustExist)?;
            match record {
                None => list_conflicts(&store, lang),
                Some(prefix) => {
                    let record = find_conflict(&store, prefix, lang)?;
                    show_conflict(&store, &record, lang).map_err(fail)?;
                }
            }
        }
        SyncAction::Resolve {
            record,
            keep,
            merge,
        } => {
            let mut store = cli.open_store(OpenMode::MustExist)?;
            let found = find_conflict(&store, record, lang)?;
            let resolution = match (keep, merge) {
                (Some(v), false) => Resolution::Keep(v.clone()),
                (None, true) => Resolution::Merge,
                _ => return Err(Failure::text(lang, "sync.resolve_how", &[])),
            };
            match store.resolve(&found, &resolution) {
                Ok(_) => say!(
                    "{}",
                    tf(lang, "sync.resolved", &[("record", &found.display())])
                ),
                Err(StoreError::NotFound) => {
                    let key = match resolution {
                        Resolution::Merge => "sync.no_merge",
                        Resolution::Keep(_) => "sync.no_such_head",
                    };
                    return Err(Failure::text(lang, key, &[]));
                }
                Err(e) => return Err(fail(e)),
            }
        }
    }
    Ok(())
}

/// The hub from --hub, SINHKE_HUB or Settings; connected, its schema this sinhke's.
fn hub_client(store: &Store, given: Option<&str>, lang: Lang) -> Result<postgres::Client, Failure> {
    let url = match given {
        Some(url) => url.to_string(),
        None => store
            .hub_url()
            .map_err(|e| Failure::store(&e, lang))?
            .ok_or_else(|| Failure::text(lang, "hub.sync_url_needed", &[]))?,
    };
    crate::hub::connect_for_sync(&url).map_err(|e| super::hub::failure(lang, &e))
}

fn hub_failure(e: sync::hub::HubSyncError, lang: Lang) -> Failure {
    match e {
        sync::hub::HubSyncError::Store(e) => Failure::store(&e, lang),
        sync::hub::HubSyncError::Hub(e) => super::hub::failure(lang, &e),
    }
}

fn say_lines(lines: Vec<(crate::messages::Tone, String)>) {
    for (_, text) in lines {
        say!("{text}");
    }
}

/// A file's first line, without its line ending: an address kept in a file.
fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines().next().unwrap_or("").trim_end().to_string()
}

fn read_file(path: &Path, lang: Lang) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| {
        Failure::text(
            lang,
            "sync.cannot_read",
            &[("path", &path.display()), ("detail", &e)],
        )
    })
}

fn output_failure(e: crate::output::OutputError, lang: Lang) -> Failure {
    Failure {
        message: e.message(lang),
        code: 1,
    }
}

/// Where a kit or bundle goes, checked before anything is made (a bundle uses up a number).
fn target_file(store: &Store, out: &Path, lang: Lang) -> Result<OutputFile, Failure> {
    OutputFile::outside(out, store.path()).map_err(|e| output_failure(e, lang))
}

fn write_to(file: &OutputFile, bytes: &[u8], lang: Lang) -> Result<(), Failure> {
    file.write(|w| {
        use std::io::Write;
        Ok::<(), crate::output::OutputError>(w.write_all(bytes)?)
    })
    .map_err(|e| output_failure(e, lang))
}

fn say_received(got: &sync::Received, lang: Lang) {
    if got.already {
        say!(
            "{}",
            tf(
                lang,
                "sync.already",
                &[("number", &got.number), ("ward", &got.ward)]
            )
        );
        return;
    }
    let r = &got.report;
    say!(
        "{}",
        tf(
            lang,
            "sync.received",
            &[
                ("number", &got.number),
                ("ward", &got.ward),
                ("from", &got.from),
                ("added", &r.added),
                ("new", &r.new_records),
                ("updated", &r.updated),
                ("conflicts", &r.new_conflicts),
                ("quarantined", &r.quarantined),
            ]
        )
    );
    if !got.audit_continues {
        say!(
            "{}",
            tf(lang, "sync.audit_restarts", &[("from", &got.from)])
        );
    }
    let after =
        crate::messages::after_merge_lines(&got.reissued, &got.look_alikes, r.conflicts, lang);
    for text in after {
        say!("{text}");
    }
}

use crate::domain::dates::format_local_time as when;

fn devices(store: &Store, lang: Lang) -> Result<(), StoreError> {
    let me = store.device_public();
    let role = |ward: &Option<String>| match ward {
        Some(w) => tf(lang, "sync.role_ward", &[("ward", w)]),
        None => t(lang, "sync.role_supervisor").to_string(),
    };
    say!(
        "{}",
        tf(
            lang,
            "sync.this_device",
            &[
                ("fingerprint", &me.fingerprint()),
                ("role", &role(&me.ward))
            ]
        )
    );
    for d in &store.other_devices()? {
        let state = if d.accepted {
            t(lang, "sync.state_accepted")
        } else {
            t(lang, "sync.state_waiting")
        };
        let last = d
            .last_bundle_at
            .map(when)
            .unwrap_or_else(|| t(lang, "sync.never").to_string());
        say!(
            "{}  {}  {}  {}",
            d.public.fingerprint(),
            role(&d.public.ward),
            state,
            tf(lang, "sync.last_bundle", &[("when", &last)])
        );
    }
    Ok(())
}

/// How a record in conflict is named: a person's code, or the record's kind and the
/// code of the person it belongs to.
fn label(store: &Store, record: &RecordRef, lang: Lang) -> String {
    let kind = t(lang, record.kind.label_key());
    match record
        .id()
        .and_then(|id| store.snapshot().person_of_record(id))
    {
        Some(p) => format!("{kind} {}", p.code),
        None => format!("{kind} {}", record.display()),
    }
}

fn list_conflicts(store: &Store, lang: Lang) {
    let visible = store.visible_conflicts();
    if visible.is_empty() {
        say!("{}", t(lang, "sync.no_conflicts"));
        return;
    }
    for record in visible {
        say!("{}  {}", record.display(), label(store, record, lang));
    }
}

fn find_conflict(store: &Store, prefix: &str, lang: Lang) -> Result<RecordRef, Failure> {
    let wanted = prefix.trim().to_ascii_lowercase();
    let matching: Vec<&RecordRef> = store
        .visible_conflicts()
        .into_iter()
        .filter(|r| !wanted.is_empty() && r.display().to_ascii_lowercase().starts_with(&wanted))
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Failure::text(
            lang,
            "sync.no_such_conflict",
            &[("record", &prefix)],
        )),
        _ => Err(Failure::text(
            lang,
            "sync.ambiguous",
            &[("record", &prefix)],
        )),
    }
}

fn show_conflict(store: &Store, record: &RecordRef, lang: Lang) -> Result<(), StoreError> {
    let view = store.conflict_view(record)?;
    let devices = store.known_devices()?;
    let me = store.device_public();
    say!("{}", label(store, record, lang));
    for (n, head) in view.heads.iter().enumerate() {
        let v = &head.version;
        let device = if v.device == me.id {
            me.fingerprint()
        } else {
            devices
                .get(&v.device)
                .map(|d| d.public.fingerprint())
                .unwrap_or_else(|| v.device.to_string())
        };
        let changed: Vec<&str> = view
            .fields
            .iter()
            .filter(|f| f.changed_by.contains(&n))
            .map(|f| f.field)
            .collect();
        let mark = if n == 0 { "*" } else { " " };
        say!(
            "{}",
            tf(
                lang,
                "sync.head",
                &[
                    ("mark", &mark),
                    ("version", &v.id),
                    ("when", &when((v.clock >> 16) as i64)),
                    ("user", &v.user),
                    ("ward", &if v.ward.is_empty() { "-" } else { &v.ward }),
                    ("device", &device),
                    ("fields", &changed.join(", ")),
                ]
            )
        );
    }
    // Field by field: the value before the versions parted, then each version's.
    let heads: Vec<&crate::store::Change> = view.heads.iter().map(|h| &h.record).collect();
    for line in crate::report::record_fields::compare(view.ancestor.as_ref(), &heads, None, lang) {
        let values: Vec<String> = line
            .heads
            .iter()
            .enumerate()
            .map(|(n, v)| format!("{}: {v}", n + 1))
            .collect();
        let label = t(lang, line.label);
        say!("  {label}: {} → {}", line.before, values.join(" | "));
    }
    let clashing: Vec<&str> = view
        .fields
        .iter()
        .filter(|f| f.clash)
        .map(|f| f.field)
        .collect();
    if view.merged.is_some() {
        say!("{}", t(lang, "sync.merge_possible"));
    } else if !clashing.is_empty() {
        say!(
            "{}",
            tf(lang, "sync.same_field", &[("fields", &clashing.join(", "))])
        );
    }
    Ok(())
}
