//! The terminal program: sets the terminal up, restores it on every way out (quit,
//! error, panic), and runs the loop: wait for an event, update, redraw only if needed.
//! No timer runs while idle, so an old laptop on battery is not kept awake.

mod app;
mod exchange;
mod forms;
mod keymap;
mod popups;
mod screens;
mod signin;
mod theme;
mod ui;
mod widgets;

pub use app::{App, Modal};
pub use keymap::{Action, Cmd, resolve};
pub use theme::Theme;
pub use ui::render;

use crate::i18n::{Lang, tf};
use crate::messages::store_message;
use crate::store::{Credentials, KdfParams, Locked, OpenMode, Store, StoreError};
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::{execute, terminal};
use signin::{SignIn, Step};
use std::io;
use std::time::Duration;

/// People in the throw-away demo database of `sinhke --demo`.
const DEMO_PEOPLE: usize = 300;

/// How the terminal program starts, as the command line (or a test) asks.
pub struct Launch {
    pub lang: Lang,
    /// A throw-away database of invented people, removed on quit.
    pub demo: bool,
    /// Given ahead (scripts, tests): the database opens before the terminal is taken,
    /// and no sign-in screen shows.
    pub credentials: Option<Credentials>,
    /// The name the sign-in screen starts with.
    pub user: Option<String>,
    pub db_dir: std::path::PathBuf,
    pub kdf_for_new: KdfParams,
    /// A fixed day instead of the clock's (tests, demos).
    pub today: Option<chrono::NaiveDate>,
}

/// Why the program could not run, in the user's words.
pub type Failure = String;

fn store_failure(e: &StoreError, lang: Lang) -> Failure {
    store_message(e, lang)
}

/// Opens the database with credentials given ahead, as the sign-in screen would.
fn open_signed_in(launch: &Launch, credentials: &Credentials) -> Result<Store, StoreError> {
    let locked = Locked::open(&launch.db_dir, OpenMode::CreateIfMissing)?
        .with_kdf_for_new(launch.kdf_for_new);
    let unlocked = locked.sign_in(credentials)?;
    let mut store = locked.into_store(unlocked)?;
    if let Some(today) = launch.today {
        store.set_today(today);
    }
    Ok(store)
}

pub fn run(launch: Launch) -> Result<(), Failure> {
    // The demo folder must outlive the store that has it open: declared first, dropped last.
    let mut demo_dir = None;
    // A store opened before the terminal is taken (demo, or credentials from the
    // environment for scripts and tests); otherwise the database is locked now and the
    // officer signs in on the first screen.
    let mut store = None;
    let mut locked = None;
    if launch.demo {
        let dir = tempfile::Builder::new()
            .prefix("sinhke-demo-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        // Invented data in a folder removed on quit: the signed-in user if one is given,
        // else a throw-away supervisor with a random passphrase and a cheap KDF.
        let credentials = launch.credentials.clone().unwrap_or_else(|| {
            let secret: [u8; 16] = crate::store::crypto::random_bytes().unwrap_or([7; 16]);
            let passphrase: String = secret.iter().map(|b| format!("{b:02x}")).collect();
            Credentials::new("demo", &passphrase)
        });
        let mut opened = Store::open_with_kdf(
            dir.path(),
            OpenMode::CreateIfMissing,
            &credentials,
            KdfParams::TEST,
        )
        .map_err(|e| store_failure(&e, launch.lang))?;
        if let Some(today) = launch.today {
            opened.set_today(today);
        }
        let data = crate::demo::generate(DEMO_PEOPLE, 1, opened.today());
        opened
            .fill_empty(data)
            .map_err(|e| store_failure(&e, launch.lang))?;
        demo_dir = Some(dir);
        store = Some(opened);
    } else if let Some(credentials) = &launch.credentials {
        store =
            Some(open_signed_in(&launch, credentials).map_err(|e| store_failure(&e, launch.lang))?);
    } else {
        let lock = Locked::open(&launch.db_dir, OpenMode::CreateIfMissing)
            .map_err(|e| store_failure(&e, launch.lang))?;
        locked = Some(lock.with_kdf_for_new(launch.kdf_for_new));
    }
    let mut terminal = setup().map_err(terminal_failure)?;
    let result = (|| {
        let store = match (store, locked) {
            (Some(store), _) => store,
            (None, Some(locked)) => match sign_in(&mut terminal, locked, &launch)? {
                Some(store) => store,
                None => return Ok(()),
            },
            (None, None) => return Ok(()),
        };
        let mut app = App::new(store, launch.lang, Theme::from_env());
        app.is_demo = demo_dir.is_some();
        event_loop(&mut terminal, &mut app).map_err(terminal_failure)
    })();
    restore();
    drop(demo_dir);
    result
}

fn terminal_failure(e: io::Error) -> Failure {
    format!("terminal: {e}")
}

/// The sign-in screen: returns the opened store, or None when the officer leaves.
fn sign_in(
    terminal: &mut ratatui::DefaultTerminal,
    locked: Locked,
    launch: &Launch,
) -> Result<Option<Store>, Failure> {
    let lang = launch.lang;
    let theme = Theme::from_env();
    let today = launch
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut screen = SignIn::new(locked.state(), launch.user.as_deref(), today, lang);
    loop {
        terminal
            .draw(|f| screen.render(f, lang, theme))
            .map_err(terminal_failure)?;
        let action = match event::read().map_err(terminal_failure)? {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                resolve(&key, keymap::Scope::Form, true)
            }
            Event::Paste(text) => Some(Action::Paste(text)),
            _ => None,
        };
        let Some(action) = action else { continue };
        match screen.handle(&action) {
            Step::Continue => {}
            Step::Quit => return Ok(None),
            Step::Submit(credentials) => {
                // The key derivation takes about half a second: say so before it starts.
                screen.busy = Some("signin.checking");
                terminal
                    .draw(|f| screen.render(f, lang, theme))
                    .map_err(terminal_failure)?;
                match locked.sign_in(&credentials) {
                    Ok(unlocked) => {
                        screen.busy = Some("signin.opening");
                        terminal
                            .draw(|f| screen.render(f, lang, theme))
                            .map_err(terminal_failure)?;
                        let mut store = locked
                            .into_store(unlocked)
                            .map_err(|e| store_failure(&e, lang))?;
                        if let Some(day) = launch.today {
                            store.set_today(day);
                        }
                        return Ok(Some(store));
                    }
                    Err(e) => {
                        if screen.refused(&e, lang) {
                            return Err(tf(lang, "signin.too_many", &[]));
                        }
                    }
                }
            }
        }
    }
}

