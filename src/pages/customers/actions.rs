//! The actions on a customer's page, each a button and a dialog.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::customers::{ActivateCustomer, ChangeCustomerKind, DeactivateCustomer, RemoveCustomer};
use crate::components::field::{general_message, server_message};
use crate::components::language::{use_locale, use_reader};
use crate::components::{Dialog, FieldError};
use crate::domain::customer::{default_contract_end, REASON_MAX_CHARS};
use crate::domain::{BillingMonth, CustomerKind};
use crate::error::AppError;
use crate::i18n::{td, td_string};
use crate::views::customers::CustomerDetail;

/// A dialog's confirm button (busy while `disabled`) and Cancel, which
/// closes it.
#[component]
pub fn ConfirmButtons(
    label: &'static str,
    #[prop(optional)] danger: bool,
    disabled: Signal<bool>,
    on_confirm: impl Fn() + Send + Sync + 'static,
    open: RwSignal<bool>,
) -> impl IntoView {
    let class = if danger { "button button-danger" } else { "button button-primary" };
    let l = use_locale();
    view! {
        <div class="dialog-actions">
            <button type="button" class=class disabled=move || disabled.get() on:click=move |_| on_confirm()>
                {label}
            </button>
            <button type="button" class="button button-secondary" on:click=move |_| open.set(false)>
                {td_string!(l, customer.cancel)}
            </button>
        </div>
    }
}

/// After a successful action: close the dialog and load the customer anew.
fn on_success(succeeded: Signal<bool>, open: RwSignal<bool>, refresh: RwSignal<u32>) {
    Effect::new(move |_| {
        if succeeded.get() {
            open.set(false);
            refresh.update(|n| *n += 1);
        }
    });
}

fn general_notice(error: Signal<Option<AppError>>) -> impl IntoView {
    let message = general_message(error);
    move || message.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })
}

#[component]
pub fn ConvertAction(customer: CustomerDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let open = RwSignal::new(false);
    let action = ServerAction::<ChangeCustomerKind>::new();
    on_success(Signal::derive(move || matches!(action.value().get(), Some(Ok(_)))), open, refresh);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let kind_error = server_message(error, "kind");
    let r = use_reader();
    let l = r.l();
    let month = r.month(BillingMonth::of(customer.today));
    let (id, version) = (customer.id, customer.version);
    view! {
        <button type="button" class="button button-secondary" on:click=move |_| open.set(true)>
            {td_string!(l, customer.convert)}
        </button>
        <Dialog open labelled_by="convert-title">
            <h2 id="convert-title">{td_string!(l, customer.convert_title)}</h2>
            <p>{td_string!(l, customer.convert_text, name = customer.name.clone(), month)}</p>
            {general_notice(error)}
            <FieldError id="convert-error" message=kind_error />
            <ConfirmButtons
                label=td_string!(l, customer.convert)
                disabled=Signal::derive(move || action.pending().get())
                on_confirm=move || {
                    action.dispatch(ChangeCustomerKind { id, version, kind: CustomerKind::Billed.as_str().to_owned() });
                }
                open
            />
        </Dialog>
    }
}

#[component]
pub fn DeactivateAction(customer: CustomerDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let action = ServerAction::<DeactivateCustomer>::new();
    on_success(Signal::derive(move || matches!(action.value().get(), Some(Ok(_)))), open, refresh);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let l = use_locale();
    let too_long = move || reason.with(|r| r.trim().chars().count() > REASON_MAX_CHARS);
    let server_reason = server_message(error, "reason");
    let reason_error = Signal::derive(move || {
        if too_long() {
            Some(td_string!(l, customer.reason_too_long, max = REASON_MAX_CHARS))
        } else {
            server_reason.get()
        }
    });
    let billing = match customer.kind {
        CustomerKind::Billed => td_string!(l, customer.deactivate_billed, name = customer.name.clone()),
        CustomerKind::Test => td_string!(l, customer.deactivate_test).to_owned(),
    };
    let (id, version) = (customer.id, customer.version);
    view! {
        <button type="button" class="button button-secondary" on:click=move |_| open.set(true)>
            {td_string!(l, customer.deactivate)}
        </button>
        <Dialog open labelled_by="deactivate-title">
            <h2 id="deactivate-title">{td_string!(l, customer.deactivate_title, name = customer.name.clone())}</h2>
            <p>{td_string!(l, customer.deactivate_text)}</p>
            <p class="notice notice-info">{billing}</p>
            {general_notice(error)}
            <div class="field">
                <label for="deactivate-reason">{td_string!(l, customer.reason_optional)}</label>
                <textarea
                    id="deactivate-reason"
                    rows="3"
                    aria-describedby="deactivate-reason-count deactivate-reason-error"
                    aria-invalid=move || reason_error.get().is_some().then_some("true")
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                ></textarea>
                <p class="help" id="deactivate-reason-count">
                    {move || {
                        let count = reason.with(|r| r.trim().chars().count());
                        td_string!(l, customer.characters_of, count, max = REASON_MAX_CHARS)
                    }}
                </p>
                <FieldError id="deactivate-reason-error" message=reason_error />
            </div>
            <ConfirmButtons
                label=td_string!(l, customer.deactivate_customer)
                danger=true
                disabled=Signal::derive(move || action.pending().get() || too_long())
                on_confirm=move || {
                    action.dispatch(DeactivateCustomer { id, version, reason: reason.get() });
                }
                open
            />
        </Dialog>
    }
}

