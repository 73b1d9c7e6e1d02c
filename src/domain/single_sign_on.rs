//! Single sign-on with an OpenID Connect provider: the settings an admin
//! gives (and their limits), who a provider's sign-in may become, and the
//! reasons a sign-in is refused.

use serde::{Deserialize, Serialize};

use super::message::Message;
use super::validation::{FieldMessage, Problems};
use super::{Role, Username};

pub const DISPLAY_NAME_MAX_CHARS: usize = 40;
pub const ISSUER_MAX_CHARS: usize = 300;
pub const CLIENT_ID_MAX_CHARS: usize = 200;
pub const CLIENT_SECRET_MAX_CHARS: usize = 500;
pub const DOMAINS_MAX: usize = 10;
pub const CLAIM_MAX_CHARS: usize = 100;
/// The longest email a staff member can be linked by.
pub const EMAIL_MAX_CHARS: usize = 254;

/// Which staff may still sign in with a password.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordSignIn {
    #[default]
    Everyone,
    /// Only this admin (the break-glass account, for when the provider is
    /// down); everyone else signs in through the provider.
    OnlyBreakGlass(i64),
}

impl PasswordSignIn {
    /// Whether staff member `staff_id` may sign in with a password.
    pub fn allows(self, staff_id: i64) -> bool {
        match self {
            Self::Everyone => true,
            Self::OnlyBreakGlass(id) => id == staff_id,
        }
    }
}

/// How a role comes from the provider, when the admin configured it: the
/// claim (e.g. `groups` or `roles`) and the value that gives each role.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimMapping {
    pub claim: String,
    pub admin: String,
    pub operator: String,
    pub viewer: String,
}

impl ClaimMapping {
    pub fn is_configured(&self) -> bool {
        !self.claim.is_empty()
    }

    /// The role the claim's value gives (a string or a list of strings),
    /// the highest when several match; `None` when none does.
    pub fn role(&self, value: Option<&serde_json::Value>) -> Option<Role> {
        let values: Vec<&str> = match value {
            Some(serde_json::Value::String(one)) => vec![one.as_str()],
            Some(serde_json::Value::Array(many)) => many.iter().filter_map(|v| v.as_str()).collect(),
            _ => Vec::new(),
        };
        let has = |wanted: &str| !wanted.is_empty() && values.contains(&wanted);
        [(Role::Admin, &self.admin), (Role::Operator, &self.operator), (Role::Viewer, &self.viewer)]
            .into_iter()
            .find(|(_, wanted)| has(wanted))
            .map(|(role, _)| role)
    }
}

/// The settings as an admin enters them (the secret apart: it is never
/// sent back, and an empty one keeps the stored secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoSettings {
    pub enabled: bool,
    pub display_name: String,
    pub issuer_url: String,
    pub client_id: String,
    /// Email domains whose people get an account at their first sign-in.
    pub allowed_domains: Vec<String>,
    pub new_staff_role: Role,
    pub role_mapping: ClaimMapping,
    pub password_sign_in: PasswordSignIn,
}

/// Checks a field's length, trimmed.
fn text(problems: &mut Problems, field: &str, raw: &str, max: usize, required: bool) -> String {
    let trimmed = raw.trim();
    if required && trimmed.is_empty() {
        problems.add(field, Message::FillIn);
    } else if trimmed.chars().count() > max {
        problems.add(field, Message::AtMost { max: u32::try_from(max).unwrap_or(u32::MAX) });
    } else if trimmed.chars().any(char::is_control) {
        problems.add(field, Message::NoControlCharacters);
    }
    trimmed.to_owned()
}

/// An issuer URL: `https://`, or `http://` for a provider on this machine
/// (loopback), without query or fragment; the trailing `/` is kept as
/// given (the provider's `iss` must match it exactly).
pub fn parse_issuer(raw: &str) -> Result<String, Message> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Message::IssuerEmpty);
    }
    if raw.chars().count() > ISSUER_MAX_CHARS {
        return Err(Message::IssuerTooLong { max: ISSUER_MAX_CHARS as u32 });
    }
    let Ok(url) = url::Url::parse(raw) else { return Err(Message::IssuerNotUrl) };
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(Message::IssuerNotHttps),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(Message::IssuerParts);
    }
    Ok(raw.to_owned())
}

