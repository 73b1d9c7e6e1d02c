//! Password hashing with Argon2id (m = 19 MiB, t = 2, p = 1), always run on
//! the blocking thread pool so that a login never stalls the async workers.
//!
//! Each hash takes 19 MiB while it runs, so the number running at once is
//! bounded ([`HashLimit`]): at most two per CPU core run, a few more wait
//! their turn, and a caller beyond that is told at once that the server is
//! busy (503 with `Retry-After`) instead of queueing without limit.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::Result;
use crate::domain::Password;
use crate::error::AppError;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How long a caller waits for its turn before it is told the server is busy.
const MAX_WAIT: Duration = Duration::from_secs(10);

/// The bound on password work: `running` hashes at once, at most `waiting`
/// callers waiting for a turn. One per app state (tests run many at once).
pub struct HashLimit {
    turns: Arc<Semaphore>,
    running: usize,
    max_waiting: usize,
    max_wait: Duration,
    waiting: AtomicUsize,
    in_flight: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

/// A turn at hashing: while it lives, one hash may run.
pub struct Turn {
    _permit: OwnedSemaphorePermit,
    in_flight: Arc<AtomicUsize>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Default for HashLimit {
    /// Two hashes per CPU core at once, and four times as many waiting.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new(2 * cores, 8 * cores, MAX_WAIT)
    }
}

impl HashLimit {
    pub fn new(running: usize, max_waiting: usize, max_wait: Duration) -> Self {
        Self {
            turns: Arc::new(Semaphore::new(running.max(1))),
            running: running.max(1),
            max_waiting,
            max_wait,
            waiting: AtomicUsize::new(0),
            in_flight: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// How many hashes may run at once.
    pub fn running(&self) -> usize {
        self.running
    }

    /// How many callers may wait for a turn.
    pub fn max_waiting(&self) -> usize {
        self.max_waiting
    }

    /// The most hashes that ever ran at once under this limit.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// A turn: at once when one is free, after a short wait when few are
    /// waiting, else [`AppError::Busy`].
    pub async fn turn(&self) -> Result<Turn> {
        let permit = match self.turns.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(AppError::Busy.into());
                }
                let waited = tokio::time::timeout(self.max_wait, self.turns.clone().acquire_owned()).await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                match waited {
                    Ok(Ok(permit)) => permit,
                    _ => return Err(AppError::Busy.into()),
                }
            }
        };
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        Ok(Turn { _permit: permit, in_flight: self.in_flight.clone() })
    }
}

/// Hashes a new password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash(limit: &HashLimit, password: &Password) -> Result<String> {
    let turn = limit.turn().await?;
    let plain = password.expose().to_owned();
    let hashed = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(plain.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await;
    match hashed {
        Ok(Ok(hash)) => Ok(hash),
        Ok(Err(error)) => {
            tracing::error!(%error, "cannot hash a password");
            Err(AppError::Internal.into())
        }
        Err(error) => {
            tracing::error!(%error, "the password hashing task failed");
            Err(AppError::Internal.into())
        }
    }
}

