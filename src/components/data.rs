//! A page's data from the server: a [`Resource`] whose value, rendered into
//! the page on the server, the browser reads back as bytes, the same way a
//! server function's answer is read. With Leptos's default codec (which
//! reads a `&str`) every type the pages load was deserialized by two copies
//! of serde_json's reader in the WebAssembly; with this one, by one.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON as server functions send it, read from bytes.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(text.as_bytes())
    }
}

/// What the pages load: a [`Resource`] with the [`Json`] codec.
pub type Data<T> = Resource<T, Json>;

/// `Resource::new`, with the [`Json`] codec. (A blocking one:
/// `Data::new_with_options(source, fetcher, true)`.)
#[track_caller]
pub fn data<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Data<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
