//! Settings → Alerts (admins): the mail server (a test mail sent at once)
//! and the mail log; the webhook endpoints (added with the events they
//! receive, their secret shown once; tested, turned off and on, removed)
//! and each endpoint's delivery log. A mail or a delivery can be sent
//! again. Its own part of the WebAssembly, loaded when opened. Everyone's
//! own alert mails are a card of the account page ([`AlertMailsCard`]).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::alerts::{
    delivery_log, list_webhooks, mail_log, mail_server, my_alerts, AddWebhook, Redeliver, RemoveSmtp, RemoveWebhook,
    ResendMail, SaveMyAlerts, SaveSmtp, SendTestEvent, SendTestMail, SetWebhookEnabled,
};
use crate::components::data::data;
use crate::components::field::{general_message, server_message};
use crate::components::language::{role_name, use_locale, use_reader};
use crate::components::session::with_user;
use crate::components::{loaded, FieldError};
use crate::domain::events::EventKind;
use crate::domain::mail::{ChoicesForm, Security, SmtpForm, CREDENTIAL_MAX_CHARS, EMAIL_MAX_CHARS, HOST_MAX_CHARS};
use crate::domain::webhooks::{EndpointForm, DESCRIPTION_MAX_CHARS, MAX_URL_CHARS};
use crate::domain::Role;
use crate::i18n::{td_string, Locale};
use crate::views::alerts::{AlertChoices, Attempt, Delivery, DeliveryState, Mail, SmtpSettings, WebhookEndpoint};

/// An event's name in the reader's language.
pub fn event_name(kind: &str, l: Locale) -> &'static str {
    match EventKind::from_name(kind) {
        Some(EventKind::ContractEnding) => td_string!(l, alerts.event_contract_ending),
        Some(EventKind::TestPhaseEnding) => td_string!(l, alerts.event_test_phase_ending),
        Some(EventKind::DeactivatedByContractEnd) => td_string!(l, alerts.event_deactivated_by_contract_end),
        Some(EventKind::MonthClosed) => td_string!(l, alerts.event_month_closed),
        Some(EventKind::LicenseThreshold) => td_string!(l, alerts.event_license_threshold),
        Some(EventKind::HardLimitReached) => td_string!(l, alerts.event_hard_limit_reached),
        Some(EventKind::UsageSilent) => td_string!(l, alerts.event_usage_silent),
        Some(EventKind::UsageResumed) => td_string!(l, alerts.event_usage_resumed),
        Some(EventKind::LateReport) => td_string!(l, alerts.event_late_report),
        Some(EventKind::CloseOverdue) => td_string!(l, alerts.event_close_overdue),
        Some(EventKind::JobFailed) => td_string!(l, alerts.event_job_failed),
        Some(EventKind::StaffLockedOut) => td_string!(l, alerts.event_staff_locked_out),
        Some(EventKind::EndpointDisabled) => td_string!(l, alerts.event_endpoint_disabled),
        Some(EventKind::Test) | None => td_string!(l, alerts.event_test),
    }
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let l = use_locale();
    view! {
        <Title text=td_string!(l, alerts.title) />
        <div class="page-header">
            <p class="breadcrumb"><a href="/settings">{td_string!(l, alerts.back_to_settings)}</a></p>
            <h1>{td_string!(l, alerts.title)}</h1>
            <p class="muted">{td_string!(l, alerts.intro)}</p>
        </div>
        {with_user(move |user| {
            if user.role == Role::Admin {
                view! {
                    <Mails />
                    <Webhooks />
                }
                .into_any()
            } else {
                view! {
                    <section class="card card-plain">
                        <h2>{td_string!(l, settings.admins_only)}</h2>
                        <p class="muted">
                            {td_string!(l, settings.admins_only_text, name = user.username, role = role_name(user.role, l))}
                        </p>
                    </section>
                }
                    .into_any()
            }
        })}
    }
}

