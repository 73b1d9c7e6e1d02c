//! The browser's WebAuthn calls, through `public/passkey.js` (loaded by
//! the two-factor card and the sign-in's second step): the server's
//! options in, the authenticator's answer out, both JSON.

use crate::domain::message::Message;

#[cfg(feature = "hydrate")]
mod glue {
    use super::Message;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = mspPasskey, js_name = register, catch)]
        pub async fn register(options: &str) -> Result<JsValue, JsValue>;
    }

    /// What a refusal by the browser means for the person.
    pub fn message(error: &JsValue) -> Message {
        let name = js_sys::Reflect::get(error, &JsValue::from_str("name")).ok().and_then(|n| n.as_string());
        match name.as_deref() {
            Some("InvalidStateError") => Message::PasskeyExists,
            Some("NotAllowedError") | Some("AbortError") => Message::PasskeyCancelled,
            Some("SecurityError") => Message::PasskeyAddressRefused,
            _ => Message::PasskeyUnsupported,
        }
    }
}

/// Lets the browser create a passkey with `options`; its answer, or what
/// to tell the person.
pub async fn register(options: &str) -> Result<String, Message> {
    #[cfg(feature = "hydrate")]
    {
        match glue::register(options).await {
            Ok(answer) => answer.as_string().ok_or(Message::PasskeyUnsupported),
            Err(error) => Err(glue::message(&error)),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err(Message::PasskeyUnsupported)
    }
}
