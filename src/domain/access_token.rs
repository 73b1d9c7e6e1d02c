//! Personal access tokens for the staff API: who may make which, and what a
//! token may do. A token acts for its owner, never beyond the owner's role,
//! and a `read` token only reads.

use serde::{Deserialize, Serialize};

use super::message::Message;
use super::validation::FieldMessage;
use super::Role;

/// What every token starts with (`mspt_` + 43 characters: 256 random bits).
pub const TOKEN_PREFIX: &str = "mspt_";
pub const NAME_MAX_CHARS: u32 = 60;
/// The longest a token may live.
pub const MAX_DAYS: u32 = 365;
/// Tokens one staff member may have that are neither revoked nor expired.
pub const MAX_PER_PERSON: u32 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenScope {
    /// Reads what a viewer may read.
    Read,
    /// Reads and changes, as far as the owner's role allows.
    Write,
}

impl TokenScope {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    /// The widest scope an owner of `role` may give a token: changing needs
    /// an operator.
    pub fn widest_for(role: Role) -> Self {
        if role.includes(Role::Operator) {
            Self::Write
        } else {
            Self::Read
        }
    }
}

/// What a route needs from its caller: a role, and whether it changes
/// anything (then a token needs the `write` scope).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    pub role: Role,
    pub writes: bool,
}

impl Needs {
    pub const fn reads(role: Role) -> Self {
        Self { role, writes: false }
    }

    pub const fn writes(role: Role) -> Self {
        Self { role, writes: true }
    }

    /// Whether a token of `scope` owned by someone of `owner`'s role may do it.
    pub fn met_by(self, owner: Role, scope: TokenScope) -> bool {
        owner.includes(self.role) && (!self.writes || scope == TokenScope::Write)
    }
}

/// The form that makes a token, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenForm {
    pub name: String,
    pub scope: String,
    pub expires_days: String,
}

/// A token's checked wishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub scope: TokenScope,
    pub days: u32,
}

impl TokenForm {
    /// Every field checked for an owner of `owner`'s role: a name (1 to 60
    /// characters, no control characters), a scope the role allows, 1 to
    /// 365 days.
    pub fn validate(&self, owner: Role) -> Result<NewToken, Vec<FieldMessage>> {
        let mut problems = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            problems.push(FieldMessage::new("name", Message::FillIn));
        } else if name.chars().count() > NAME_MAX_CHARS as usize {
            problems.push(FieldMessage::new("name", Message::AtMost { max: NAME_MAX_CHARS }));
        } else if name.chars().any(char::is_control) {
            problems.push(FieldMessage::new("name", Message::NoControlCharacters));
        }
        let scope = match TokenScope::parse(&self.scope) {
            None => {
                problems.push(FieldMessage::new("scope", Message::TokenScopeUnknown));
                None
            }
            Some(TokenScope::Write) if TokenScope::widest_for(owner) == TokenScope::Read => {
                problems.push(FieldMessage::new("scope", Message::TokenScopeAboveRole));
                None
            }
            Some(scope) => Some(scope),
        };
        let range = Message::WholeNumberRange { min: 1, max: MAX_DAYS };
        let days = match self.expires_days.trim().parse::<u32>() {
            Ok(days) if (1..=MAX_DAYS).contains(&days) => Some(days),
            _ => {
                problems.push(FieldMessage::new("expires_days", range));
                None
            }
        };
        match (scope, days) {
            (Some(scope), Some(days)) if problems.is_empty() => Ok(NewToken { name: name.to_owned(), scope, days }),
            _ => Err(problems),
        }
    }
}

/// Whether a token can be used now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

/// A token's state at `now` from its expiry and revocation.
pub fn state_at<T: PartialOrd>(expires_at: T, revoked: bool, now: T) -> TokenState {
    if revoked {
        TokenState::Revoked
    } else if expires_at <= now {
        TokenState::Expired
    } else {
        TokenState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, scope: &str, days: &str) -> TokenForm {
        TokenForm { name: name.to_owned(), scope: scope.to_owned(), expires_days: days.to_owned() }
    }

    fn fields(result: Result<NewToken, Vec<FieldMessage>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|m| format!("{}:{}", m.field, m.message.wire())).collect()
    }

    #[test]
    fn a_valid_form_is_trimmed() {
        let token = form("  Invoicing script ", "write", " 90 ").validate(Role::Operator).unwrap();
        assert_eq!(token, NewToken { name: "Invoicing script".to_owned(), scope: TokenScope::Write, days: 90 });
        assert_eq!(form("x", "read", "1").validate(Role::Viewer).unwrap().days, 1);
        assert_eq!(form("x", "read", "365").validate(Role::Admin).unwrap().days, 365);
    }

    #[test]
    fn each_field_is_bounded() {
        assert_eq!(
            fields(form(" ", "admin", "366").validate(Role::Admin)),
            ["name:fill_in", "scope:token_scope_unknown", "expires_days:whole_number_range|1|365"]
        );
        assert_eq!(fields(form(&"ä".repeat(61), "read", "0").validate(Role::Admin)).len(), 2);
        assert!(form(&"ä".repeat(60), "read", "7").validate(Role::Admin).is_ok());
        assert_eq!(fields(form("a\u{7}b", "read", "7").validate(Role::Admin)), ["name:no_control_characters"]);
        for days in ["-1", "1.5", "", "99999999999"] {
            assert_eq!(
                fields(form("x", "read", days).validate(Role::Admin)),
                ["expires_days:whole_number_range|1|365"]
            );
        }
    }

    #[test]
    fn a_viewer_may_only_make_read_tokens() {
        assert_eq!(fields(form("x", "write", "7").validate(Role::Viewer)), ["scope:token_scope_above_role"]);
        assert!(form("x", "write", "7").validate(Role::Operator).is_ok());
    }

    #[test]
    fn a_token_never_does_more_than_its_owner_or_its_scope() {
        use TokenScope::{Read, Write};
        let read_customers = Needs::reads(Role::Viewer);
        let change_customers = Needs::writes(Role::Operator);
        let admin_read = Needs::reads(Role::Admin);
        assert!(read_customers.met_by(Role::Viewer, Read));
        assert!(!change_customers.met_by(Role::Admin, Read), "read scope never writes");
        assert!(change_customers.met_by(Role::Operator, Write));
        assert!(!change_customers.met_by(Role::Viewer, Write), "the owner's role caps the scope");
        assert!(!admin_read.met_by(Role::Operator, Write));
        assert!(admin_read.met_by(Role::Admin, Read));
    }

    #[test]
    fn a_token_is_active_until_it_expires_or_is_revoked() {
        assert_eq!(state_at(10, false, 9), TokenState::Active);
        assert_eq!(state_at(10, false, 10), TokenState::Expired);
        assert_eq!(state_at(10, true, 9), TokenState::Revoked);
    }
}
