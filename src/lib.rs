//! MSP Server Manager: one crate, compiled twice. With `ssr` it is the server
//! (axum + Leptos SSR + sqlx); with `hydrate` it is the WebAssembly that makes
//! the server-rendered pages interactive in the browser.

#![recursion_limit = "512"]

pub mod api;
pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else { return };
    // Asynchronous: a page of a module not in the first download waits for
    // its part of the WebAssembly before it hydrates.
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        // Lets browser tests (and curious people) see that the page is live.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