#[component]
fn Webhooks() -> impl IntoView {
    let l = use_locale();
    let add = ServerAction::<AddWebhook>::new();
    let toggle = ServerAction::<SetWebhookEnabled>::new();
    let remove = ServerAction::<RemoveWebhook>::new();
    let test = ServerAction::<SendTestEvent>::new();
    let redeliver = ServerAction::<Redeliver>::new();
    let versions = move || {
        (
            add.version().get(),
            toggle.version().get(),
            remove.version().get(),
            test.version().get(),
            redeliver.version().get(),
        )
    };
    let endpoints = data(versions, |_| list_webhooks());
    // The endpoint whose delivery log is open.
    let shown = RwSignal::new(None::<i64>);
    let log = data(
        move || (shown.get(), versions()),
        |(shown, _)| async move {
            match shown {
                Some(id) => delivery_log(id).await,
                None => Ok(Vec::new()),
            }
        },
    );
    let made = Signal::derive(move || add.value().get().and_then(Result::ok));
    let failed = Signal::derive(move || {
        toggle
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
            .or_else(|| test.value().get().and_then(Result::err))
            .or_else(|| redeliver.value().get().and_then(Result::err))
    });
    let tested = Signal::derive(move || test.value().get().and_then(Result::ok));
    view! {
        <section class="card" aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">{td_string!(l, alerts.webhooks_title)}</h2>
            <p class="muted">{td_string!(l, alerts.webhooks_intro)}</p>
            {move || made.get().map(|made| view! { <SecretReveal secret=made.secret url=made.endpoint.url /> })}
            {move || tested.get().map(|d| view! { <TestOutcome delivery=d /> })}
            {move || general_message(failed).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            {loaded(endpoints, move |list| view! { <EndpointTable list toggle remove test shown /> })}
            <AddEndpoint add />
        </section>
        {move || {
            shown.get().map(|id| {
                view! {
                    <section class="card" aria-labelledby="deliveries-title">
                        <h2 id="deliveries-title">{td_string!(l, alerts.log_title)}</h2>
                        <p class="muted">{td_string!(l, alerts.log_intro)}</p>
                        {loaded(log, move |rows| view! { <DeliveryTable rows redeliver endpoint=id /> })}
                    </section>
                }
            })
        }}
    }
}

/// The secret of the endpoint just added, shown this once, to copy.
#[component]
fn SecretReveal(secret: String, url: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let l = use_locale();
    let copy = {
        let secret = secret.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&secret);
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &secret;
        }
    };
    view! {
        <div class="notice notice-ok token-reveal" role="status">
            <p>
                <strong>{td_string!(l, alerts.endpoint_added, url = url)}</strong>
                " "
                {td_string!(l, alerts.secret_once)}
            </p>
            <label class="field-label" for="new-secret">{td_string!(l, alerts.secret_label)}</label>
            <div class="key-row">
                <input id="new-secret" class="input key-value" readonly prop:value=secret />
                <button type="button" class="button button-secondary" on:click=copy>
                    {move || if copied.get() { td_string!(l, account.copied) } else { td_string!(l, account.copy) }}
                </button>
            </div>
        </div>
    }
}

/// What the test event's one attempt came to.
#[component]
fn TestOutcome(delivery: Delivery) -> impl IntoView {
    let l = use_locale();
    let reply = delivery.attempts.first().map(|a| a.reply.clone()).unwrap_or_default();
    if delivery.state == DeliveryState::Delivered {
        view! { <p class="notice notice-ok" role="status">{td_string!(l, alerts.test_delivered, reply = reply)}</p> }
            .into_any()
    } else {
        view! { <p class="notice notice-error" role="alert">{td_string!(l, alerts.test_failed, reply = reply)}</p> }
            .into_any()
    }
}

