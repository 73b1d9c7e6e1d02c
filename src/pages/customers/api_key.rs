//! A customer's machine API key: shown in full once (after creation or
//! rotation), afterwards only by its prefix; rotate and revoke.

use crate::components::data::data;
use leptos::prelude::*;

use super::actions::ConfirmButtons;
use crate::api::customers::{customer_api_key, RevokeApiKey, RotateApiKey};
use crate::components::field::general_message;
use crate::components::language::{use_locale, use_reader};
use crate::components::session::use_can_operate;
use crate::components::{loaded, Dialog};
use crate::i18n::{td, td_string};

/// The dialog that shows a new key once, with a button to copy it.
#[component]
pub fn KeyReveal(
    open: RwSignal<bool>,
    key: Signal<Option<String>>,
    heading: &'static str,
    #[prop(into)] done_label: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let l = use_locale();
    let strong = |children: ChildrenFn| view! { <strong>{children()}</strong> };
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let (Some(key), Some(window)) = (key.get_untracked(), web_sys::window()) {
            let _ = window.navigator().clipboard().write_text(&key);
            copied.set(true);
        }
    };
    view! {
        <Dialog open labelled_by="key-title">
            <h2 id="key-title">{heading}</h2>
            <p>{td!(l, customers.key_intro, <strong> = strong)}</p>
            <label class="field-label" for="api-key-value">
                {td_string!(l, customers.api_key)}
            </label>
            <div class="key-row">
                <input
                    id="api-key-value"
                    class="input key-value"
                    readonly
                    prop:value=move || key.get().unwrap_or_default()
                    on:focus=move |ev| {
                        #[cfg(feature = "hydrate")]
                        {
                            use leptos::wasm_bindgen::JsCast;
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        }
                        #[cfg(not(feature = "hydrate"))]
                        let _ = ev;
                    }
                />
                <button type="button" class="button button-secondary" on:click=copy>
                    {move || if copied.get() { td_string!(l, customers.copied) } else { td_string!(l, customers.copy) }}
                </button>
            </div>
            <div class="dialog-actions">
                <button type="button" class="button button-primary" on:click=move |_| open.set(false)>
                    {done_label}
                </button>
            </div>
        </Dialog>
    }
}

/// The "Machine API key" card of a customer's page.
#[component]
pub fn ApiKeyCard(id: i64, name: String) -> impl IntoView {
    let can_operate = use_can_operate();
    let rotate = ServerAction::<RotateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let info = data(move || (rotate.version().get(), revoke.version().get()), move |_| customer_api_key(id));
    let confirm_rotate = RwSignal::new(false);
    let confirm_revoke = RwSignal::new(false);
    let reveal = RwSignal::new(false);
    let new_key = Signal::derive(move || rotate.value().get().and_then(Result::ok));
    Effect::new(move |_| {
        if new_key.get().is_some() {
            confirm_rotate.set(false);
            reveal.set(true);
        }
    });
    Effect::new(move |_| {
        if matches!(revoke.value().get(), Some(Ok(()))) {
            confirm_revoke.set(false);
        }
    });
    let rotate_error = general_message(Signal::derive(move || rotate.value().get().and_then(Result::err)));
    let revoke_error = general_message(Signal::derive(move || revoke.value().get().and_then(Result::err)));
    let name_for_rotate = name.clone();
    let r = use_reader();
    let l = r.l();
    view! {
        <section class="card" aria-labelledby="key-card-title">
            <h2 id="key-card-title">{td_string!(l, customer.key_card)}</h2>
            {loaded(info, move |key| {
                let has_key = key.is_some();
                let facts = match key {
                    Some(k) => view! {
                        <dl class="facts">
                            <dt>{td_string!(l, customer.key)}</dt>
                            <dd><code>{format!("{}…", k.prefix)}</code></dd>
                            <dt>{td_string!(l, customer.created)}</dt>
                            <dd>{td_string!(l, customer.key_created, at = r.time(k.created_at), by = k.created_by)}</dd>
                        </dl>
                    }
                    .into_any(),
                    None => view! {
                        <p class="muted">{td_string!(l, customer.no_key)}</p>
                    }
                    .into_any(),
                };
                view! {
                    {facts}
                    {move || can_operate.get().then(|| view! {
                        <div class="actions">
                            <button type="button" class="button button-secondary" on:click=move |_| confirm_rotate.set(true)>
                                {if has_key { td_string!(l, customer.rotate_key) } else { td_string!(l, customer.create_key) }}
                            </button>
                            {has_key.then(|| view! {
                                <button type="button" class="button button-danger-quiet" on:click=move |_| confirm_revoke.set(true)>
                                    {td_string!(l, customer.revoke_key)}
                                </button>
                            })}
                        </div>
                    })}
                }
            })}
        </section>
        <Dialog open=confirm_rotate labelled_by="rotate-title">
            <h2 id="rotate-title">{td_string!(l, customer.rotate_title)}</h2>
            <p>{td_string!(l, customer.rotate_text, name = name_for_rotate)}</p>
            {move || rotate_error.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <ConfirmButtons
                label=td_string!(l, customer.make_key)
                disabled=Signal::derive(move || rotate.pending().get())
                on_confirm=move || { rotate.dispatch(RotateApiKey { id }); }
                open=confirm_rotate
            />
        </Dialog>
        <Dialog open=confirm_revoke labelled_by="revoke-title">
            <h2 id="revoke-title">{td_string!(l, customer.revoke_title)}</h2>
            <p>{td_string!(l, customer.revoke_text, name)}</p>
            {move || revoke_error.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <ConfirmButtons
                label=td_string!(l, customer.revoke_key)
                danger=true
                disabled=Signal::derive(move || revoke.pending().get())
                on_confirm=move || { revoke.dispatch(RevokeApiKey { id }); }
                open=confirm_revoke
            />
        </Dialog>
        <KeyReveal open=reveal key=new_key heading=td_string!(l, customer.new_key) done_label=td_string!(l, customer.done) />
    }
}