/// An email domain as an admin lists it: lower case, letters, digits, `-`
/// and dots between labels.
pub fn parse_domain(raw: &str) -> Result<String, Message> {
    let domain = raw.trim().trim_start_matches('@').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if domain.len() > 253 || !domain.contains('.') || !domain.split('.').all(label_ok) {
        return Err(Message::NotADomain { domain: raw.trim().chars().take(253).collect() });
    }
    Ok(domain)
}

/// The domains of a comma- or space-separated list, each once.
pub fn parse_domains(raw: &str) -> Result<Vec<String>, Message> {
    let mut domains: Vec<String> = Vec::new();
    for part in raw.split([',', ' ', '\n', ';']).filter(|p| !p.trim().is_empty()) {
        let domain = parse_domain(part)?;
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    if domains.len() > DOMAINS_MAX {
        return Err(Message::DomainsTooMany { max: DOMAINS_MAX as u32 });
    }
    Ok(domains)
}

/// The lower-cased domain of an email address, if it has one.
pub fn email_domain(email: &str) -> Option<String> {
    let (local, domain) = email.trim().rsplit_once('@')?;
    (!local.is_empty()).then(|| domain.to_ascii_lowercase())
}

/// An email a staff member is linked by (an admin's entry): trimmed, lower
/// case, one `@` with a domain after it.
pub fn parse_email(raw: &str) -> Result<String, Message> {
    let email = raw.trim().to_ascii_lowercase();
    let well_formed = email.chars().count() <= EMAIL_MAX_CHARS
        && email.matches('@').count() == 1
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email_domain(&email).is_some_and(|d| parse_domain(&d).is_ok());
    if well_formed {
        Ok(email)
    } else {
        Err(Message::EmailInvalid)
    }
}

impl SsoSettings {
    /// Checks what an admin entered, field by field.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        enabled: bool,
        display_name: &str,
        issuer_url: &str,
        client_id: &str,
        allowed_domains: &str,
        new_staff_role: &str,
        role_mapping: [&str; 4],
        password_sign_in: PasswordSignIn,
    ) -> Result<Self, Vec<FieldMessage>> {
        let mut problems = Problems::default();
        let display_name = text(&mut problems, "display_name", display_name, DISPLAY_NAME_MAX_CHARS, true);
        let issuer_url = problems.check("issuer_url", parse_issuer(issuer_url)).unwrap_or_default();
        let client_id = text(&mut problems, "client_id", client_id, CLIENT_ID_MAX_CHARS, true);
        let allowed_domains = problems.check("allowed_domains", parse_domains(allowed_domains)).unwrap_or_default();
        let new_staff_role = problems.check("new_staff_role", Role::parse(new_staff_role)).unwrap_or(Role::Viewer);
        let [claim, admin, operator, viewer] = role_mapping;
        let role_mapping = ClaimMapping {
            claim: text(&mut problems, "role_claim", claim, CLAIM_MAX_CHARS, false),
            admin: text(&mut problems, "role_admin", admin, CLAIM_MAX_CHARS, false),
            operator: text(&mut problems, "role_operator", operator, CLAIM_MAX_CHARS, false),
            viewer: text(&mut problems, "role_viewer", viewer, CLAIM_MAX_CHARS, false),
        };
        let values = [&role_mapping.admin, &role_mapping.operator, &role_mapping.viewer];
        if role_mapping.is_configured() && values.iter().all(|v| v.is_empty()) {
            problems.add("role_admin", Message::RoleValueMissing);
        }
        if !role_mapping.is_configured() && values.iter().any(|v| !v.is_empty()) {
            problems.add("role_claim", Message::RoleClaimMissing);
        }
        let settings = Self {
            enabled,
            display_name,
            issuer_url,
            client_id,
            allowed_domains,
            new_staff_role,
            role_mapping,
            password_sign_in,
        };
        problems.into_result(Some(settings))
    }

    /// Whether someone whose (verified) email is `email` gets an account at
    /// their first sign-in.
    pub fn admits_new(&self, email: Option<&str>) -> bool {
        email.and_then(email_domain).is_some_and(|domain| self.allowed_domains.contains(&domain))
    }
}

