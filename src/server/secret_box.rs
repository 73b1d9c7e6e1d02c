//! Secrets kept at rest (the authenticator apps' shared secrets), encrypted
//! with AES-256-GCM under the key of `MSP_SECRET_KEY`. A sealed value is
//! base64 of a fresh 96-bit nonce followed by the ciphertext and its tag;
//! opening checks the tag, so a changed value or another key is an error,
//! never a wrong secret.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::RngCore;

use super::config::Config;
use super::db::Db;
use crate::error::AppError;

const NONCE_BYTES: usize = 12;

pub struct SecretBox(Aes256Gcm);

impl SecretBox {
    /// The key of `MSP_SECRET_KEY`: `None` when none is configured, an error
    /// when it is not 32 bytes of base64.
    pub fn from_config(config: &Config) -> Result<Option<Self>, String> {
        let Some(text) = &config.secret_key else { return Ok(None) };
        let bytes = STANDARD
            .decode(text.expose().trim())
            .map_err(|_| "MSP_SECRET_KEY is not base64 (make one with `openssl rand -base64 32`)".to_owned())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "MSP_SECRET_KEY must be 32 bytes (make one with `openssl rand -base64 32`)".to_owned())?;
        Ok(Some(Self(Aes256Gcm::new(&key.into()))))
    }

    /// The key, or a refusal a person can act on.
    pub fn required(config: &Config) -> Result<Self, AppError> {
        match Self::from_config(config) {
            Ok(Some(key)) => Ok(key),
            Ok(None) => Err(AppError::conflict(crate::domain::message::Message::SecretKeyMissing)),
            Err(why) => {
                tracing::error!("{why}");
                Err(AppError::Internal)
            }
        }
    }

    pub fn seal(&self, plain: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self.0.encrypt(Nonce::from_slice(&nonce), plain).expect("AES-GCM encrypts any length we store");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        STANDARD.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, AppError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| unreadable())?;
        if bytes.len() < NONCE_BYTES {
            return Err(unreadable());
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        self.0.decrypt(Nonce::from_slice(nonce), body).map_err(|_| unreadable())
    }
}

fn unreadable() -> AppError {
    tracing::error!("a stored secret does not open with MSP_SECRET_KEY (another key, or a changed value)");
    AppError::Internal
}

/// At start: a key that is set must be valid, and once an authenticator
/// secret or single sign-on's client secret is stored, a key must be set
/// (without it nobody with two-factor sign-in, or through the provider,
/// could sign in).
pub async fn check_at_start(config: &Config, db: &Db) -> anyhow::Result<()> {
    let key = SecretBox::from_config(config).map_err(anyhow::Error::msg)?;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_totp").fetch_one(db).await?;
    if key.is_none() && stored > 0 {
        anyhow::bail!(
            "{stored} staff members use an authenticator app, but MSP_SECRET_KEY is not set: \
             start with the key their secrets were stored under"
        );
    }
    let sso: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM single_sign_on WHERE client_secret <> ''").fetch_one(db).await?;
    if key.is_none() && sso > 0 {
        anyhow::bail!(
            "single sign-on's client secret is stored, but MSP_SECRET_KEY is not set: \
             start with the key it was stored under"
        );
    }
    let endpoints: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints").fetch_one(db).await?;
    if key.is_none() && endpoints > 0 {
        anyhow::bail!(
            "{endpoints} webhook endpoints are stored with sealed secrets, but MSP_SECRET_KEY is not set: \
             start with the key they were stored under"
        );
    }
    let smtp: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM smtp_settings WHERE password IS NOT NULL").fetch_one(db).await?;
    if key.is_none() && smtp > 0 {
        anyhow::bail!(
            "the mail server's password is stored sealed, but MSP_SECRET_KEY is not set: \
             start with the key it was stored under"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_key(key: &str) -> Config {
        let mut config = Config::for_database("sqlite::memory:");
        config.secret_key = Some(key.parse().unwrap());
        config
    }

    #[test]
    fn sealed_secrets_open_with_their_key_only() {
        let key = SecretBox::from_config(&with_key(&STANDARD.encode([7u8; 32]))).unwrap().unwrap();
        let other = SecretBox::from_config(&with_key(&STANDARD.encode([8u8; 32]))).unwrap().unwrap();
        let sealed = key.seal(b"twenty bytes secret!");
        assert_ne!(key.seal(b"twenty bytes secret!"), sealed, "a fresh nonce each time");
        assert!(!sealed.contains("twenty"));
        assert_eq!(key.open(&sealed).unwrap(), b"twenty bytes secret!");
        assert!(other.open(&sealed).is_err());
        let mut tampered = STANDARD.decode(&sealed).unwrap();
        tampered[20] ^= 1;
        assert!(key.open(&STANDARD.encode(tampered)).is_err());
        assert!(key.open("not base64!").is_err() && key.open("").is_err());
    }

    #[test]
    fn a_key_must_be_32_bytes_of_base64() {
        assert!(SecretBox::from_config(&Config::for_database("sqlite::memory:")).unwrap().is_none());
        assert!(SecretBox::from_config(&with_key("short")).is_err());
        assert!(SecretBox::from_config(&with_key(&STANDARD.encode([1u8; 16]))).is_err());
        assert!(SecretBox::from_config(&with_key(&format!(" {} ", STANDARD.encode([1u8; 32])))).unwrap().is_some());
        let shown = format!("{:?}", with_key(&STANDARD.encode([1u8; 32])));
        assert!(!shown.contains(&STANDARD.encode([1u8; 32])), "the key never shows in debug output");
    }
}
