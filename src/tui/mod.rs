//! The terminal program: sets the terminal up, restores it on every way out (quit,
//! error, panic), and runs the loop: wait for an event, update, redraw only if needed.
//! No timer runs while idle, so an old laptop on battery is not kept awake.

mod app;
mod forms;
mod keymap;
mod screens;
mod theme;
mod ui;
mod widgets;

pub use app::{App, Modal};
pub use keymap::{Action, Cmd, resolve};
pub use theme::Theme;
pub use ui::render;

use crate::cli::{Cli, Failure};
use crate::store::{Credentials, KdfParams, OpenMode, Store};
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::{execute, terminal};
use std::io;
use std::time::Duration;

/// People in the throw-away demo database of `sinhke --demo`.
const DEMO_PEOPLE: usize = 300;

pub fn run(cli: &Cli) -> Result<(), Failure> {
    // The demo folder must outlive the store that has it open: declared first, dropped last.
    let mut demo_dir = None;
    let store = if cli.demo {
        let dir = tempfile::Builder::new()
            .prefix("sinhke-demo-")
            .tempdir()
            .map_err(|e| Failure {
                message: e.to_string(),
                code: 1,
            })?;
        // Invented data in a folder removed on quit: the signed-in user if one is given,
        // else a throw-away supervisor with a random passphrase and a cheap KDF.
        let credentials = cli.credentials().unwrap_or_else(|_| {
            let secret: [u8; 16] = crate::store::crypto::random_bytes().unwrap_or([7; 16]);
            let passphrase: String = secret.iter().map(|b| format!("{b:02x}")).collect();
            Credentials::new("demo", &passphrase)
        });
        let mut store = Store::open_with_kdf(
            dir.path(),
            OpenMode::CreateIfMissing,
            &credentials,
            KdfParams::TEST,
        )
        .map_err(|e| Failure::store(&e, cli.lang))?;
        if let Some(today) = cli.today {
            store.set_today(today);
        }
        let data = crate::demo::generate(DEMO_PEOPLE, 1, store.today());
        store
            .fill_empty(data)
            .map_err(|e| Failure::store(&e, cli.lang))?;
        demo_dir = Some(dir);
        store
    } else {
        cli.open_store(OpenMode::CreateIfMissing)?
    };
    let mut app = App::new(store, cli.lang, Theme::from_env());
    app.is_demo = demo_dir.is_some();
    let result = run_terminal(&mut app);
    drop(app);
    drop(demo_dir);
    result.map_err(|e| Failure {
        message: format!("terminal: {e}"),
        code: 1,
    })
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

fn run_terminal(app: &mut App) -> io::Result<()> {
    let mut terminal = setup()?;
    let result = event_loop(&mut terminal, app);
    restore();
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> io::Result<()> {
    let mut needs_draw = true;
    loop {
        if needs_draw {
            terminal.draw(|frame| render(app, frame))?;
            needs_draw = false;
        }
        // Block until something happens, then take everything already queued before drawing
        // once: pasted or fast-typed text costs one frame, not one per key.
        needs_draw |= handle_event(app, event::read()?);
        while !app.should_quit && event::poll(Duration::ZERO)? {
            needs_draw |= handle_event(app, event::read()?);
        }
        if app.should_quit {
            return Ok(());
        }
    }
}

/// Turns a terminal event into an action and applies it. Returns whether to redraw.
pub fn handle_event(app: &mut App, event: Event) -> bool {
    match event {
        // Windows reports key releases too; only presses (and held-down repeats) act.
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            let (scope, text_focus) = app.key_scope();
            match resolve(&key, scope, text_focus) {
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
mod tests;