#[component]
pub fn ActivateAction(customer: CustomerDetail, refresh: RwSignal<u32>) -> impl IntoView {
    let open = RwSignal::new(false);
    let ended = customer.contract_end < customer.today;
    let contract_end = RwSignal::new(default_contract_end(customer.today).to_string());
    let action = ServerAction::<ActivateCustomer>::new();
    on_success(Signal::derive(move || matches!(action.value().get(), Some(Ok(_)))), open, refresh);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let end_error = server_message(error, "contract_end");
    let (id, version, today) = (customer.id, customer.version, customer.today);
    let r = use_reader();
    let l = r.l();
    let explanation = if ended {
        td_string!(l, customer.activate_ended, date = r.day(customer.contract_end))
    } else {
        td_string!(l, customer.activate_restored).to_owned()
    };
    view! {
        <button type="button" class="button button-primary" on:click=move |_| open.set(true)>
            {td_string!(l, customer.activate)}
        </button>
        <Dialog open labelled_by="activate-title">
            <h2 id="activate-title">{td_string!(l, customer.activate_title, name = customer.name.clone())}</h2>
            <p>{explanation}</p>
            {general_notice(error)}
            {ended
                .then(|| {
                    view! {
                        <div class="field">
                            <label for="activate-contract-end">{td_string!(l, customer.new_contract_end)}</label>
                            <input
                                id="activate-contract-end"
                                type="date"
                                min=today.to_string()
                                aria-describedby="activate-contract-end-error"
                                prop:value=move || contract_end.get()
                                on:input=move |ev| contract_end.set(event_target_value(&ev))
                            />
                            <FieldError id="activate-contract-end-error" message=end_error />
                        </div>
                    }
                })}
            <ConfirmButtons
                label=td_string!(l, customer.activate_customer)
                disabled=Signal::derive(move || action.pending().get())
                on_confirm=move || {
                    let contract_end = ended.then(|| contract_end.get());
                    action.dispatch(ActivateCustomer { id, version, contract_end });
                }
                open
            />
        </Dialog>
    }
}

#[component]
pub fn RemoveAction(customer: CustomerDetail) -> impl IntoView {
    let open = RwSignal::new(false);
    let done = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let action = ServerAction::<RemoveCustomer>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let confirm_error = server_message(error, "confirm_name");
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            open.set(false);
            done.set(true);
        }
    });
    let removed = move || action.value().get().and_then(Result::ok);
    let name = customer.name.clone();
    let matches = {
        let name = name.clone();
        move || typed.with(|t| t.trim() == name)
    };
    let (id, version) = (customer.id, customer.version);
    // However the notice is closed (button or Esc), the removed customer's
    // page is left for the list.
    let navigate = use_navigate();
    Effect::new(move |was_open: Option<bool>| {
        let open_now = done.get();
        if was_open == Some(true) && !open_now {
            navigate("/customers", Default::default());
        }
        open_now
    });
    let back_to_list = move |_| done.set(false);
    let l = use_locale();
    let confirm_name = |children: ChildrenFn| view! { <strong class="confirm-name">{children()}</strong> };
    view! {
        <button type="button" class="button button-danger-quiet" on:click=move |_| open.set(true)>
            {td_string!(l, customer.remove)}
        </button>
        <Dialog open labelled_by="remove-title">
            <h2 id="remove-title">{td_string!(l, customer.remove_title, name = name.clone())}</h2>
            <p>{td_string!(l, customer.remove_text)}</p>
            {general_notice(error)}
            <div class="field">
                <label for="remove-confirm">
                    {td!(l, customer.remove_confirm, name = name.clone(), <strong> = confirm_name)}
                </label>
                <input
                    id="remove-confirm"
                    type="text"
                    autocomplete="off"
                    aria-describedby="remove-confirm-error"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
                <FieldError id="remove-confirm-error" message=confirm_error />
            </div>
            <ConfirmButtons
                label=td_string!(l, customer.remove_customer)
                danger=true
                disabled=Signal::derive(move || action.pending().get() || !matches())
                on_confirm=move || {
                    action.dispatch(RemoveCustomer { id, version, confirm_name: typed.get() });
                }
                open
            />
        </Dialog>
        <Dialog open=done labelled_by="removed-title">
            <h2 id="removed-title">{td_string!(l, customer.removed_title)}</h2>
            {move || {
                removed()
                    .map(|r| {
                        let code = |children: ChildrenFn| view! { <code>{children()}</code> };
                        view! {
                            <p>{td_string!(l, customer.removed_text, name = r.name.clone())}</p>
                            <p class="notice notice-warn">
                                {td!(l, customer.removed_database, database = r.database_name.clone(), <code> = code)}
                            </p>
                        }
                    })
            }}
            <div class="dialog-actions">
                <button type="button" class="button button-primary" on:click=back_to_list>
                    {td_string!(l, customer.back_to_list)}
                </button>
            </div>
        </Dialog>
    }
}
