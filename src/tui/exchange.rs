//! What the sync screen asks the app to do: write bundles into the exchange folder,
//! receive the ones there, accept a waiting device, resolve a conflict. Each says what
//! it did, bundle by bundle, on the sync screen.

use super::app::{App, StatusKind};
use super::screens::sync::{ExchangeLine as Line, LineState};
use crate::i18n::{Lang, t, tf};
use crate::messages;
use crate::store::versions::RecordRef;
use crate::store::{Refusal, Resolution, StoreError};
use crate::sync::folder::{self, ReceiveError};
use crate::sync::{self, Received};
use std::path::{Path, PathBuf};

impl App {
    /// The exchange folder, or None after asking for it (then `then` runs once chosen).
    fn exchange_folder(&mut self, then: super::app::Work) -> Option<PathBuf> {
        match self.store.exchange_folder().filter(|f| f.is_dir()) {
            Some(folder) => Some(folder.to_path_buf()),
            None => {
                let purpose = super::forms::FolderUse::Exchange { then: Some(then) };
                self.request(super::screens::Request::OpenForm(
                    super::forms::FormPurpose::Folder(purpose),
                ));
                None
            }
        }
    }

    pub(super) fn send_bundles(&mut self, progress: &mut dyn FnMut(usize, usize)) {
        let Some(folder) = self.exchange_folder(super::app::Work::SendBundles) else {
            return;
        };
        let targets = match folder::targets(&self.store) {
            Ok(targets) => targets,
            Err(e) => return self.store_failed(&e),
        };
        let total = targets.len();
        let mut written = Vec::new();
        for (done, target) in targets.into_iter().enumerate() {
            progress(done, total);
            written.push(folder::send_into(&mut self.store, &folder, target));
        }
        let lines = Line::in_both(|lang| {
            if written.is_empty() {
                let text = t(lang, "sync.no_targets").to_string();
                return vec![Line::new(LineState::Done, None, text)];
            }
            written.iter().map(|w| sent_line(w, lang)).collect()
        });
        self.finish_exchange(lines);
    }

    pub(super) fn receive_bundles(
        &mut self,
        which: Option<PathBuf>,
        progress: &mut dyn FnMut(usize, usize),
    ) {
        let files = match which {
            Some(path) => vec![path],
            None => {
                let Some(folder) = self.exchange_folder(super::app::Work::ReceiveBundles(None))
                else {
                    return;
                };
                match folder::bundles_in(&self.store, &folder) {
                    Ok(found) => found.into_iter().map(|f| f.path).collect(),
                    Err(e) => {
                        let lines = Line::in_both(|lang| {
                            let text = tf(
                                lang,
                                "sync.cannot_read",
                                &[("path", &folder.display()), ("detail", &e)],
                            );
                            vec![Line::new(LineState::Refused, None, text)]
                        });
                        return self.finish_exchange(lines);
                    }
                }
            }
        };
        let mut received = Vec::new();
        for (done, path) in files.iter().enumerate() {
            progress(done, files.len());
            received.push((path, folder::receive_from(&mut self.store, path)));
        }
        let lines = Line::in_both(|lang| {
            let mut lines = Vec::new();
            if received.is_empty() {
                let text = t(lang, "sync.nothing_to_receive").to_string();
                lines.push(Line::new(LineState::Done, None, text));
            }
            for (path, result) in &received {
                let name = file_name(path);
                match result {
                    Ok(got) => received_lines(&mut lines, &name, got, lang),
                    Err(e) => lines.push(refused_line(&name, path, e, lang)),
                }
            }
            lines
        });
        self.finish_exchange(lines);
    }

    /// Pulls from the province hub, then pushes: what a pull teaches (a ward key, a
    /// laptop accepted, the supervisor's schedule) is what the push needs. Asks for the
    /// hub's address first when none is kept.
    pub(super) fn sync_hub(&mut self) {
        let url = match self.store.hub_url() {
            Ok(Some(url)) => url,
            Ok(None) => {
                let purpose = super::forms::FormPurpose::HubAddress { then_sync: true };
                return self.request(super::screens::Request::OpenForm(purpose));
            }
            Err(e) => return self.store_failed(&e),
        };
        let exchanged = crate::hub::connect_for_sync(&url)
            .map_err(crate::sync::hub::HubSyncError::Hub)
            .and_then(|mut client| {
                let pulled = crate::sync::hub::pull(&mut self.store, &mut client)?;
                let refreshed = crate::sync::publish::refresh(&mut self.store, &mut client)
                    .map(|published| published.is_some());
                let pushed = crate::sync::hub::push(&mut self.store, &mut client);
                Ok((pulled, refreshed, pushed))
            });
        let lines = Line::in_both(|lang| {
            let mut lines = Vec::new();
            let mut say = |said: Vec<(messages::Tone, String)>| {
                lines.extend(
                    said.into_iter()
                        .map(|(tone, text)| Line::new(tone.into(), None, text)),
                );
            };
            match &exchanged {
                Ok((pulled, refreshed, pushed)) => {
                    say(messages::pulled_lines(pulled, lang));
                    match refreshed {
                        Ok(true) => say(vec![(
                            messages::Tone::Done,
                            t(lang, "hub.refreshed").to_string(),
                        )]),
                        Ok(false) => {}
                        Err(e) => say(vec![(
                            messages::Tone::Refused,
                            messages::hub_sync_message(e, lang),
                        )]),
                    }
                    match pushed {
                        Ok(pushed) => say(messages::pushed_lines(pushed, lang)),
                        Err(e) => say(vec![(
                            messages::Tone::Refused,
                            messages::hub_sync_message(e, lang),
                        )]),
                    }
                }
                Err(e) => say(vec![(
                    messages::Tone::Refused,
                    messages::hub_sync_message(e, lang),
                )]),
            }
            lines
        });
        let failed = lines.iter().any(|l| l.state == LineState::Refused);
        self.finish_exchange(lines);
        // Said of the hub, not of bundles.
        self.status = Some(if failed {
            (
                t(self.lang, "sync.hub_failed").to_string(),
                StatusKind::Error,
            )
        } else {
            (t(self.lang, "sync.hub_done").to_string(), StatusKind::Info)
        });
    }