fn setup() -> io::Result<ratatui::DefaultTerminal> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    terminal::enable_raw_mode()?;
    execute!(
        io::stdout(),
        terminal::EnterAlternateScreen,
        event::EnableBracketedPaste
    )?;
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))
}

/// Puts the terminal back as it was. Safe to call more than once.
fn restore() {
    let _ = execute!(
        io::stdout(),
        event::DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> io::Result<()> {
    let mut needs_draw = true;
    let mut first_frame = true;
    loop {
        if needs_draw {
            terminal.draw(|frame| render(app, frame))?;
            needs_draw = false;
        }
        // Once the officer sees the program: a quick look at the indexes (tens of
        // milliseconds at a province's size), kept out of the first frame's budget.
        if std::mem::take(&mut first_frame) && app.warn_if_indexes_need_repair() {
            terminal.draw(|frame| render(app, frame))?;
        }
        // Block until something happens, then take everything already queued before drawing
        // once: pasted or fast-typed text costs one frame, not one per key.
        needs_draw |= handle_event(app, event::read()?);
        while !app.should_quit && event::poll(Duration::ZERO)? {
            needs_draw |= handle_event(app, event::read()?);
        }
        if app.pending.is_some() {
            run_pending(terminal, app)?;
            needs_draw = true;
        }
        if app.should_quit {
            return Ok(());
        }
    }
}

/// Draws the frame that says the work started, does it with a progress line on the
/// bottom row (straight to the terminal: the app is busy), then repaints everything.
fn run_pending(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> io::Result<()> {
    terminal.draw(|frame| render(app, frame))?;
    let row = terminal.size()?.height.saturating_sub(1);
    let Some(label) = app
        .pending
        .as_ref()
        .map(|w| crate::i18n::t(app.lang, w.label_key()))
    else {
        return Ok(());
    };
    let mut out = io::stdout();
    app.run_pending(&mut |done, total| {
        let _ = execute!(
            out,
            ratatui::crossterm::cursor::MoveTo(0, row),
            terminal::Clear(terminal::ClearType::CurrentLine),
            ratatui::crossterm::style::Print(format!("{label} {done}/{total}"))
        );
    });
    // The progress line goes, then an empty frame makes what ratatui believes is on
    // the screen true again, so the next frame is drawn whole. (`Terminal::clear` would
    // ask the terminal where its cursor is, and a terminal slow to answer ends the
    // program.)
    execute!(
        out,
        ratatui::crossterm::cursor::MoveTo(0, row),
        terminal::Clear(terminal::ClearType::CurrentLine)
    )?;
    terminal.draw(|_| {})?;
    Ok(())
}

/// Turns a terminal event into an action and applies it. Returns whether to redraw.
pub fn handle_event(app: &mut App, event: Event) -> bool {
    match event {
        // Windows reports key releases too; only presses (and held-down repeats) act.
        // "Press any key": a message closes on whichever key, even one bound to nothing.
        Event::Key(key) if key.kind != KeyEventKind::Release && app.takes_any_key() => {
            app.update(Action::Cmd(Cmd::Back))
        }
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            let (scope, text_focus) = app.key_scope();
            match resolve(&key, scope, text_focus) {
                // What the signed-in user may not do is not offered: the key does nothing.
                Some(Action::Cmd(cmd))
                    if keymap::needs(cmd, scope).is_some_and(|p| !app.store.may(p)) =>
                {
                    false
                }
                Some(action) => app.update(action),
                None => false,
            }
        }
        Event::Paste(text) => app.update(Action::Paste(text)),
        Event::Resize(_, _) => app.update(Action::Resize),
        _ => false,
    }
}

#[cfg(test)]
mod records_tests;
#[cfg(test)]
mod screen_tests;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;
