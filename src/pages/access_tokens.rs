//! "API tokens", on the account page: personal access tokens for the staff
//! API. Made with a name, a scope and an expiry, shown once, listed by
//! their first characters with their last use, revoked with one click; an
//! admin also sees and revokes everyone else's.

use leptos::prelude::*;

use crate::api::session::{my_access_tokens, CreateAccessToken, RevokeAccessToken};
use crate::components::data::data;
use crate::components::field::{general_message, server_message};
use crate::components::language::{use_locale, use_reader};
use crate::components::{loaded, FieldError};
use crate::domain::access_token::{TokenScope, TokenState, MAX_DAYS, NAME_MAX_CHARS};
use crate::i18n::td_string;
use crate::views::session::{AccessTokenInfo, AccessTokens};

/// The expiries offered, in days (the server takes any from 1 to 365).
const EXPIRIES: [u32; 5] = [7, 30, 90, 180, MAX_DAYS];

#[component]
pub fn AccessTokensCard() -> impl IntoView {
    let create = ServerAction::<CreateAccessToken>::new();
    let revoke = ServerAction::<RevokeAccessToken>::new();
    let tokens = data(move || (create.version().get(), revoke.version().get()), |_| my_access_tokens());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let revoke_error = general_message(Signal::derive(move || revoke.value().get().and_then(Result::err)));
    let made = Signal::derive(move || create.value().get().and_then(Result::ok));
    let l = use_locale();
    view! {
        <section class="card" aria-labelledby="tokens-title">
            <h2 id="tokens-title">{td_string!(l, account.tokens_title)}</h2>
            <p class="muted">{td_string!(l, account.tokens_intro)}</p>
            {move || made.get().map(|made| view! { <TokenReveal token=made.token name=made.info.name /> })}
            {move || general_message(error).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            {move || revoke_error.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            {loaded(tokens, move |list| view! { <TokenLists list create revoke error /> })}
        </section>
    }
}

/// The token just made, shown this once, to copy.
#[component]
fn TokenReveal(token: String, name: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let l = use_locale();
    let copy = {
        let token = token.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&token);
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &token;
        }
    };
    view! {
        <div class="notice notice-ok token-reveal" role="status">
            <p>
                <strong>{td_string!(l, account.token_made, name = name)}</strong>
                " "
                {td_string!(l, account.token_once)}
            </p>
            <label class="field-label" for="new-token">{td_string!(l, account.token_label)}</label>
            <div class="key-row">
                <input id="new-token" class="input key-value" readonly prop:value=token />
                <button type="button" class="button button-secondary" on:click=copy>
                    {move || if copied.get() { td_string!(l, account.copied) } else { td_string!(l, account.copy) }}
                </button>
            </div>
        </div>
    }
}