    pub(super) fn accept_device(&mut self, fingerprint: &str) {
        match sync::accept(&mut self.store, fingerprint) {
            Ok((device, merged)) => {
                let lines = Line::in_both(|lang| {
                    let text = tf(
                        lang,
                        "sync.accepted",
                        &[
                            ("fingerprint", &device.public.fingerprint()),
                            ("ward", &device.public.ward.clone().unwrap_or_default()),
                            ("count", &merged.len()),
                        ],
                    );
                    let mut lines = vec![Line::new(LineState::Done, None, text)];
                    for got in &merged {
                        received_lines(&mut lines, "", got, lang);
                    }
                    lines
                });
                self.finish_exchange(lines);
            }
            Err(e) => self.store_failed(&e),
        }
    }

    pub(super) fn resolve(&mut self, record: &RecordRef, resolution: &Resolution) {
        match self.store.resolve(record, resolution) {
            Ok(_) => {
                self.screens.sync.close_conflict();
                self.version += 1;
                self.status = Some((
                    t(self.lang, "sync.resolved_here").to_string(),
                    StatusKind::Info,
                ));
            }
            Err(e) => self.store_failed(&e),
        }
    }

    /// Shows what an exchange did on the sync screen, and has every screen recompute.
    fn finish_exchange(&mut self, lines: Vec<Line>) {
        let failed = lines.iter().any(|l| l.state == LineState::Refused);
        let key = if failed {
            "sync.done_with_problems"
        } else {
            "sync.done"
        };
        let kind = if failed {
            StatusKind::Error
        } else {
            StatusKind::Info
        };
        self.status = Some((t(self.lang, key).to_string(), kind));
        self.screens.sync.show_outcome(lines);
        self.version += 1;
    }
}

/// What writing one bundle did.
fn sent_line(written: &folder::Written, lang: Lang) -> Line {
    match &written.result {
        Ok((path, sent)) => Line::new(
            LineState::Done,
            Some(file_name(path)),
            tf(
                lang,
                "sync.line_sent",
                &[
                    ("file", &file_name(path)),
                    ("count", &sent.versions),
                    ("ward", &sent.ward),
                ],
            ),
        ),
        Err(e) => Line::new(
            LineState::Refused,
            None,
            tf(
                lang,
                "sync.line_send_failed",
                &[
                    ("ward", &written.ward),
                    ("detail", &crate::messages::store_message(e, lang)),
                ],
            ),
        ),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// What one received bundle changed, and what a person should look at.
fn received_lines(lines: &mut Vec<Line>, name: &str, got: &Received, lang: Lang) {
    let file = (!name.is_empty()).then(|| name.to_string());
    // A bundle kept while its device waited has no file any more.
    let name = if name.is_empty() {
        t(lang, "sync.kept_bundle")
    } else {
        name
    };
    let made = super::screens::sync::when(got.made_at);
    if got.already {
        let text = tf(
            lang,
            "sync.line_already",
            &[("file", &name), ("made", &made)],
        );
        lines.push(Line::new(LineState::Already, file, text));
        return;
    }
    let r = &got.report;
    let text = tf(
        lang,
        "sync.line_received",
        &[
            ("file", &name),
            ("ward", &got.ward),
            ("made", &made),
            ("new", &r.new_records),
            ("updated", &r.updated),
            ("conflicts", &r.new_conflicts),
        ],
    );
    lines.push(Line::new(LineState::Done, file.clone(), text));
    let mut note = |key: &str, args: &[(&str, &dyn std::fmt::Display)]| {
        lines.push(Line::new(
            LineState::Look,
            file.clone(),
            tf(lang, key, args),
        ));
    };
    if r.quarantined > 0 {
        note("sync.line_quarantined", &[("count", &r.quarantined)]);
    }
    for (old, new) in &got.reissued {
        note("sync.reissued", &[("old", old), ("new", new)]);
    }
    if !got.audit_continues {
        note("sync.audit_restarts", &[("from", &got.from)]);
    }
    for (new, other) in &got.look_alikes {
        note("sync.look_alike", &[("new", new), ("other", other)]);
    }
}

fn refused_line(name: &str, path: &Path, e: &ReceiveError, lang: Lang) -> Line {
    let file = Some(name.to_string());
    match e {
        ReceiveError::Read(e) => Line::new(
            LineState::Refused,
            file,
            tf(
                lang,
                "sync.cannot_read",
                &[("path", &path.display()), ("detail", &e)],
            ),
        ),
        ReceiveError::Store(StoreError::Refused(Refusal::Waiting(print))) => Line::new(
            LineState::Look,
            file,
            tf(
                lang,
                "sync.line_waiting",
                &[("file", &name), ("fingerprint", &print)],
            ),
        ),
        // Superseded by a later bundle from the same laptop: all it holds is here.
        // (Its number, a time in milliseconds, means nothing to a person.)
        ReceiveError::Store(StoreError::Refused(Refusal::Older { .. })) => Line::new(
            LineState::Already,
            file,
            tf(lang, "sync.line_older", &[("file", &name)]),
        ),
        ReceiveError::Store(e) => Line::new(
            LineState::Refused,
            file,
            tf(
                lang,
                "sync.line_refused",
                &[
                    ("file", &name),
                    ("reason", &crate::messages::store_message(e, lang)),
                ],
            ),
        ),
    }
}
