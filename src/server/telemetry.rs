use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::Utc;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::views::status::LoggedProblem;

/// How many different errors, and apart from them warnings, the status
/// page can show (the page says so too).
pub const RECENT_PROBLEMS: usize = 50;

/// The most characters kept of one message.
const MESSAGE_MAX_CHARS: usize = 500;

/// The last different warnings and errors of this process, each with how
/// often it came, newest last (the log itself goes to standard error; this
/// is what the status page shows). Errors and warnings are kept apart, so a
/// flood of warnings cannot push an error out.
#[derive(Default)]
struct Recent {
    errors: VecDeque<LoggedProblem>,
    warnings: VecDeque<LoggedProblem>,
    error_total: u64,
    warning_total: u64,
}

static RECENT: Mutex<Recent> =
    Mutex::new(Recent { errors: VecDeque::new(), warnings: VecDeque::new(), error_total: 0, warning_total: 0 });

/// What the status page shows of the log: the kept errors and warnings, and
/// how many of each came since the start.
pub struct RecentProblems {
    pub errors: Vec<LoggedProblem>,
    pub warnings: Vec<LoggedProblem>,
    pub error_total: u64,
    pub warning_total: u64,
}

pub fn recent_problems() -> RecentProblems {
    match RECENT.lock() {
        Ok(r) => RecentProblems {
            errors: r.errors.iter().cloned().collect(),
            warnings: r.warnings.iter().cloned().collect(),
            error_total: r.error_total,
            warning_total: r.warning_total,
        },
        Err(_) => RecentProblems { errors: Vec::new(), warnings: Vec::new(), error_total: 0, warning_total: 0 },
    }
}

/// Adds a problem to its list: a repeat of a kept one (same level, target
/// and message) counts up and moves to the end; a new one pushes the
/// oldest out when the list is full.
fn keep(list: &mut VecDeque<LoggedProblem>, problem: LoggedProblem) {
    if let Some(i) = list.iter().position(|p| p.target == problem.target && p.message == problem.message) {
        if let Some(mut same) = list.remove(i) {
            same.count = same.count.saturating_add(1);
            same.at = problem.at;
            list.push_back(same);
        }
        return;
    }
    if list.len() == RECENT_PROBLEMS {
        list.pop_front();
    }
    list.push_back(problem);
}

/// Collects the message and the fields of an event as one line.
#[derive(Default)]
struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        if field.name() == "message" {
            self.0.push_str(&format!("{value:?}"));
        } else {
            self.0.push_str(&format!("{}={value:?}", field.name()));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            self.0.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }
}

struct KeepProblems;

impl<S: Subscriber> Layer<S> for KeepProblems {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let mut line = Line::default();
        event.record(&mut line);
        let mut message: String = line.0.chars().take(MESSAGE_MAX_CHARS).collect();
        if message.len() < line.0.len() {
            message.push('…');
        }
        let now = Utc::now();
        let problem = LoggedProblem {
            at: now,
            first_at: now,
            count: 1,
            level: level.to_string(),
            target: event.metadata().target().to_owned(),
            message,
        };
        if let Ok(mut recent) = RECENT.lock() {
            if level == Level::ERROR {
                recent.error_total += 1;
                keep(&mut recent.errors, problem);
            } else {
                recent.warning_total += 1;
                keep(&mut recent.warnings, problem);
            }
        }
    }
}

/// How log lines look: `MSP_LOG_FORMAT=text` (default, for people) or
/// `json` (one JSON object per line, for log collectors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        match raw.map(str::trim).unwrap_or("") {
            "" | "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("MSP_LOG_FORMAT must be text or json, not {other:?}")),
        }
    }
}

/// Logs to standard error; `RUST_LOG` filters (default: info, sqlx
/// warnings), `MSP_LOG_FORMAT` chooses text or JSON. Nothing secret is
/// ever logged: no password, API key, session token or cookie.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let format = LogFormat::parse(std::env::var("MSP_LOG_FORMAT").ok().as_deref()).unwrap_or_else(|message| {
        eprintln!("{message}; logging as text");
        LogFormat::Text
    });
    let output = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let registry = tracing_subscriber::registry().with(filter).with(KeepProblems);
    let _ = match format {
        LogFormat::Text => registry.with(output).try_init(),
        LogFormat::Json => registry.with(output.json().flatten_event(true)).try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_and_errors_are_kept_for_the_status_page_and_nothing_else() {
        let subscriber = tracing_subscriber::registry().with(KeepProblems);
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("not kept");
            tracing::warn!(customer = 7, "kept as a warning");
            tracing::error!("kept as an error");
        });
        let recent = recent_problems();
        let mine = |list: &[LoggedProblem]| -> Vec<(String, String)> {
            list.iter()
                .filter(|p| p.message.starts_with("kept") || p.message == "not kept")
                .map(|p| (p.level.clone(), p.message.clone()))
                .collect()
        };
        assert_eq!(mine(&recent.warnings), [("WARN".to_owned(), "kept as a warning customer=7".to_owned())]);
        assert_eq!(mine(&recent.errors), [("ERROR".to_owned(), "kept as an error".to_owned())]);
    }

    fn problem(message: &str) -> LoggedProblem {
        let at = Utc::now();
        LoggedProblem { at, first_at: at, count: 1, level: "WARN".into(), target: "t".into(), message: message.into() }
    }

    #[test]
    fn repeats_are_collapsed_and_a_flood_keeps_a_bounded_list() {
        let mut list = VecDeque::new();
        keep(&mut list, problem("disk low"));
        for n in 0..1_000 {
            keep(&mut list, problem(&format!("refused {n}")));
            keep(&mut list, problem("same again"));
        }
        assert_eq!(list.len(), RECENT_PROBLEMS);
        let same = list.iter().find(|p| p.message == "same again").unwrap();
        assert_eq!(same.count, 1_000);
        assert!(list.iter().all(|p| p.message != "disk low"), "the oldest made room");
    }

    #[test]
    fn the_log_format_is_text_unless_json_is_asked_for() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("text")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some(" json ")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("xml")).is_err());
    }
}
