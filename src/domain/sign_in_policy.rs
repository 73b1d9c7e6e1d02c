//! Who must sign in with a second factor (an admin's setting).

use serde::{Deserialize, Serialize};

use super::Role;

/// "Require two-factor sign-in for: nobody / admins / everyone".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TwoFactorRule {
    #[default]
    Nobody,
    Admins,
    Everyone,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwoFactorRuleError;

impl TwoFactorRule {
    pub const ALL: [TwoFactorRule; 3] = [Self::Nobody, Self::Admins, Self::Everyone];

    pub fn parse(raw: &str) -> Result<Self, TwoFactorRuleError> {
        match raw.trim() {
            "nobody" => Ok(Self::Nobody),
            "admins" => Ok(Self::Admins),
            "everyone" => Ok(Self::Everyone),
            _ => Err(TwoFactorRuleError),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nobody => "nobody",
            Self::Admins => "admins",
            Self::Everyone => "everyone",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Nobody => "Nobody",
            Self::Admins => "Admins",
            Self::Everyone => "Everyone",
        }
    }

    /// Whether staff with `role` must have a second factor.
    pub fn covers(self, role: Role) -> bool {
        match self {
            Self::Nobody => false,
            Self::Admins => role == Role::Admin,
            Self::Everyone => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_covers_the_roles_it_names() {
        for role in Role::ALL {
            assert!(!TwoFactorRule::Nobody.covers(role));
            assert!(TwoFactorRule::Everyone.covers(role));
            assert_eq!(TwoFactorRule::Admins.covers(role), role == Role::Admin);
        }
    }

    #[test]
    fn only_the_three_names_parse() {
        for rule in TwoFactorRule::ALL {
            assert_eq!(TwoFactorRule::parse(rule.as_str()), Ok(rule));
        }
        for bad in ["", "Admins", "all", "admin", "nobody,admins"] {
            assert_eq!(TwoFactorRule::parse(bad), Err(TwoFactorRuleError), "{bad}");
        }
    }
}