#[component]
fn EndpointTable(
    list: Vec<WebhookEndpoint>,
    toggle: ServerAction<SetWebhookEnabled>,
    remove: ServerAction<RemoveWebhook>,
    test: ServerAction<SendTestEvent>,
    shown: RwSignal<Option<i64>>,
) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    if list.is_empty() {
        return view! { <p class="muted">{td_string!(l, alerts.no_endpoints)}</p> }.into_any();
    }
    let busy = move || toggle.pending().get() || remove.pending().get() || test.pending().get();
    let rows = list
        .into_iter()
        .map(|e| {
            let id = e.id;
            let state = if !e.enabled {
                let why = e.disabled_reason.clone().unwrap_or_default();
                view! { <span class="badge badge-deactivated" title=why>{td_string!(l, alerts.state_off)}</span> }.into_any()
            } else if let Some(since) = e.failing_since {
                view! {
                    <span class="badge badge-pending">{td_string!(l, alerts.state_failing, since = r.time(since))}</span>
                }
                .into_any()
            } else {
                view! { <span class="badge badge-active">{td_string!(l, alerts.state_on)}</span> }.into_any()
            };
            let events = e.events.iter().map(|k| event_name(k, l)).collect::<Vec<_>>().join(", ");
            let enabled = e.enabled;
            let url = e.url.clone();
            let of = |label: &'static str| format!("{label}: {url}");
            view! {
                <tr>
                    <th scope="row" class="endpoint-cell">
                        <code class="endpoint-url">{e.url.clone()}</code>
                        {(!e.description.is_empty()).then(|| view! { <span class="muted small">{e.description.clone()}</span> })}
                    </th>
                    <td class="small">{events}</td>
                    <td>
                        {state}
                        {e.disabled_reason.clone().map(|why| view! { <p class="muted small">{why}</p> })}
                    </td>
                    <td>
                        <div class="row-actions">
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            aria-label=of(td_string!(l, alerts.send_test))
                            disabled=busy
                            on:click=move |_| {
                                test.dispatch(SendTestEvent { id });
                                shown.set(Some(id));
                            }
                        >
                            {td_string!(l, alerts.send_test)}
                        </button>
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            aria-label=of(td_string!(l, alerts.show_log))
                            aria-pressed=move || (shown.get() == Some(id)).to_string()
                            on:click=move |_| shown.set(Some(id))
                        >
                            {td_string!(l, alerts.show_log)}
                        </button>
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            aria-label=of(if enabled { td_string!(l, alerts.turn_off) } else { td_string!(l, alerts.turn_on) })
                            disabled=busy
                            on:click=move |_| {
                                toggle.dispatch(SetWebhookEnabled { id, enabled: !enabled });
                            }
                        >
                            {if enabled { td_string!(l, alerts.turn_off) } else { td_string!(l, alerts.turn_on) }}
                        </button>
                        <RemoveButton id url=e.url.clone() remove shown />
                        </div>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let label = td_string!(l, alerts.endpoints_table);
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="data-table endpoints-table">
                <caption class="visually-hidden">{label}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, alerts.endpoint)}</th>
                        <th scope="col">{td_string!(l, alerts.events)}</th>
                        <th scope="col">{td_string!(l, alerts.state)}</th>
                        <th scope="col">
                            <span class="visually-hidden">{td_string!(l, account.action)}</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Remove, asked once more before it happens.
#[component]
fn RemoveButton(
    id: i64,
    url: String,
    remove: ServerAction<RemoveWebhook>,
    shown: RwSignal<Option<i64>>,
) -> impl IntoView {
    let l = use_locale();
    let asking = RwSignal::new(false);
    let label = format!("{}: {url}", td_string!(l, alerts.remove));
    move || {
        if asking.get() {
            view! {
                <span class="confirm-inline" role="group" aria-label=label.clone()>
                    <span class="small">{td_string!(l, alerts.remove_question)}</span>
                    <button
                        type="button"
                        class="button button-danger button-small"
                        on:click=move |_| {
                            remove.dispatch(RemoveWebhook { id });
                            if shown.get_untracked() == Some(id) {
                                shown.set(None);
                            }
                            asking.set(false);
                        }
                    >
                        {td_string!(l, alerts.remove_confirm)}
                    </button>
                    <button type="button" class="button button-quiet button-small" on:click=move |_| asking.set(false)>
                        {td_string!(l, alerts.cancel)}
                    </button>
                </span>
            }
            .into_any()
        } else {
            view! {
                <button
                    type="button"
                    class="button button-quiet button-small"
                    aria-label=label.clone()
                    on:click=move |_| asking.set(true)
                >
                    {td_string!(l, alerts.remove)}
                </button>
            }
            .into_any()
        }
    }
}

#[component]
fn AddEndpoint(add: ServerAction<AddWebhook>) -> impl IntoView {
    let l = use_locale();
    let form = RwSignal::new(EndpointForm::default());
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            form.set(EndpointForm::default());
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(AddWebhook { form: form.get_untracked() });
    };
    let boxes = EventKind::ALL
        .into_iter()
        .map(|kind| {
            let name = kind.name();
            let id = format!("event-{}", name.replace(['.', '_'], "-"));
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input
                        id=id
                        type="checkbox"
                        value=name
                        prop:checked=move || form.with(|f| f.events.iter().any(|e| e == name))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            form.update(|f| {
                                f.events.retain(|e| e != name);
                                if on {
                                    f.events.push(name.to_owned());
                                }
                            });
                        }
                    />
                    <span>{event_name(name, l)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <h3>{td_string!(l, alerts.add_title)}</h3>
        <form class="form-grid endpoint-form" on:submit=on_submit novalidate>
            <div class="field field-wide">
                <label for="endpoint-url">{td_string!(l, alerts.url)}</label>
                <input
                    id="endpoint-url"
                    type="url"
                    inputmode="url"
                    maxlength=MAX_URL_CHARS
                    autocomplete="off"
                    placeholder="https://psa.example.com/hooks/msp"
                    aria-describedby="endpoint-url-help endpoint-url-error"
                    prop:value=move || form.with(|f| f.url.clone())
                    on:input=move |ev| form.update(|f| f.url = event_target_value(&ev))
                />
                <p class="help" id="endpoint-url-help">{td_string!(l, alerts.url_help)}</p>
                <FieldError id="endpoint-url-error" message=server_message(error, "url") />
            </div>
            <div class="field field-wide">
                <label for="endpoint-description">{td_string!(l, alerts.description)}</label>
                <input
                    id="endpoint-description"
                    type="text"
                    maxlength=DESCRIPTION_MAX_CHARS
                    autocomplete="off"
                    aria-describedby="endpoint-description-error"
                    prop:value=move || form.with(|f| f.description.clone())
                    on:input=move |ev| form.update(|f| f.description = event_target_value(&ev))
                />
                <FieldError id="endpoint-description-error" message=server_message(error, "description") />
            </div>
            <fieldset class="field field-wide event-choice" aria-describedby="endpoint-events-error">
                <legend>{td_string!(l, alerts.events)}</legend>
                <div class="check-grid">{boxes}</div>
                <FieldError id="endpoint-events-error" message=server_message(error, "events") />
            </fieldset>
            {move || general_message(error).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <div class="field-actions">
                <button type="submit" class="button button-primary" disabled=move || add.pending().get()>
                    {td_string!(l, alerts.add)}
                </button>
            </div>
        </form>
    }
}

#[component]
fn DeliveryTable(rows: Vec<Delivery>, redeliver: ServerAction<Redeliver>, endpoint: i64) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    if rows.is_empty() {
        return view! { <p class="muted" data-endpoint=endpoint>{td_string!(l, alerts.no_deliveries)}</p> }.into_any();
    }
    let body = rows
        .into_iter()
        .map(|d| {
            let id = d.id;
            let state = state_badge(d.state, l);
            view! {
                <tr>
                    <th scope="row">
                        {event_name(&d.kind, l)}
                        <code class="small event-id">{d.event_id.clone()}</code>
                    </th>
                    <td class="nowrap">{r.time(d.occurred_at)}</td>
                    <td>{state}</td>
                    <td>{attempt_list(&d.attempts)}</td>
                    <td class="nowrap">{d.next_attempt_at.map(|at| r.time(at)).unwrap_or_default()}</td>
                    <td class="num">
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            disabled=move || redeliver.pending().get()
                            on:click=move |_| {
                                redeliver.dispatch(Redeliver { id });
                            }
                        >
                            {td_string!(l, alerts.send_again)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let label = td_string!(l, alerts.log_table);
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="data-table deliveries-table" data-endpoint=endpoint>
                <caption class="visually-hidden">{label}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, alerts.event)}</th>
                        <th scope="col">{td_string!(l, alerts.happened)}</th>
                        <th scope="col">{td_string!(l, alerts.state)}</th>
                        <th scope="col">{td_string!(l, alerts.attempts_title)}</th>
                        <th scope="col">{td_string!(l, alerts.next_retry)}</th>
                        <th scope="col" class="num">
                            <span class="visually-hidden">{td_string!(l, account.action)}</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A delivery's or a mail's state as a badge.
fn state_badge(state: DeliveryState, l: Locale) -> AnyView {
    match state {
        DeliveryState::Delivered => {
            view! { <span class="badge badge-active">{td_string!(l, alerts.delivered)}</span> }.into_any()
        }
        DeliveryState::Pending => {
            view! { <span class="badge badge-pending">{td_string!(l, alerts.pending)}</span> }.into_any()
        }
        DeliveryState::Failed => {
            view! { <span class="badge badge-removed">{td_string!(l, alerts.failed)}</span> }.into_any()
        }
    }
}

/// Every attempt (newest first), folded: when, and the answer.
fn attempt_list(attempts: &[Attempt]) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    let items = attempts
        .iter()
        .map(|a| {
            view! {
                <li>
                    <span class="nowrap">{r.time(a.at)}</span>
                    " · "
                    <span class=if a.succeeded { "ok" } else { "not-ok" }>{a.reply.clone()}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <details>
            <summary>{td_string!(l, alerts.attempts, n = attempts.len().to_string())}</summary>
            <ol class="attempts">{items}</ol>
        </details>
    }
}

/// The mail server and the mail log.
#[component]
fn Mails() -> impl IntoView {
    let l = use_locale();
    let save = ServerAction::<SaveSmtp>::new();
    let remove = ServerAction::<RemoveSmtp>::new();
    let test = ServerAction::<SendTestMail>::new();
    let resend = ServerAction::<ResendMail>::new();
    // Read again after a save that went through (a refused one keeps the
    // form as it was typed, with its messages) and after a removal.
    let saves = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            saves.update(|n| *n += 1);
        }
    });
    let settings = data(move || (saves.get(), remove.version().get()), |_| mail_server());
    let log = data(move || (test.version().get(), resend.version().get()), |_| mail_log());
    view! {
        <section class="card" aria-labelledby="mail-title">
            <h2 id="mail-title">{td_string!(l, alerts.mail_title)}</h2>
            <p class="muted">{td_string!(l, alerts.mail_intro)}</p>
            {loaded(settings, move |current| view! { <SmtpCard current save remove test /> })}
        </section>
        <section class="card" aria-labelledby="mail-log-title">
            <h2 id="mail-log-title">{td_string!(l, alerts.mail_log_title)}</h2>
            <p class="muted">{td_string!(l, alerts.mail_log_intro)}</p>
            {move || general_message(Signal::derive(move || resend.value().get().and_then(Result::err)))
                .get()
                .map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            {loaded(log, move |rows| view! { <MailTable rows resend /> })}
        </section>
    }
}

#[component]
fn SmtpCard(
    current: Option<SmtpSettings>,
    save: ServerAction<SaveSmtp>,
    remove: ServerAction<RemoveSmtp>,
    test: ServerAction<SendTestMail>,
) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    let has_password = current.as_ref().is_some_and(|c| c.has_password);
    let form = RwSignal::new(match &current {
        Some(c) => SmtpForm {
            host: c.host.clone(),
            port: c.port.to_string(),
            security: c.security.clone(),
            username: c.username.clone(),
            password: None,
            from: c.from.clone(),
        },
        None => SmtpForm { port: "587".into(), security: Security::StartTls.name().into(), ..SmtpForm::default() },
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveSmtp { form: form.get_untracked() });
    };
    let text = move |label: &'static str,
                     id: &'static str,
                     kind: &'static str,
                     max: usize,
                     get: fn(&SmtpForm) -> String,
                     set: fn(&mut SmtpForm, String)| {
        let error_id = format!("{id}-error");
        let field = id.trim_start_matches("smtp-");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input
                    id=id
                    type=kind
                    maxlength=max
                    autocomplete="off"
                    aria-describedby=error_id.clone()
                    prop:value=move || form.with(get)
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
                />
                <FieldError id=error_id message=server_message(error, field) />
            </div>
        }
    };
    let security_name = move |s: Security| match s {
        Security::StartTls => td_string!(l, alerts.security_starttls),
        Security::Tls => td_string!(l, alerts.security_tls),
        Security::None => td_string!(l, alerts.security_none),
    };
    let state = match &current {
        Some(c) => view! {
            <p class="pill pill-ok">{td_string!(l, alerts.smtp_set, who = c.updated_by.clone(), when = r.time(c.updated_at))}</p>
        }
        .into_any(),
        None => view! { <p class="notice notice-warn">{td_string!(l, alerts.smtp_not_set)}</p> }.into_any(),
    };
    let is_set = current.is_some();
    view! {
        {state}
        {move || saved().then(|| view! { <p class="notice notice-ok" role="status">{td_string!(l, alerts.smtp_saved)}</p> })}
        {move || general_message(error).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        <form class="form-grid smtp-form" on:submit=on_submit novalidate>
            {text(td_string!(l, alerts.smtp_host), "smtp-host", "text", HOST_MAX_CHARS, |f| f.host.clone(), |f, v| f.host = v)}
            {text(td_string!(l, alerts.smtp_port), "smtp-port", "text", 5, |f| f.port.clone(), |f, v| f.port = v)}
            <div class="field">
                <label for="smtp-security">{td_string!(l, alerts.smtp_security)}</label>
                <select
                    id="smtp-security"
                    aria-describedby="smtp-security-error"
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev);
                        form.update(|f| {
                            if let Some(s) = Security::parse(&chosen) {
                                let usual = Security::ALL.iter().any(|u| u.usual_port().to_string() == f.port);
                                if f.port.is_empty() || usual {
                                    f.port = s.usual_port().to_string();
                                }
                            }
                            f.security = chosen;
                        });
                    }
                >
                    {Security::ALL
                        .into_iter()
                        .map(|s| view! {
                            <option value=s.name() selected=move || form.with(|f| f.security == s.name())>{security_name(s)}</option>
                        })
                        .collect_view()}
                </select>
                <FieldError id="smtp-security-error" message=server_message(error, "security") />
            </div>
            {text(td_string!(l, alerts.smtp_from), "smtp-from", "email", EMAIL_MAX_CHARS, |f| f.from.clone(), |f, v| f.from = v)}
            {text(td_string!(l, alerts.smtp_username), "smtp-username", "text", CREDENTIAL_MAX_CHARS, |f| f.username.clone(), |f, v| f.username = v)}
            <div class="field">
                <label for="smtp-password">{td_string!(l, alerts.smtp_password)}</label>
                <input
                    id="smtp-password"
                    type="password"
                    maxlength=CREDENTIAL_MAX_CHARS
                    autocomplete="new-password"
                    aria-describedby="smtp-password-help smtp-password-error"
                    prop:value=move || form.with(|f| f.password.clone().unwrap_or_default())
                    on:input=move |ev| form.update(|f| f.password = Some(event_target_value(&ev)).filter(|p| !p.is_empty()))
                />
                <p class="help" id="smtp-password-help">
                    {if has_password { td_string!(l, alerts.password_stored) } else { td_string!(l, alerts.password_help) }}
                </p>
                <FieldError id="smtp-password-error" message=server_message(error, "password") />
            </div>
            <div class="field-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {td_string!(l, alerts.save_smtp)}
                </button>
                {is_set.then(|| view! {
                    <button
                        type="button"
                        class="button button-quiet"
                        disabled=move || remove.pending().get()
                        on:click=move |_| {
                            remove.dispatch(RemoveSmtp {});
                        }
                    >
                        {td_string!(l, alerts.remove_smtp)}
                    </button>
                })}
            </div>
        </form>
        {is_set.then(|| view! { <TestMail test /> })}
    }
}

