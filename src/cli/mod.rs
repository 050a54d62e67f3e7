//! The command line: clap definitions and the headless commands, each a thin call into
//! the store or the reports. Run bare, sinhke opens the terminal program.

/// `println!` for commands: a closed pipe (`sinhke audit | head`, or Windows' error
/// 232/233 when the reader went away) ends the command quietly, and any other failure
/// to write (a full disk under `> file`) is said on stderr with a non-zero exit,
/// instead of the panic `println!` gives.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::write_line(format_args!($($arg)*))
    };
}

mod commands;
mod files;
mod hub;
mod imports;
mod people;
mod print;
mod security;
mod sync;
mod wards;

use crate::i18n::{Lang, tf};
use crate::store::{Credentials, KdfParams, Locked, OpenMode, Store, StoreError};
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

    /// Your user name in this database (a new database makes it its first supervisor)
    #[arg(long, global = true, env = "SINHKE_USER", value_name = "NAME")]
    pub user: Option<String>,

    /// Read your passphrase from the first line of FILE [default: $SINHKE_PASSPHRASE]
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,

    /// Key-derivation cost of a NEW database's first passphrase: default, or test (cheap,
    /// for automated tests only). Stored with the passphrase; ignored for existing ones.
    #[arg(long, global = true, env = "SINHKE_KDF", hide = true, value_parser = parse_kdf)]
    pub kdf: Option<KdfParams>,

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
        /// Only people of this ward, which exists (a ward laptop joined with a kit)
        #[arg(long, value_name = "CODE")]
        ward: Option<String>,
    },
    /// Count the records: one `name: count` line each
    Stats,
    /// Verify every value, reference and index entry; prints `ok` or what is wrong
    Check {
        /// First rebuild every index from the records, in one atomic write
        #[arg(long)]
        repair: bool,
    },
    /// List, add or edit the wards (phường/xã) of this database
    Wards {
        #[command(subcommand)]
        action: Option<WardAction>,
    },
    /// Mark a person entered in error (counted nowhere, kept in the history), or
    /// take the mark back (supervisors)
    People {
        #[command(subcommand)]
        action: PeopleAction,
    },
    /// List, add or remove the users of this database, or change a passphrase
    Users {
        #[command(subcommand)]
        action: Option<UserAction>,
    },
    /// Print the audit trail: who changed which record when (field names, never values)
    Audit {
        /// Only entries from this day on (yyyy-mm-dd)
        #[arg(long, value_parser = parse_day)]
        since: Option<NaiveDate>,
    },
    /// Write the whole database, still encrypted, into one self-checking file
    Backup {
        /// The backup file to write (e.g. on a USB stick)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Write a report as a CSV file for Excel (UTF-8 with BOM; people by code unless
    /// --include-names)
    Export {
        /// people, plans, grants, milestones, wards, grant-types, target-groups, overdue,
        /// or workbook: every summary with charts in one Excel workbook
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(["people", "plans", "grants", "milestones", "wards", "grant-types", "target-groups", "overdue", "workbook"]))]
        report: String,
        /// The file to write: CSV, or an Excel workbook when it ends in .xlsx
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// csv or xlsx (by default, from the file's extension)
        #[arg(long, value_parser = parse_format)]
        format: Option<crate::report::export::FileFormat>,
        /// In a workbook, add the lists of people (by code), plans, grants and follow-ups
        #[arg(long)]
        details: bool,
        /// Write full names, phones and addresses (people, or a workbook's list of people;
        /// supervisors; recorded in the audit trail)
        #[arg(long)]
        include_names: bool,
        /// Only this ward (code or name)
        #[arg(long)]
        ward: Option<String>,
        /// Only records from this day (yyyy-mm-dd): enrolment, plan, handover or due date
        #[arg(long, value_parser = parse_day)]
        from: Option<NaiveDate>,
        /// Only records up to this day (yyyy-mm-dd)
        #[arg(long, value_parser = parse_day)]
        to: Option<NaiveDate>,
        /// In summaries, write counts below K (and values that would reveal them) as "<K"
        #[arg(long, value_name = "K")]
        suppress_below: Option<u64>,
        /// comma (RFC 4180), or semicolon for an Excel whose regional settings use a
        /// decimal comma (Vietnamese ones do)
        #[arg(long, default_value = "comma", value_parser = parse_delimiter)]
        delimiter: crate::report::export::Delimiter,
    },
    /// Print documents to sign: the handover record of a grant (biên bản bàn giao)
    Print {
        #[command(subcommand)]
        what: PrintWhat,
    },
    /// (Optional, for offices with a network) The province hub on PostgreSQL: its
    /// schema and its login roles
    Hub {
        #[command(subcommand)]
        action: HubAction,
    },
    /// Exchange records between ward laptops and their supervisor: ward kits, signed and
    /// encrypted bundles by USB stick, devices, conflicts
    Sync {
        #[command(subcommand)]
        action: SyncAction,
    },
    /// Bring a ward's records in from a CSV file or a workbook: every row or none
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Replace the database with a backup (a supervisor of the backup signs in)
    Restore {
        /// The backup file
        file: PathBuf,
        /// Replace a folder that already holds a database
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SyncAction {
    /// (Supervisor) Write the kit that starts a ward laptop: the wards, the follow-up
    /// schedule and this database's public keys
    Kit {
        /// The ward the laptop works in (code)
        #[arg(long)]
        ward: String,
        /// The kit file to write (e.g. on a USB stick)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// (Ward laptop) Start a database from a ward kit, or join an existing one of that
    /// ward; the signed-in user becomes its first user
    Join {
        /// The kit file from the supervisor
        file: PathBuf,
    },
    /// Write a bundle: on a ward laptop, for its supervisor; with --to, the
    /// supervisor's return bundle for one ward
    Send {
        /// The bundle file to write (e.g. on a USB stick)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// (Supervisor) The ward the return bundle is for (code)
        #[arg(long, value_name = "WARD")]
        to: Option<String>,
        /// Resend every version, not only what was not acknowledged
        #[arg(long)]
        all: bool,
    },
    /// Merge a bundle: everything in it or, if anything is wrong, nothing
    Receive {
        /// The bundle file
        file: PathBuf,
    },
    /// Send through the province hub every version not sent yet (a ward laptop's first
    /// push announces its keys for the supervisor to accept)
    Push {
        /// The hub's address (postgresql://LOGIN:PASSWORD@HOST/DB); or SINHKE_HUB, or
        /// the address kept in Settings
        #[arg(long, value_name = "URL", env = "SINHKE_HUB", hide_env_values = true)]
        hub: Option<String>,
    },
    /// Receive from the province hub everything committed since the last pull, checked
    /// and merged as a bundle is
    Pull {
        /// The hub's address; or SINHKE_HUB, or the address kept in Settings
        #[arg(long, value_name = "URL", env = "SINHKE_HUB", hide_env_values = true)]
        hub: Option<String>,
    },
    /// Keep the province hub's address in Settings, encrypted, for push, pull and the
    /// sync screen; it is never printed back
    KeepHub {
        /// The hub's address; or SINHKE_HUB
        #[arg(long, value_name = "URL", env = "SINHKE_HUB", hide_env_values = true)]
        hub: Option<String>,
        /// A file whose first line is the address
        #[arg(long, value_name = "FILE")]
        url_file: Option<PathBuf>,
        /// Forget the address kept (bundles alone still work)
        #[arg(long)]
        forget: bool,
    },
    /// List this database and every device it exchanges with, with fingerprints
    Devices,
    /// (Supervisor) Print a ward laptop's audit trail as its bundles brought it
    Audit {
        /// The laptop's fingerprint
        fingerprint: String,
    },
    /// (Supervisor) Accept a ward laptop's keys after comparing the fingerprint by phone,
    /// and merge the bundles it sent while it waited
    Accept {
        /// The fingerprint, e.g. 7F3A-91C2-04BD-E5A1 (case and dashes do not matter)
        fingerprint: String,
    },
    /// List the records in conflict, or show one field by field
    Conflicts {
        /// A record id (or the start of one) to show in full
        record: Option<String>,
    },
    /// Resolve a conflict: keep one head, or take the merged proposal
    Resolve {
        /// The record id (or the start of one)
        record: String,
        /// Keep the head with this version id (or the start of one)
        #[arg(long, value_name = "VERSION", conflicts_with = "merge")]
        keep: Option<String>,
        /// Take the merged proposal (only when no field was changed two ways)
        #[arg(long)]
        merge: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PrintWhat {
    /// The handover record of a grant as a one-page A4 PDF to print and sign; with
    /// --ward and --date, every record of that day, one a page
    Handover {
        /// The grant's handover record number, e.g. BB-2025-640
        record: Option<String>,
        /// The PDF file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// With --date: every handover in this ward (code or name) on that day
        #[arg(long, requires = "date")]
        ward: Option<String>,
        /// With --ward: the day of the handovers (yyyy-mm-dd)
        #[arg(long, value_parser = parse_day, requires = "ward")]
        date: Option<NaiveDate>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportWhat {
    /// People: what `export people --include-names` writes, or a hand-made sheet with
    /// columns for name, sex, birth year, ward and target group (either language)
    People {
        #[command(flatten)]
        sheet: SheetArgs,
        /// Add likely duplicates too (same name, birth year and ward)
        #[arg(long)]
        allow_duplicates: bool,
    },
    /// Grants handed over: the person (code, or name + birth year + ward), item, kind,
    /// quantity, unit, unit value or total, handed over on, record number, supplier.
    /// Each gets its follow-up schedule; import the visits made since with `import visits`
    Grants {
        #[command(flatten)]
        sheet: SheetArgs,
    },
    /// Visits done: the person, the grant (record number or item), done on, by whom,
    /// and what was found (still operating, animals alive, monthly income, notes)
    Visits {
        #[command(flatten)]
        sheet: SheetArgs,
    },
    /// Livelihood plans: the person, business line, details, goal, budget, counselling
    /// sessions, drawn up on; with an approval date (supervisors), approved
    Plans {
        #[command(flatten)]
        sheet: SheetArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum HubAction {
    /// Create the hub's schema in an empty PostgreSQL database, or bring it up to date
    Init {
        #[command(flatten)]
        hub: HubArgs,
    },
    /// Make (or update) a login role: for one ward's laptops (--ward), a supervisor of
    /// every ward (--supervisor), or a dashboard that reads the de-identified view
    /// (--reader). Its password from SINHKE_HUB_PASSWORD or --password-file
    AddRole {
        #[command(flatten)]
        hub: HubArgs,
        /// The ward (code) whose rows this login may read and write
        #[arg(
            long,
            conflicts_with_all = ["supervisor", "reader"],
            required_unless_present_any = ["supervisor", "reader"]
        )]
        ward: Option<String>,
        /// A supervisor: every ward of the hub
        #[arg(long, conflicts_with = "reader")]
        supervisor: bool,
        /// Read-only: the analytics tables alone, for a dashboard tool or Excel (ODBC)
        #[arg(long)]
        reader: bool,
        /// The login name (letters, digits, _)
        #[arg(long)]
        login: String,
        /// A file whose first line is the password
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// (Supervisor) Write the de-identified view of every ward to the hub's analytics
    /// tables (codes, sex, age band, groups, grants, visits, referrals: never a name,
    /// phone, address or note); each pull refreshes it afterwards, under the same rule
    Publish {
        #[command(flatten)]
        hub: HubArgs,
        /// Publish only the summaries, counts below N withheld (as in exports)
        #[arg(long, value_name = "N")]
        suppress_below: Option<u64>,
    },
}

/// Where the hub is. The URL carries a password: it is read, never printed.
#[derive(clap::Args, Debug)]
pub struct HubArgs {
    /// The hub's address, a PostgreSQL URL (postgresql://USER:PASSWORD@HOST/DB);
    /// or SINHKE_HUB in the environment
    #[arg(long, env = "SINHKE_HUB", hide_env_values = true)]
    pub url: Option<String>,
    /// A file whose first line is that URL
    #[arg(long, value_name = "FILE", conflicts_with = "url")]
    pub url_file: Option<PathBuf>,
}

/// The sheet an import reads.
#[derive(clap::Args, Debug)]
pub struct SheetArgs {
    /// A CSV file, or an Excel or LibreOffice workbook (.xlsx, .xls, .ods)
    pub file: PathBuf,
    /// In a workbook, the sheet to read [default: the first whose header names the columns]
    #[arg(long)]
    pub sheet: Option<String>,
    /// Check every row and report, without writing anything
    #[arg(long)]
    pub dry_run: bool,
    /// For CSV: utf-8 or windows-1258 [default: utf-8, or windows-1258 when the whole file reads as Vietnamese in it]
    #[arg(long)]
    pub encoding: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum PeopleAction {
    /// Mark a person entered in error (a duplicate, a test): they and their plans,
    /// grants and visits leave every count, list and export; the record and its
    /// history stay
    MarkError {
        /// The person's code (CT-0012)
        code: String,
    },
    /// Take the mark back: the person counts again
    Restore {
        /// The person's code (CT-0012)
        code: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// List the users: name, role, ward
    List,
    /// Add a user (supervisors only); their passphrase from $SINHKE_NEW_PASSPHRASE or
    /// --new-passphrase-file
    Add {
        /// The new user's sign-in name
        name: String,
        /// officer or supervisor
        #[arg(long, default_value = "officer", value_parser = parse_role)]
        role: crate::domain::Role,
        /// The one ward this user works in [default: all wards]
        #[arg(long, value_name = "CODE")]
        ward: Option<String>,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Remove a user (supervisors only)
    Remove { name: String },
    /// Change your passphrase, or (supervisors) reset another user's: the new one from
    /// $SINHKE_NEW_PASSPHRASE or --new-passphrase-file
    Passwd {
        /// Whose passphrase [default: yours]
        name: Option<String>,
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
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
    /// Change a ward's name, district or province (supervisors); its code never changes
    Edit {
        /// The code of the ward to change (CT)
        #[arg(long)]
        code: String,
        /// The new name [default: unchanged]
        #[arg(long)]
        name: Option<String>,
        /// The new district [default: unchanged]
        #[arg(long)]
        district: Option<String>,
        /// The new province [default: unchanged]
        #[arg(long)]
        province: Option<String>,
    },
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| format!("unknown language '{text}': use vi or en"))
}

fn parse_kdf(text: &str) -> Result<KdfParams, String> {
    KdfParams::parse(text).ok_or_else(|| format!("unknown KDF cost '{text}': use default or test"))
}

fn parse_role(text: &str) -> Result<crate::domain::Role, String> {
    crate::domain::Role::from_code(text)
        .ok_or_else(|| format!("unknown role '{text}': use officer or supervisor"))
}

fn parse_delimiter(text: &str) -> Result<crate::report::export::Delimiter, String> {
    use crate::report::export::Delimiter;
    match text.trim().to_ascii_lowercase().as_str() {
        "comma" | "," => Ok(Delimiter::Comma),
        "semicolon" | ";" => Ok(Delimiter::Semicolon),
        _ => Err(format!("'{text}': use comma or semicolon")),
    }
}

fn parse_format(text: &str) -> Result<crate::report::export::FileFormat, String> {
    use crate::report::export::FileFormat;
    match text.trim().to_ascii_lowercase().as_str() {
        "csv" => Ok(FileFormat::Csv),
        "xlsx" | "excel" => Ok(FileFormat::Xlsx),
        _ => Err(format!("'{text}': use csv or xlsx")),
    }
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    crate::domain::dates::parse_date(text)
        .ok_or_else(|| format!("not a date: '{text}' (use yyyy-mm-dd)"))
}

/// Writes one line of a command's output; see `say!`.
pub(crate) fn write_line(args: std::fmt::Arguments) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = out
        .write_fmt(args)
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush());
    if let Err(e) = written {
        output_failed(&e);
    }
}

/// Whether a write failed because the reading end of a pipe has gone.
fn is_closed_pipe(e: &std::io::Error) -> bool {
    // 232: ERROR_NO_DATA, 233: ERROR_PIPE_NOT_CONNECTED (Windows).
    e.kind() == std::io::ErrorKind::BrokenPipe || matches!(e.raw_os_error(), Some(232 | 233))
}

fn output_failed(e: &std::io::Error) -> ! {
    use std::io::Write;
    if is_closed_pipe(e) {
        std::process::exit(0);
    }
    let _ = writeln!(std::io::stderr(), "sinhke: {e}");
    std::process::exit(1);
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

    /// A message by key, with its placeholders filled.
    pub fn text(lang: Lang, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> Failure {
        Failure {
            message: tf(lang, key, args),
            code: 1,
        }
    }
}

// Below both front ends: the terminal program says the same words.
pub use crate::messages::store_message;

/// The first line of a file, for passphrases given in files (a trailing newline is not
/// part of the passphrase, nor the byte-order mark Windows Notepad may put first).
fn first_line(path: &std::path::Path, lang: Lang) -> Result<zeroize::Zeroizing<String>, Failure> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        Failure::text(
            lang,
            "cli.passphrase_file",
            &[("path", &path.display()), ("detail", &e)],
        )
    })?);
    Ok(zeroize::Zeroizing::new(
        text.trim_start_matches('\u{feff}')
            .lines()
            .next()
            .unwrap_or("")
            .to_string(),
    ))
}

/// A passphrase from a file if one is named, else from an environment variable.
fn passphrase_from(
    file: Option<&std::path::Path>,
    var: &str,
    lang: Lang,
) -> Result<Option<zeroize::Zeroizing<String>>, Failure> {
    match file {
        Some(path) => first_line(path, lang).map(Some),
        None => Ok(std::env::var(var).ok().map(zeroize::Zeroizing::new)),
    }
}

impl Cli {
    pub fn db_dir(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(default_db_dir)
    }

    /// Who signs in: `--user`/`SINHKE_USER` and `--passphrase-file`/`SINHKE_PASSPHRASE`.
    pub fn credentials(&self) -> Result<Credentials, Failure> {
        let user = self
            .user
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| Failure::text(self.lang, "cli.no_user", &[]))?;
        let passphrase = passphrase_from(
            self.passphrase_file.as_deref(),
            "SINHKE_PASSPHRASE",
            self.lang,
        )?
        .ok_or_else(|| Failure::text(self.lang, "cli.no_passphrase", &[]))?;
        Ok(Credentials::new(user, &passphrase))
    }

    /// A new passphrase for `users add` and `users passwd`.
    pub fn new_passphrase(
        &self,
        file: Option<&std::path::Path>,
    ) -> Result<zeroize::Zeroizing<String>, Failure> {
        passphrase_from(file, "SINHKE_NEW_PASSPHRASE", self.lang)?
            .ok_or_else(|| Failure::text(self.lang, "cli.no_new_passphrase", &[]))
    }

    /// What the terminal program needs from the command line.
    fn launch(&self) -> crate::tui::Launch {
        crate::tui::Launch {
            lang: self.lang,
            demo: self.demo,
            credentials: self.credentials().ok(),
            user: self.user.clone(),
            db_dir: self.db_dir(),
            kdf_for_new: self.kdf_for_new(),
            today: self.today,
        }
    }

    /// The KDF cost for a database this run creates.
    pub fn kdf_for_new(&self) -> KdfParams {
        self.kdf.unwrap_or(KdfParams::DEFAULT)
    }

    /// The one place the CLI and the TUI open a database: take its lock, sign in,
    /// load. A new database gets the signing-in user as its first supervisor.
    pub fn open_store(&self, mode: OpenMode) -> Result<Store, Failure> {
        self.try_open_store(mode)?
            .map_err(|e| Failure::store(&e, self.lang))
    }

    /// `open_store`, leaving store errors to the caller (the outer error: no credentials).
    pub fn try_open_store(&self, mode: OpenMode) -> Result<Result<Store, StoreError>, Failure> {
        let credentials = self.credentials()?;
        let dir = self.db_dir();
        let open = || {
            let locked = Locked::open(&dir, mode)?.with_kdf_for_new(self.kdf_for_new());
            let unlocked = locked.sign_in(&credentials)?;
            locked.into_store(unlocked)
        };
        let opened = match open() {
            // A CD or a locked stick: read, check, export and back up from a copy.
            Err(StoreError::ReadOnly(_)) if mode == OpenMode::MustExist => {
                let store = crate::store::open_read_only_copy(&dir, &credentials);
                if store.is_ok() {
                    eprintln!(
                        "{}",
                        tf(self.lang, "cli.read_only_copy", &[("path", &dir.display())])
                    );
                }
                store
            }
            other => other,
        };
        Ok(opened.map(|mut store| {
            if let Some(today) = self.today {
                store.set_today(today);
            }
            store
        }))
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        None => crate::tui::run(cli.launch()).map_err(|message| Failure { message, code: 1 }),
        Some(command) => commands::run(&cli, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "sinhke: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}