#[component]
fn TokenLists(
    list: AccessTokens,
    create: ServerAction<CreateAccessToken>,
    revoke: ServerAction<RevokeAccessToken>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let l = use_locale();
    let AccessTokens { own, others, widest } = list;
    let own_table = if own.is_empty() {
        view! { <p class="muted">{td_string!(l, account.no_tokens)}</p> }.into_any()
    } else {
        view! { <TokenTable tokens=own revoke with_owner=false label=td_string!(l, account.your_tokens) /> }.into_any()
    };
    let others = others.map(|others| {
        let table = if others.is_empty() {
            view! { <p class="muted">{td_string!(l, account.no_other_tokens)}</p> }.into_any()
        } else {
            view! { <TokenTable tokens=others revoke with_owner=true label=td_string!(l, account.others_tokens) /> }
                .into_any()
        };
        view! {
            <h3>{td_string!(l, account.others_tokens)}</h3>
            <p class="muted small">{td_string!(l, account.others_tokens_intro)}</p>
            {table}
        }
    });
    view! {
        {own_table}
        <h3>{td_string!(l, account.new_token)}</h3>
        <ActionForm action=create attr:class="form-grid token-form">
            <div class="field">
                <label for="token-name">{td_string!(l, account.token_name)}</label>
                <input
                    id="token-name"
                    name="form[name]"
                    type="text"
                    maxlength=NAME_MAX_CHARS
                    autocomplete="off"
                    placeholder=td_string!(l, account.token_name_placeholder)
                    aria-describedby="token-name-error"
                    required
                />
                <FieldError id="token-name-error" message=server_message(error, "name") />
            </div>
            <div class="field">
                <label for="token-scope">{td_string!(l, account.token_scope)}</label>
                <select id="token-scope" name="form[scope]" aria-describedby="token-scope-error">
                    <option value="read">{td_string!(l, account.scope_read)}</option>
                    {(widest == TokenScope::Write)
                        .then(|| view! { <option value="write">{td_string!(l, account.scope_write)}</option> })}
                </select>
                <FieldError id="token-scope-error" message=server_message(error, "scope") />
            </div>
            <div class="field">
                <label for="token-expiry">{td_string!(l, account.token_expiry)}</label>
                <select id="token-expiry" name="form[expires_days]" aria-describedby="token-expiry-error">
                    {EXPIRIES
                        .into_iter()
                        .map(|days| {
                            view! {
                                <option value=days.to_string() selected=days == 90>
                                    {td_string!(l, account.days, n = days.to_string())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <FieldError id="token-expiry-error" message=server_message(error, "expires_days") />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                    {td_string!(l, account.create_token)}
                </button>
            </div>
        </ActionForm>
        {others}
    }
}

#[component]
fn TokenTable(
    tokens: Vec<AccessTokenInfo>,
    revoke: ServerAction<RevokeAccessToken>,
    with_owner: bool,
    label: &'static str,
) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    let rows = tokens
        .into_iter()
        .map(|t| {
            let state = match t.state {
                TokenState::Active => {
                    view! { <span class="badge badge-active">{td_string!(l, account.token_active)}</span> }
                }
                TokenState::Expired => view! { <span class="badge">{td_string!(l, account.token_expired)}</span> },
                TokenState::Revoked => view! { <span class="badge">{td_string!(l, account.token_revoked)}</span> },
            };
            let scope = match t.scope {
                TokenScope::Read => td_string!(l, account.scope_read),
                TokenScope::Write => td_string!(l, account.scope_write),
            };
            let action = (t.state == TokenState::Active).then(|| {
                let id = t.id;
                let label = td_string!(l, account.revoke_token_of, name = t.name.clone());
                view! {
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        aria-label=label
                        disabled=move || revoke.pending().get()
                        on:click=move |_| {
                            revoke.dispatch(RevokeAccessToken { id });
                        }
                    >
                        {td_string!(l, account.revoke)}
                    </button>
                }
            });
            view! {
                <tr>
                    <th scope="row">{t.name}</th>
                    {with_owner.then(|| view! { <td>{t.owner.clone()}</td> })}
                    <td><code>{t.prefix}</code></td>
                    <td>{scope}</td>
                    <td class="nowrap">{r.time(t.created_at)}</td>
                    <td class="nowrap">{r.time(t.expires_at)}</td>
                    <td class="nowrap">
                        {t.last_used_at.map(|at| r.time(at)).unwrap_or_else(|| td_string!(l, account.never).to_owned())}
                    </td>
                    <td>{state}</td>
                    <td class="num">{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="data-table tokens-table">
                <caption class="visually-hidden">{label}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, account.name)}</th>
                        {with_owner.then(|| view! { <th scope="col">{td_string!(l, account.token_owner)}</th> })}
                        <th scope="col">{td_string!(l, account.token_label)}</th>
                        <th scope="col">{td_string!(l, account.token_scope)}</th>
                        <th scope="col">{td_string!(l, account.token_created)}</th>
                        <th scope="col">{td_string!(l, account.token_expires)}</th>
                        <th scope="col">{td_string!(l, account.last_used)}</th>
                        <th scope="col">{td_string!(l, account.token_status)}</th>
                        <th scope="col" class="num">
                            <span class="visually-hidden">{td_string!(l, account.action)}</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