/// "Send test mail": to any address, its outcome said at once.
#[component]
fn TestMail(test: ServerAction<SendTestMail>) -> impl IntoView {
    let l = use_locale();
    let to = RwSignal::new(String::new());
    let error = Signal::derive(move || test.value().get().and_then(Result::err));
    let outcome = move || {
        test.value().get().and_then(Result::ok).map(|mail| {
            let reply = mail.attempts.first().map(|a| a.reply.clone()).unwrap_or_default();
            if mail.state == DeliveryState::Delivered {
                view! { <p class="notice notice-ok" role="status">{td_string!(l, alerts.test_mail_sent, reply = reply)}</p> }
                    .into_any()
            } else {
                view! { <p class="notice notice-error" role="alert">{td_string!(l, alerts.test_mail_failed, reply = reply)}</p> }
                    .into_any()
            }
        })
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        test.dispatch(SendTestMail { to: to.get_untracked() });
    };
    view! {
        <form class="inline-form test-mail" on:submit=on_submit novalidate>
            <div class="field">
                <label for="test-mail-to">{td_string!(l, alerts.test_mail_to)}</label>
                <input
                    id="test-mail-to"
                    type="email"
                    maxlength=EMAIL_MAX_CHARS
                    autocomplete="email"
                    aria-describedby="test-mail-to-error"
                    prop:value=move || to.get()
                    on:input=move |ev| to.set(event_target_value(&ev))
                />
                <FieldError id="test-mail-to-error" message=server_message(error, "to") />
            </div>
            <button type="submit" class="button button-secondary" disabled=move || test.pending().get()>
                {td_string!(l, alerts.send_test_mail)}
            </button>
        </form>
        {move || general_message(error).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        {outcome}
    }
}

#[component]
fn MailTable(rows: Vec<Mail>, resend: ServerAction<ResendMail>) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    if rows.is_empty() {
        return view! { <p class="muted">{td_string!(l, alerts.no_mails)}</p> }.into_any();
    }
    let body = rows
        .into_iter()
        .map(|m| {
            let id = m.id;
            let what = match m.kind.as_str() {
                "test" => td_string!(l, alerts.test_mail).to_owned(),
                "digest" => td_string!(l, alerts.digest_of, n = m.events.to_string()),
                _ => event_name(&m.event_kind, l).to_owned(),
            };
            view! {
                <tr>
                    <th scope="row">{what}</th>
                    <td class="mail-to">{m.recipient.clone()}</td>
                    <td class="nowrap">{r.time(m.created_at)}</td>
                    <td>{state_badge(m.state, l)}</td>
                    <td>{attempt_list(&m.attempts)}</td>
                    <td class="nowrap">{m.next_attempt_at.map(|at| r.time(at)).unwrap_or_default()}</td>
                    <td class="num">
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            aria-label=format!("{}: {}", td_string!(l, alerts.send_again), m.recipient)
                            disabled=move || resend.pending().get()
                            on:click=move |_| {
                                resend.dispatch(ResendMail { id });
                            }
                        >
                            {td_string!(l, alerts.send_again)}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let label = td_string!(l, alerts.mail_log_table);
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="data-table mails-table">
                <caption class="visually-hidden">{label}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(l, alerts.mail_what)}</th>
                        <th scope="col">{td_string!(l, alerts.recipient)}</th>
                        <th scope="col">{td_string!(l, alerts.made)}</th>
                        <th scope="col">{td_string!(l, alerts.state)}</th>
                        <th scope="col">{td_string!(l, alerts.attempts_title)}</th>
                        <th scope="col">{td_string!(l, alerts.next_retry)}</th>
                        <th scope="col" class="num">
                            <span class="visually-hidden">{td_string!(l, account.action)}</span>
                        </th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The account page's card: which events reach the signed-in person by
/// mail, at which address, one by one or as a daily digest.
#[component]
pub fn AlertMailsCard() -> impl IntoView {
    let l = use_locale();
    let choices = data(|| (), |_| my_alerts());
    view! {
        <section class="card narrow-card" aria-labelledby="my-alerts-title">
            <h2 id="my-alerts-title">{td_string!(l, alerts.my_title)}</h2>
            <p class="muted">{td_string!(l, alerts.my_intro)}</p>
            {loaded(choices, move |c| view! { <AlertMailsForm current=c /> })}
        </section>
    }
}

#[component]
fn AlertMailsForm(current: AlertChoices) -> impl IntoView {
    let l = use_locale();
    let save = ServerAction::<SaveMyAlerts>::new();
    let defaults = RwSignal::new(current.defaults);
    let form = RwSignal::new(ChoicesForm { email: current.email, digest: current.digest, events: current.events });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            defaults.set(saved.defaults);
        }
    });
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveMyAlerts { form: form.get_untracked() });
    };
    let boxes = EventKind::ALL
        .into_iter()
        .map(|kind| {
            let name = kind.name();
            let id = format!("my-event-{}", name.replace(['.', '_'], "-"));
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input
                        id=id
                        type="checkbox"
                        value=name
                        prop:checked=move || form.with(|f| f.events.iter().any(|e| e == name))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            form.update(|f| {
                                f.events.retain(|e| e != name);
                                if on {
                                    f.events.push(name.to_owned());
                                }
                            });
                        }
                    />
                    <span>{event_name(name, l)}</span>
                </label>
            }
        })
        .collect_view();
    let cadence = move |digest: bool, id: &'static str, label: &'static str| {
        view! {
            <label class="check" for=id>
                <input
                    id=id
                    type="radio"
                    name="alert-cadence"
                    prop:checked=move || form.with(|f| f.digest == digest)
                    on:change=move |_| form.update(|f| f.digest = digest)
                />
                <span>{label}</span>
            </label>
        }
    };
    view! {
        {move || saved().then(|| view! { <p class="notice notice-ok" role="status">{td_string!(l, alerts.my_saved)}</p> })}
        {move || general_message(error).get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        <form class="form-stack" on:submit=on_submit novalidate>
            <div class="field">
                <label for="my-alert-email">{td_string!(l, alerts.my_email)}</label>
                <input
                    id="my-alert-email"
                    type="email"
                    maxlength=EMAIL_MAX_CHARS
                    autocomplete="email"
                    aria-describedby="my-alert-email-help my-alert-email-error"
                    prop:value=move || form.with(|f| f.email.clone())
                    on:input=move |ev| form.update(|f| f.email = event_target_value(&ev))
                />
                <p class="help" id="my-alert-email-help">{td_string!(l, alerts.my_email_help)}</p>
                <FieldError id="my-alert-email-error" message=server_message(error, "email") />
            </div>
            <fieldset class="field">
                <legend>{td_string!(l, alerts.cadence)}</legend>
                {cadence(false, "alert-each", td_string!(l, alerts.each))}
                {cadence(true, "alert-digest", td_string!(l, alerts.digest))}
            </fieldset>
            <fieldset class="field event-choice" aria-describedby="my-events-note my-events-error">
                <legend>{td_string!(l, alerts.events)}</legend>
                <p class="help" id="my-events-note">
                    {move || if defaults.get() { td_string!(l, alerts.defaults_note) } else { "" }}
                </p>
                <div class="check-grid">{boxes}</div>
                <FieldError id="my-events-error" message=server_message(error, "events") />
            </fieldset>
            <div class="field-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {td_string!(l, alerts.save_mine)}
                </button>
            </div>
        </form>
    }
}