/// The user name of an account made at its first sign-in: the email, when
/// it is a valid user name.
pub fn username_for(email: &str) -> Option<Username> {
    Username::parse(email).ok()
}

/// Why a sign-in through the provider was refused: a code in the sign-in
/// page's address, and what the page says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SsoRefusal {
    /// No sign-in of this browser waits, or `state` does not match it.
    State,
    /// The provider said no (e.g. the person cancelled).
    Provider,
    /// The ID token did not check out (signature, issuer, audience,
    /// expiry, nonce).
    Token,
    /// The provider could not be reached or answered nonsense.
    Unreachable,
    /// No staff account belongs to this person, and none may be made.
    Unknown,
    /// The account is disabled.
    Disabled,
    /// A role mapping is configured and gives this person no role.
    NoRole,
    /// Too many sign-ins at once from this address, or in all.
    Busy,
    /// Single sign-on is not switched on.
    Off,
}

impl SsoRefusal {
    pub const ALL: [SsoRefusal; 9] = [
        Self::State,
        Self::Provider,
        Self::Token,
        Self::Unreachable,
        Self::Unknown,
        Self::Disabled,
        Self::NoRole,
        Self::Busy,
        Self::Off,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::State => "state",
            Self::Provider => "provider",
            Self::Token => "token",
            Self::Unreachable => "unreachable",
            Self::Unknown => "unknown",
            Self::Disabled => "disabled",
            Self::NoRole => "no_role",
            Self::Busy => "busy",
            Self::Off => "off",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::State => {
                "This sign-in could not be matched to one started in this browser (it may have expired). Please start again."
            }
            Self::Provider => "The sign-in was cancelled or refused at the identity provider.",
            Self::Token => "The identity provider's answer could not be verified, so you were not signed in.",
            Self::Unreachable => "The identity provider could not be reached. Please try again later.",
            Self::Unknown => "No staff account belongs to this sign-in. Ask an admin to create one for you.",
            Self::Disabled => "This staff account is disabled. Ask an admin.",
            Self::NoRole => "Your account at the identity provider has no role for this console. Ask an admin.",
            Self::Busy => "Too many sign-ins at once. Please wait a minute and try again.",
            Self::Off => "Single sign-on is not switched on.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings(domains: &str, mapping: [&str; 4]) -> Result<SsoSettings, Vec<FieldMessage>> {
        SsoSettings::parse(
            true,
            "Entra ID",
            "https://login.microsoftonline.com/tenant/v2.0",
            "client",
            domains,
            "viewer",
            mapping,
            PasswordSignIn::Everyone,
        )
    }

    #[test]
    fn issuers_are_https_or_loopback_http_without_query() {
        assert!(parse_issuer("https://login.microsoftonline.com/abc/v2.0").is_ok());
        assert!(parse_issuer("http://127.0.0.1:4000").is_ok());
        assert!(parse_issuer("http://localhost:4000/realms/x").is_ok());
        assert!(parse_issuer("http://[::1]:4000").is_ok());
        for bad in [
            "",
            "login.example.com",
            "http://login.example.com",
            "http://127.0.0.1.evil.example",
            "ftp://login.example.com",
            "https://login.example.com/?x=1",
            "https://login.example.com/#x",
            "https://user:pw@login.example.com/",
            "javascript:alert(1)",
        ] {
            assert!(parse_issuer(bad).is_err(), "{bad}");
        }
        assert!(parse_issuer(&format!("https://x.example/{}", "a".repeat(300))).is_err());
    }

