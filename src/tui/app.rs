//! The app state, and `App::update`: the one place state changes and the store is called.
//! Keys arrive as actions; the open modal gets them first, then the current screen,
//! then the global bindings.

use super::forms::{self, FormPurpose};
use super::keymap::{self, Action, Cmd, Scope};
use super::popups::help::HelpPopup;
use super::screens::{Ctx, Outcome, Request, ScreenId, Screens};
use super::theme::Theme;
use super::widgets::form::{Form, FormOutcome};
use crate::domain::Id;
use crate::i18n::{Lang, t};
use crate::output::OutputFile;
use crate::report::export::export_to_file;
use crate::store::Store;

/// Something over the screen that takes every key until it closes.
pub enum Modal {
    Help(HelpPopup),
    Form(Box<FormModal>),
    /// A yes/no question; `on_no` runs when the answer is no (None: just close).
    /// Enter gives `default_yes`: the answer that loses no work, shown in the hint.
    Confirm {
        question: String,
        on_yes: Request,
        on_no: Option<Request>,
        default_yes: bool,
    },
    Message(String),
}

pub struct FormModal {
    pub form: Form,
    pub purpose: FormPurpose,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

pub struct App {
    pub store: Store,
    pub lang: Lang,
    pub theme: Theme,
    pub screen: ScreenId,
    pub screens: Screens,
    pub modals: Vec<Modal>,
    pub status: Option<(String, StatusKind)>,
    pub should_quit: bool,
    /// Bumped on every write, so screens know to recompute what they show.
    pub version: u64,
    /// Shown in the header: this database is a throw-away demo.
    pub is_demo: bool,
    /// The backup offered on quit, once accepted, is not offered again this session
    /// (if it fails, the next q quits); a question closed with Esc is asked again.
    backup_offered: bool,
    /// Work waiting for the loop to do it (so a progress line can show).
    pub pending: Option<Work>,
}

/// What follows once a form that asked for a folder or the hub's address is saved.
enum Follows {
    Backup(std::path::PathBuf, bool),
    Start(Work),
    Nothing,
}

/// Work that takes a while: the loop draws a progress line while it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Work {
    Export(forms::ExportJob),
    /// Write a bundle for each place this database sends to, into the exchange folder.
    SendBundles,
    /// Receive this bundle file, or (None) every bundle in the exchange folder.
    ReceiveBundles(Option<std::path::PathBuf>),
    PrintHandover(forms::PrintJob),
    /// Exchange with the province hub: pull, then push.
    SyncHub,
}

impl Work {
    /// The i18n key of the progress line's label.
    pub fn label_key(&self) -> &'static str {
        match self {
            Work::Export(_) => "status.exporting",
            Work::SendBundles => "sync.sending",
            Work::ReceiveBundles(_) => "sync.receiving",
            Work::PrintHandover(_) => "status.printing",
            Work::SyncHub => "sync.hub_syncing",
        }
    }
}

impl App {
    pub fn new(store: Store, lang: Lang, theme: Theme) -> App {
        let mut app = App {
            store,
            lang,
            theme,
            screen: ScreenId::Dashboard,
            screens: Screens::default(),
            modals: Vec::new(),
            status: None,
            should_quit: false,
            version: 1,
            is_demo: false,
            backup_offered: false,
            pending: None,
        };
        if app.store.snapshot().people.is_empty() {
            app.screen = ScreenId::People;
        }
        if !app.store.load_problems().is_empty() {
            let count = app.store.load_problems().len();
            app.status = Some((
                crate::i18n::tf(lang, "status.load_problems", &[("count", &count)]),
                StatusKind::Error,
            ));
        }
        app.refresh();
        app
    }

    /// Says on the status line when the indexes disagree with the records, and how to
    /// mend them; returns whether it said so.
    pub fn warn_if_indexes_need_repair(&mut self) -> bool {
        if self.store.indexes_look_whole() {
            return false;
        }
        self.status = Some((
            crate::i18n::t(self.lang, "status.needs_repair").to_string(),
            StatusKind::Error,
        ));
        true
    }

