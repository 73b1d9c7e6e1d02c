//! Password hashing with Argon2id (m = 19 MiB, t = 2, p = 1), always run on
//! the blocking thread pool so that a login never stalls the async workers.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::Password;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a new password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash(password: &Password) -> anyhow::Result<String> {
    let plain = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(plain.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("cannot hash a password: {e}"))
    })
    .await?
}

/// Checks a typed password against a stored PHC string. Without a stored
/// hash (unknown user) it still does the same work, so that timing does not
/// tell which user names exist.
pub async fn verify(typed: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.with(|h| h.clone()));
        match PasswordHash::new(&stored) {
            Ok(parsed) => argon2().verify_password(typed.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false)
}

thread_local! {
    static DUMMY_HASH: String = {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"no user has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_is_argon2id_with_the_required_cost_and_verifies() {
        let password = Password::parse("a long enough secret").unwrap();
        let stored = hash(&password).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("a long enough secret".into(), Some(stored.clone())).await);
        assert!(!verify("a long enough secreT".into(), Some(stored)).await);
        assert!(!verify("anything".into(), None).await);
    }
}
