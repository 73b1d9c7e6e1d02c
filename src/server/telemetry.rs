use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::Utc;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

pub use crate::api::status::LoggedProblem;

/// How many warnings and errors the status page can show (the page says so too).
pub const RECENT_PROBLEMS: usize = 100;

/// The last warnings and errors of this process, newest last (the log
/// itself goes to standard error; this is what the status page shows).
static RECENT: Mutex<VecDeque<LoggedProblem>> = Mutex::new(VecDeque::new());

pub fn recent_problems() -> Vec<LoggedProblem> {
    RECENT.lock().map(|r| r.iter().cloned().collect()).unwrap_or_default()
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
        let problem = LoggedProblem {
            at: Utc::now(),
            level: level.to_string(),
            target: event.metadata().target().to_owned(),
            message: line.0,
        };
        if let Ok(mut recent) = RECENT.lock() {
            if recent.len() == RECENT_PROBLEMS {
                recent.pop_front();
            }
            recent.push_back(problem);
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
        let mine: Vec<(&str, &str)> = recent
            .iter()
            .filter(|p| p.message.starts_with("kept") || p.message == "not kept")
            .map(|p| (p.level.as_str(), p.message.as_str()))
            .collect();
        assert_eq!(mine, [("WARN", "kept as a warning customer=7"), ("ERROR", "kept as an error")]);
    }

    #[test]
    fn the_log_format_is_text_unless_json_is_asked_for() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("text")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some(" json ")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("xml")).is_err());
    }
}