    pub fn ctx(&self) -> Ctx<'_> {
        Ctx::new(&self.store, self.lang, self.theme, self.version)
    }

    /// The scope whose keys apply now, and whether a text field has focus.
    pub fn key_scope(&self) -> (Scope, bool) {
        match self.modals.last() {
            Some(Modal::Form(fm)) => (fm.form.focused_scope(), true),
            Some(Modal::Confirm { .. }) => (Scope::Confirm, false),
            Some(Modal::Help(_)) => (Scope::Help, false),
            Some(Modal::Message(_)) => (Scope::Message, false),
            None => self.screens.get(self.screen).scope(),
        }
    }

    fn refresh(&mut self) {
        let ctx = Ctx::new(&self.store, self.lang, self.theme, self.version);
        let screen = self.screens.get_mut(self.screen);
        screen.refresh(&ctx);
        screen.load(&self.store, self.version);
    }

    /// The commands of `scope` the current screen would do nothing with now (no
    /// "approve" on an approved plan): the footer and `?` leave them out.
    pub fn not_offered(&self, scope: Scope) -> Vec<Cmd> {
        if !self.modals.is_empty() {
            return Vec::new();
        }
        let ctx = self.ctx();
        let screen = self.screens.get(self.screen);
        let mut hidden: Vec<Cmd> = keymap::BINDINGS
            .iter()
            .filter(|b| {
                (b.scope == scope || b.scope == Scope::Global) && !screen.offers(b.cmd, &ctx)
            })
            .map(|b| b.cmd)
            .collect();
        hidden.dedup();
        hidden
    }

    /// A message on top closes on any key, bound or not: it says "press any key".
    pub fn takes_any_key(&self) -> bool {
        matches!(self.modals.last(), Some(Modal::Message(_)))
    }

    /// Applies one action. Returns whether anything visible may have changed.
    pub fn update(&mut self, action: Action) -> bool {
        if action == Action::Resize {
            return true;
        }
        if !self.modals.is_empty() {
            let changed = self.update_modal(action);
            self.refresh();
            return changed;
        }
        let ctx = Ctx::new(&self.store, self.lang, self.theme, self.version);
        // The screen's own state changes here; anything touching the store comes back as a request.
        let outcome = self.screens.get_mut(self.screen).handle(&action, &ctx);
        let changed = match outcome {
            Outcome::Unchanged => return false,
            Outcome::Changed => true,
            Outcome::Ignored => self.global(action),
            Outcome::Do(request) => {
                self.request(request);
                true
            }
        };
        self.refresh();
        changed
    }

    /// The keys every screen shares. Returns whether anything visible changed.
    fn global(&mut self, action: Action) -> bool {
        let Action::Cmd(cmd) = action else {
            return false;
        };
        match cmd {
            // Esc with nothing to go back from only takes the last message away.
            Cmd::Back => return self.status.take().is_some(),
            Cmd::Screen(n) => match ScreenId::from_number(n) {
                Some(screen) if screen != self.screen || self.status.is_some() => {
                    self.screen = screen;
                    self.status = None;
                }
                _ => return false,
            },
            Cmd::Quit => self.quit(),
            Cmd::Help => {
                let (scope, _) = self.key_scope();
                let hidden = self.not_offered(scope);
                self.modals.push(Modal::Help(HelpPopup::new(scope, hidden)));
            }
            Cmd::ToggleLanguage => self.lang = self.lang.other(),
            Cmd::Export => match self.screens.get(self.screen).export_target() {
                Some((kind, filter)) => {
                    self.request(Request::OpenForm(FormPurpose::Export { kind, filter }))
                }
                None => {
                    self.status = Some((
                        t(self.lang, "status.nothing_to_export").to_string(),
                        StatusKind::Error,
                    ))
                }
            },
            _ => return false,
        }
        true
    }

    /// Gives the key to the modal on top. Returns whether anything visible changed.
    fn update_modal(&mut self, action: Action) -> bool {
        let Some(modal) = self.modals.last_mut() else {
            return false;
        };
        match modal {
            Modal::Help(help) => {
                if help.handle(&action) {
                    self.modals.pop();
                }
            }
            Modal::Message(_) => {
                if action != Action::Resize {
                    self.modals.pop();
                }
            }
            Modal::Confirm {
                on_yes,
                on_no,
                default_yes,
                ..
            } => match action {
                Action::Cmd(Cmd::DefaultAnswer) if *default_yes => {
                    let request = on_yes.clone();
                    self.modals.pop();
                    self.request(request);
                }
                Action::Cmd(Cmd::Yes) => {
                    let request = on_yes.clone();
                    self.modals.pop();
                    self.request(request);
                }
                Action::Cmd(Cmd::No | Cmd::DefaultAnswer) => {
                    let request = on_no.clone();
                    self.modals.pop();
                    if let Some(request) = request {
                        self.request(request);
                    }
                }
                // Esc answers neither: the question closes and nothing happens.
                Action::Cmd(Cmd::Back) => {
                    self.modals.pop();
                }
                _ => {}
            },
            Modal::Form(fm) => match fm.form.handle(&action) {
                FormOutcome::Save => self.save_form(),
                FormOutcome::Cancel => {
                    if fm.form.dirty {
                        let question = t(self.lang, "confirm.discard").to_string();
                        // Enter keeps editing: the work is lost only on a plain yes.
                        self.modals.push(Modal::Confirm {
                            question,
                            on_yes: Request::CloseForm,
                            on_no: None,
                            default_yes: false,
                        });
                    } else {
                        self.modals.pop();
                    }
                }
                FormOutcome::Changed => {
                    let ctx = Ctx::new(&self.store, self.lang, self.theme, self.version);
                    forms::on_change(&mut fm.form, &fm.purpose, &ctx)
                }
                FormOutcome::Ignored => return false,
            },
        }
        true
    }

    /// Carries out what a screen or a confirmed question asked for.
    pub fn request(&mut self, request: Request) {
        match request {
            Request::CloseForm => {
                if matches!(self.modals.last(), Some(Modal::Form(_))) {
                    self.modals.pop();
                }
            }
            Request::OpenForm(purpose) => {
                // "Saved." from the last form says nothing about this one.
                self.status = None;
                let ctx = self.ctx();
                match forms::build(&purpose, &ctx) {
                    Ok(form) => self
                        .modals
                        .push(Modal::Form(Box::new(FormModal { form, purpose }))),
                    Err(key) => {
                        self.status = Some((t(self.lang, key).to_string(), StatusKind::Error))
                    }
                }
            }
            Request::OpenPerson(id, section) => {
                self.screen = ScreenId::People;
                self.screens.people.open_person(id, section);
            }
            Request::Status(key) => {
                self.status = Some((t(self.lang, key).to_string(), StatusKind::Info))
            }
            Request::Confirm(question, then) => {
                self.modals.push(Modal::Confirm {
                    question,
                    on_yes: *then,
                    on_no: None,
                    default_yes: false,
                });
            }
            Request::ApprovePlan(plan) => self.approve_plan(plan),
            Request::MarkEnteredInError(person, in_error) => {
                match self.store.mark_entered_in_error(person, in_error) {
                    Ok(_) => self.saved(),
                    Err(e) => self.store_failed(&e),
                }
            }
            Request::SaveDespiteDuplicate => self.save_form_asking(false),
            Request::Quit => self.should_quit = true,
            Request::Start(work) => {
                self.status = Some((t(self.lang, work.label_key()).to_string(), StatusKind::Info));
                self.pending = Some(*work);
            }
            Request::AcceptDevice(fingerprint) => self.accept_device(&fingerprint),
            Request::Resolve(record, resolution) => self.resolve(&record, &resolution),
            Request::Backup { then_quit } => {
                self.backup_offered |= then_quit;
                match self.store.backup_folder().map(std::path::Path::to_path_buf) {
                    Some(folder) => self.back_up_into(&folder, then_quit),
                    None => self.request(Request::OpenForm(FormPurpose::Folder(
                        forms::FolderUse::Backup { then_quit },
                    ))),
                }
            }
        }
    }

    /// Quits, first offering a backup when the last one is older than a week (once a
    /// session, and never for a throw-away demo).
    fn quit(&mut self) {
        let due = self.store.backup_due(crate::domain::dates::now_millis());
        if due && !self.is_demo && !self.backup_offered {
            let question = t(self.lang, "confirm.backup_on_quit").to_string();
            self.modals.push(Modal::Confirm {
                question,
                on_yes: Request::Backup { then_quit: true },
                on_no: Some(Request::Quit),
                // Either answer quits; backing up loses nothing.
                default_yes: true,
            });
        } else {
            self.should_quit = true;
        }
    }

    /// Does the work waiting, if any, reporting progress.
    pub fn run_pending(&mut self, progress: &mut dyn FnMut(usize, usize)) {
        match self.pending.take() {
            Some(Work::Export(job)) => self.export(job, progress),
            Some(Work::SendBundles) => self.send_bundles(progress),
            Some(Work::ReceiveBundles(which)) => self.receive_bundles(which, progress),
            Some(Work::PrintHandover(job)) => self.print_handover(job),
            Some(Work::SyncHub) => self.sync_hub(),
            None => return,
        }
        self.refresh();
    }

    /// Writes an export; records who exported what first (and refuses names to anyone
    /// not allowed them).
    fn export(&mut self, job: forms::ExportJob, progress: &mut dyn FnMut(usize, usize)) {
        use crate::report::workbook::{Contents, Cover, workbook_to_file};
        let target = match OutputFile::outside(&job.path, self.store.path()) {
            Ok(target) => target,
            Err(e) => {
                self.status = Some((e.message(self.lang), StatusKind::Error));
                return;
            }
        };
        let contents = match job.file {
            forms::ExportFile::Csv => None,
            forms::ExportFile::Sheet => Some(Contents::One(job.kind)),
            forms::ExportFile::Workbook => Some(Contents::Donor { details: false }),
        };
        let name = match contents {
            Some(Contents::Donor { .. }) => "workbook",
            _ => job.kind.name(),
        };
        if let Err(e) = self.store.record_export(name, job.options.include_names) {
            self.store_failed(&e);
            return;
        }
        let (snap, today) = (self.store.snapshot(), self.store.today());
        let result = match contents {
            None => export_to_file(job.kind, snap, today, &job.options, &target, progress),
            Some(contents) => {
                let cover = Cover::now(snap, &job.options.filter);
                workbook_to_file(
                    contents,
                    snap,
                    today,
                    &job.options,
                    &cover,
                    &target,
                    progress,
                )
            }
        };
        self.status = Some(match result {
            Ok(rows) => (
                crate::i18n::tf(
                    self.lang,
                    "status.exported",
                    &[("rows", &rows), ("path", &job.path.display())],
                ),
                StatusKind::Info,
            ),
            Err(e) => (
                crate::i18n::tf(self.lang, "cli.export_failed", &[("detail", &e)]),
                StatusKind::Error,
            ),
        });
    }

    /// Writes a handover record as a PDF, as `sinhke print handover` does: who printed
    /// whose record goes into the audit trail first.
    fn print_handover(&mut self, job: forms::PrintJob) {
        use crate::report::handover::{self, HandoverError};
        let lang = self.lang;
        let target = match OutputFile::outside(&job.path, self.store.path()) {
            Ok(target) => target,
            Err(e) => return self.status = Some((e.message(lang), StatusKind::Error)),
        };
        let record = match handover::record(self.store.snapshot(), &job.number) {
            Ok(record) => record,
            Err(e) => {
                let number = match &e {
                    HandoverError::UnknownNumber(n) | HandoverError::SharedNumber(n) => n.clone(),
                    HandoverError::NothingThatDay => String::new(),
                };
                let text = crate::i18n::tf(lang, e.message_key(), &[("number", &number)]);
                return self.status = Some((text, StatusKind::Error));
            }
        };
        let pdf = match crate::report::pdf::handover_pdf(std::slice::from_ref(&record), job.lang) {
            Ok(pdf) => pdf,
            Err(e) => {
                let text = crate::i18n::tf(lang, "cli.export_failed", &[("detail", &e)]);
                return self.status = Some((text, StatusKind::Error));
            }
        };
        if let Err(e) = self.store.record_printing("handover", &record.number) {
            return self.store_failed(&e);
        }
        let written = target.write(|file| {
            use std::io::Write;
            Ok::<(), crate::output::OutputError>(file.write_all(&pdf)?)
        });
        self.status = Some(match written {
            Ok(()) => (
                crate::i18n::tf(lang, "status.printed", &[("path", &job.path.display())]),
                StatusKind::Info,
            ),
            Err(e) => (e.message(lang), StatusKind::Error),
        });
    }

    /// Writes a backup into `folder`; says where, or why not.
    pub fn back_up_into(&mut self, folder: &std::path::Path, then_quit: bool) {
        match self.store.backup_into(folder) {
            Ok(path) => {
                let text =
                    crate::i18n::tf(self.lang, "status.backed_up", &[("path", &path.display())]);
                self.status = Some((text, StatusKind::Info));
                self.version += 1;
                self.should_quit = then_quit;
            }
            Err(e) => self.store_failed(&e),
        }
    }

    /// The store checks the role and that the plan is a draft; it records who and when.
    fn approve_plan(&mut self, plan_id: Id) {
        match self.store.approve_plan(plan_id) {
            Ok(_) => self.saved(),
            Err(e) => self.store_failed(&e),
        }
    }

    pub(super) fn saved(&mut self) {
        self.version += 1;
        self.status = Some((t(self.lang, "status.saved").to_string(), StatusKind::Info));
    }

    pub(super) fn store_failed(&mut self, err: &crate::store::StoreError) {
        let message = crate::messages::store_message(err, self.lang);
        self.status = Some((message.clone(), StatusKind::Error));
        self.modals.push(Modal::Message(message));
    }

    /// Validates and saves the open form; on problems, shows each beside its field.
    fn save_form(&mut self) {
        self.save_form_asking(true)
    }

    /// `ask_duplicate`: whether a new person who looks like one already here is asked
    /// about first (no, the default, keeps the form as typed).
    fn save_form_asking(&mut self, ask_duplicate: bool) {
        let Some(Modal::Form(fm)) = self.modals.last_mut() else {
            return;
        };
        let ctx = Ctx::new(&self.store, self.lang, self.theme, self.version);
        let result = forms::save(&fm.form, &fm.purpose, &ctx);
        let changes = match result {
            Ok(changes) => changes,
            Err(refusal) => {
                fm.form.set_errors(refusal.fields, refusal.general);
                return;
            }
        };
        if let Some(question) = forms::duplicate_question(&changes, &ctx).filter(|_| ask_duplicate)
        {
            self.modals.push(Modal::Confirm {
                question,
                on_yes: Request::SaveDespiteDuplicate,
                on_no: None,
                default_yes: false,
            });
            return;
        }
        if let forms::Save::Print(job) = changes {
            self.modals.pop();
            self.request(Request::Start(Box::new(Work::PrintHandover(job))));
            return;
        }
        // An export writes no record: ask about names first, then leave it to the loop,
        // which shows its progress.
        if let forms::Save::Export(job) = changes {
            self.modals.pop();
            let include_names = job.options.include_names;
            let start = Request::Start(Box::new(Work::Export(job)));
            if include_names {
                let question = t(self.lang, "confirm.export_names").to_string();
                self.request(Request::Confirm(question, Box::new(start)));
            } else {
                self.request(start);
            }
            return;
        }
        // A chosen folder or hub address is remembered by the commit; what it was
        // chosen for follows.
        let follows = match (&changes, &fm.purpose) {
            (forms::Save::Folder(forms::FolderUse::Backup { then_quit }, folder), _) => {
                Some(Follows::Backup(folder.clone(), *then_quit))
            }
            (forms::Save::Folder(forms::FolderUse::Exchange { then }, _), _) => {
                Some(then.clone().map_or(Follows::Nothing, Follows::Start))
            }
            (forms::Save::HubAddress(_), FormPurpose::HubAddress { then_sync: true }) => {
                Some(Follows::Start(Work::SyncHub))
            }
            _ => None,
        };
        match forms::commit(&mut self.store, changes) {
            Ok(_) if follows.is_some() => {
                self.modals.pop();
                self.version += 1;
                match follows {
                    Some(Follows::Backup(folder, then_quit)) => {
                        self.back_up_into(&folder, then_quit)
                    }
                    Some(Follows::Start(work)) => self.request(Request::Start(Box::new(work))),
                    _ => self.saved(),
                }
            }
            Ok(saved_person) => {
                self.modals.pop();
                self.saved();
                if let Some(id) = saved_person
                    && self.screen == ScreenId::People
                {
                    self.screens.people.select_person(id);
                }
            }
            Err(crate::store::StoreError::Invalid(rejected)) => {
                if let Some(Modal::Form(fm)) = self.modals.last_mut() {
                    let refusal = forms::problems_to_fields(&fm.form, &fm.purpose, &rejected);
                    fm.form.set_errors(refusal.fields, refusal.general);
                }
            }
            Err(e) => self.store_failed(&e),
        }
    }
}
