use tracing_subscriber::EnvFilter;

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
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::LogFormat;

    #[test]
    fn the_log_format_is_text_unless_json_is_asked_for() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("text")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some(" json ")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("xml")).is_err());
    }
}
