//! The command line: clap definitions and the headless commands, each a thin call into
//! the store or the reports. Run bare, sinhke opens the terminal program.

mod commands;

use crate::i18n::{Lang, tf};
use crate::store::{OpenMode, Store, StoreError};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "sinhke",
    version,
    about = "Livelihood grants for trafficking survivors, ward by ward (sinh kế)"
)]
pub struct Cli {
    /// The database folder [default: the platform data folder, or $SINHKE_DB]
    #[arg(long, global = true, env = "SINHKE_DB", value_name = "DIR")]
    pub db: Option<PathBuf>,

    /// Language of screens and messages: vi or en
    #[arg(long, global = true, env = "SINHKE_LANG", value_parser = parse_lang, default_value = "vi")]
    pub lang: Lang,

    /// Open the program on a fresh demo database in a temporary folder, removed on quit
    #[arg(long)]
    pub demo: bool,

    /// Pretend today is this date (yyyy-mm-dd), for tests and training
    #[arg(long, global = true, env = "SINHKE_TODAY", hide = true, value_parser = parse_day)]
    pub today: Option<NaiveDate>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fill an empty database with invented demo people, plans, grants and visits
    Demo {
        /// How many people
        #[arg(long, default_value_t = 60)]
        people: usize,
        /// Seed: the same seed on the same day gives the same data
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Count the records: one `name: count` line each
    Stats,
    /// Verify every value, reference and index entry; prints `ok` or what is wrong
    Check,
    /// List or add the wards (phường/xã) of this database
    Wards {
        #[command(subcommand)]
        action: Option<WardAction>,
    },
}

#[derive(Subcommand, Debug)]
pub enum WardAction {
    /// List the wards, one per line: code, name, district, province
    List,
    /// Add a ward
    Add {
        /// Short capital code, prefix of person codes (CT in CT-0012)
        #[arg(long)]
        code: String,
        /// Name, e.g. "Cao Thắng"
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        district: String,
        #[arg(long, default_value = "")]
        province: String,
    },
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| format!("unknown language '{text}': use vi or en"))
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    crate::domain::dates::parse_date(text)
        .ok_or_else(|| format!("not a date: '{text}' (use yyyy-mm-dd)"))
}

/// Where data lives when no --db is given: the platform's local data folder
/// (not the roaming one: these records must not travel with a Windows profile).
pub fn default_db_dir() -> PathBuf {
    directories::ProjectDirs::from("org", "sinhke", "sinhke")
        .map(|dirs| dirs.data_local_dir().join("data"))
        .unwrap_or_else(|| PathBuf::from("sinhke-data"))
}

/// What a command reports when it fails: a message in the user's language, and an exit code.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    pub fn store(err: &StoreError, lang: Lang) -> Failure {
        Failure {
            message: store_message(err, lang),
            code: 1,
        }
    }
}

/// A store error in words, with its path and detail filled in.
pub fn store_message(err: &StoreError, lang: Lang) -> String {
    let (path, detail) = match err {
        StoreError::Missing(p)
        | StoreError::NotADatabase(p)
        | StoreError::AlreadyOpen(p)
        | StoreError::TooNew(p) => (p.display().to_string(), String::new()),
        StoreError::Damaged { path, detail } => (path.display().to_string(), detail.clone()),
        StoreError::ReadOnly(d) | StoreError::Io(d) | StoreError::CodeTaken(d) => {
            (String::new(), d.clone())
        }
        _ => (String::new(), String::new()),
    };
    tf(
        lang,
        err.message_key(),
        &[("path", &path), ("detail", &detail)],
    )
}

impl Cli {
    pub fn db_dir(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(default_db_dir)
    }

    pub fn open_store(&self, mode: OpenMode) -> Result<Store, Failure> {
        let mut store =
            Store::open(&self.db_dir(), mode).map_err(|e| Failure::store(&e, self.lang))?;
        if let Some(today) = self.today {
            store.set_today(today);
        }
        Ok(store)
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        None => crate::tui::run(&cli),
        Some(command) => commands::run(&cli, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!("sinhke: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}