    #[test]
    fn domains_are_lower_case_each_once_and_limited() {
        assert_eq!(
            parse_domains("Example.com, @corp.example.org example.com").unwrap(),
            ["example.com", "corp.example.org"]
        );
        assert_eq!(parse_domains("").unwrap(), Vec::<String>::new());
        for bad in ["localhost", "exa mple.com,", "-x.com", "x..com", "ex_ample.com", "é.com"] {
            assert!(parse_domains(bad).is_err() || bad.contains(' '), "{bad}");
        }
        let eleven: Vec<String> = (0..11).map(|i| format!("d{i}.example")).collect();
        assert!(parse_domains(&eleven.join(",")).is_err());
    }

    #[test]
    fn only_an_allowed_domain_admits_a_new_person() {
        let s = settings("corp.example", ["", "", "", ""]).unwrap();
        assert!(s.admits_new(Some("Ben@Corp.Example")));
        assert!(!s.admits_new(Some("ben@corp.example.evil.test")));
        assert!(!s.admits_new(Some("ben@sub.corp.example")));
        assert!(!s.admits_new(Some("corp.example")));
        assert!(!s.admits_new(Some("@corp.example")));
        assert!(!s.admits_new(None));
        let none = settings("", ["", "", "", ""]).unwrap();
        assert!(!none.admits_new(Some("ben@corp.example")));
    }

    #[test]
    fn a_mapped_claim_gives_the_highest_matching_role_and_nothing_else_does() {
        let mapping = ClaimMapping {
            claim: "groups".into(),
            admin: "msp-admins".into(),
            operator: "msp-ops".into(),
            viewer: String::new(),
        };
        assert_eq!(mapping.role(Some(&json!(["x", "msp-ops", "msp-admins"]))), Some(Role::Admin));
        assert_eq!(mapping.role(Some(&json!("msp-ops"))), Some(Role::Operator));
        assert_eq!(mapping.role(Some(&json!(["MSP-ADMINS"]))), None, "values match exactly");
        assert_eq!(mapping.role(Some(&json!([""]))), None, "an empty value gives no role");
        assert_eq!(mapping.role(Some(&json!(42))), None);
        assert_eq!(mapping.role(None), None);
    }

    #[test]
    fn a_mapping_needs_its_claim_and_a_value() {
        let missing_value = settings("", ["groups", "", "", ""]).unwrap_err();
        assert_eq!(missing_value[0].field, "role_admin");
        let missing_claim = settings("", ["", "admins", "", ""]).unwrap_err();
        assert_eq!(missing_claim[0].field, "role_claim");
        assert!(settings("", ["groups", "", "ops", ""]).is_ok());
    }

    #[test]
    fn every_field_is_checked_and_limited() {
        let long = "x".repeat(CLIENT_ID_MAX_CHARS + 1);
        let problems = SsoSettings::parse(
            true,
            "",
            "http://evil.example",
            &long,
            "nodomain",
            "owner",
            ["", "", "", ""],
            PasswordSignIn::Everyone,
        )
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["display_name", "issuer_url", "client_id", "allowed_domains", "new_staff_role"]);
    }

    #[test]
    fn emails_are_lower_case_with_one_at_and_a_domain() {
        assert_eq!(parse_email(" Ben@Corp.Example ").unwrap(), "ben@corp.example");
        for bad in ["ben", "ben@", "@corp.example", "a@b@corp.example", "ben @corp.example", "ben@corp"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
        assert!(parse_email(&format!("{}@corp.example", "a".repeat(250))).is_err());
    }

    #[test]
    fn password_sign_in_is_open_to_everyone_or_only_the_break_glass_admin() {
        assert!(PasswordSignIn::Everyone.allows(7));
        assert!(PasswordSignIn::OnlyBreakGlass(3).allows(3));
        assert!(!PasswordSignIn::OnlyBreakGlass(3).allows(7));
    }

    #[test]
    fn refusal_codes_read_back() {
        for refusal in SsoRefusal::ALL {
            assert_eq!(SsoRefusal::parse(refusal.code()), Some(refusal));
            assert!(!refusal.message().is_empty());
        }
        assert_eq!(SsoRefusal::parse("<script>"), None);
    }
}