/// Checks a typed password against a stored PHC string, in a turn already
/// taken. Without a stored hash (unknown user) it still does the same work,
/// so that timing does not tell which user names exist.
pub async fn verify(turn: Turn, typed: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
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

/// The common passwords shipped with the app (`common-passwords.txt`).
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// The letters of a password, lower case ("P@ssw0rd-2026" -> "psswrd");
/// with `undo_swaps`, digits and signs that often stand for letters count
/// as those letters ("P@ssw0rd" -> "password").
fn letters(password: &str, undo_swaps: bool) -> String {
    password
        .to_lowercase()
        .chars()
        .map(|c| match (undo_swaps, c) {
            (true, '0') => 'o',
            (true, '1' | '!') => 'i',
            (true, '3') => 'e',
            (true, '4' | '@') => 'a',
            (true, '5' | '$') => 's',
            (true, '7') => 't',
            (_, c) => c,
        })
        .filter(|c| c.is_alphabetic())
        .collect()
}

/// Why a new password is too weak, if it is: on the list of common
/// passwords (as typed, by its letters alone, or with digit-for-letter swaps
/// undone and the digits and signs at its end left off), a repetition of
/// such a word, containing the user name, or too few different characters.
/// The length rule is [`Password::parse`]'s.
pub fn weakness(password: &Password, username: &str) -> Option<crate::domain::message::Message> {
    const COMMON_MESSAGE: crate::domain::message::Message = crate::domain::message::Message::PasswordCommon;
    let typed = password.expose();
    let lower = typed.to_lowercase();
    let head = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    let candidates = [lower.clone(), letters(typed, false), letters(head, true), letters(typed, true)];
    let common = |word: &str| {
        !word.is_empty()
            && (COMMON.contains(word)
                || COMMON.iter().any(|c| {
                    word.len() > c.len() && word.len().is_multiple_of(c.len()) && word == c.repeat(word.len() / c.len())
                }))
    };
    if candidates.iter().any(|c| common(c)) {
        return Some(COMMON_MESSAGE);
    }
    if username.chars().count() >= 3 && lower.contains(&username.to_lowercase()) {
        return Some(crate::domain::message::Message::PasswordHasUsername);
    }
    let distinct: HashSet<char> = typed.chars().collect();
    if distinct.len() < 5 {
        return Some(crate::domain::message::Message::PasswordFewCharacters);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_is_argon2id_with_the_required_cost_and_verifies() {
        let limit = HashLimit::default();
        let password = Password::parse("a long enough secret").unwrap();
        let stored = hash(&limit, &password).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify(limit.turn().await.unwrap(), "a long enough secret".into(), Some(stored.clone())).await);
        assert!(!verify(limit.turn().await.unwrap(), "a long enough secreT".into(), Some(stored)).await);
        assert!(!verify(limit.turn().await.unwrap(), "anything".into(), None).await);
    }

    #[tokio::test]
    async fn no_more_hashes_run_at_once_than_the_limit_and_the_rest_are_told_busy() {
        let limit = Arc::new(HashLimit::new(2, 3, Duration::from_secs(3600)));
        let password = Password::parse("a long enough secret").unwrap();
        // Hold both turns: three callers wait, the fourth is refused at once.
        let held = [limit.turn().await.unwrap(), limit.turn().await.unwrap()];
        let waiting: Vec<_> = (0..3)
            .map(|_| {
                let (limit, password) = (limit.clone(), password.clone());
                tokio::spawn(async move { hash(&limit, &password).await })
            })
            .collect();
        while limit.waiting.load(Ordering::SeqCst) < 3 {
            tokio::task::yield_now().await;
        }
        assert_eq!(hash(&limit, &password).await.unwrap_err(), AppError::Busy);
        drop(held);
        for waiter in waiting {
            assert!(waiter.await.unwrap().is_ok(), "a waiting caller gets its turn");
        }
        assert_eq!(limit.peak(), 2);
    }

    /// Why a password is refused, in English.
    fn weak(password: &str) -> Option<String> {
        weakness(&Password::parse(password).unwrap(), "alice").map(|m| crate::messages::english(&m))
    }

    #[test]
    fn common_passwords_are_refused_however_they_are_dressed_up() {
        for typed in [
            "password1234",
            "Password2026!",
            "P@ssw0rd1234",
            "qwertyuiop12",
            "123456789012",
            "1q2w3e4r5t6y",
            "Sommer2026!!",
            "Passwort1234",
            "passwordpassword",
            "Welcome12345",
            "correct horse battery staple",
            "ILOVEYOU2026",
        ] {
            assert!(weak(typed).is_some_and(|m| m.contains("too common")), "{typed} was accepted");
        }
    }

    #[test]
    fn user_names_and_repetition_are_refused() {
        assert_eq!(weak("alice-is-great-2026").as_deref(), Some("A password must not contain your user name."));
        assert!(weak("xyxyxyxyxyxyxy").unwrap().contains("too few characters"));
    }

    #[test]
    fn good_passwords_pass() {
        for typed in ["plum river 7 lantern", "Kx9#mW2qLp4v", "tea-kettle-orbit-57", "Blue whale sings at 4"] {
            assert_eq!(weak(typed), None, "{typed} was refused");
        }
    }

    #[test]
    fn the_shipped_list_is_lower_case_and_long_enough_to_matter() {
        assert!(COMMON.len() > 250);
        assert!(COMMON.iter().all(|w| *w == w.to_lowercase().as_str()));
    }
}
