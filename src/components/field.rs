use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::domain::FieldMessage;
use crate::error::AppError;

/// The message under a form field (`role="alert"`, so screen readers hear
/// it), or nothing.
#[component]
pub fn FieldError(
    /// The id the input points to with `aria-describedby`.
    #[prop(into)]
    id: String,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message.get().map(|message| {
            view! {
                <p class="field-error" id=id.clone() role="alert">
                    {message}
                </p>
            }
        })
    }
}

/// A labelled text field, with an optional help line and its message.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    #[prop(optional)] help: Option<&'static str>,
    /// The keyboard phones show: "numeric", "decimal".
    #[prop(optional)]
    inputmode: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    value: Signal<String>,
    set: Callback<String>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let described = if help.is_some() { format!("{help_id} {error_id}") } else { error_id.clone() };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                inputmode=inputmode
                placeholder=placeholder
                autocomplete="off"
                aria-describedby=described
                aria-invalid=move || message.get().is_some().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| set.run(event_target_value(&ev))
            />
            {help.map(|h| view! { <p class="help" id=help_id>{h}</p> })}
            <FieldError id=error_id message />
        </div>
    }
}

/// The month a change starts in ("In force from (month)"): `min` (the
/// current month) or later.
#[component]
pub fn StartMonthField(
    id: &'static str,
    label: &'static str,
    min: crate::domain::BillingMonth,
    value: Signal<String>,
    set: Callback<String>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="month"
                min=min.to_string()
                aria-describedby=error_id.clone()
                aria-invalid=move || message.get().is_some().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| set.run(event_target_value(&ev))
            />
            <FieldError id=error_id message />
        </div>
    }
}

/// The server's message for one field of a form, from the last answer of
/// the form's action.
pub fn server_message(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    let l = crate::components::language::use_locale();
    Signal::derive(move || error.get().and_then(|e| e.message_for(field).map(|m| crate::messages::text(m, l))))
}

/// An error that is not about a single field (conflict, refusal, network).
pub fn general_message(error: Signal<Option<AppError>>) -> Signal<Option<String>> {
    let l = crate::components::language::use_locale();
    Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid(_)))
            .map(|e| crate::components::language::error_message(&e, l))
    })
}

/// The message under one field of a form checked as the user types: the
/// rule's problem with what is typed (once `shown`), else the server's word
/// on the last save.
pub fn field_message(
    problems: Memo<Vec<FieldMessage>>,
    shown: Signal<bool>,
    server_error: Signal<Option<AppError>>,
    field: impl Into<String>,
) -> Signal<Option<String>> {
    let field = field.into();
    let l = crate::components::language::use_locale();
    Signal::derive(move || {
        let typed = shown.get().then(|| {
            problems.with(|p| p.iter().find(|p| p.field == field).map(|p| crate::messages::text(&p.message, l)))
        });
        typed
            .flatten()
            .or_else(|| server_error.get().and_then(|e| e.message_for(&field).map(|m| crate::messages::text(m, l))))
    })
}

/// The wiring every form checked as the user types shares: the rule's
/// problems with what is typed (shown from the first try to save on), the
/// server's answer to the last save (a field's message, or one about the
/// whole form), and what happens once the server took it.
pub struct CheckedForm<S>
where
    S: ServerFn + 'static,
    S::Output: 'static,
{
    pub save: ServerAction<S>,
    problems: Memo<Vec<FieldMessage>>,
    submitted: RwSignal<bool>,
    server_error: Signal<Option<AppError>>,
    /// A refusal that is not about one field (a conflict, the network).
    pub general: Signal<Option<String>>,
}

impl<S> Clone for CheckedForm<S>
where
    S: ServerFn + 'static,
    S::Output: 'static,
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for CheckedForm<S>
where
    S: ServerFn + 'static,
    S::Output: 'static,
{
}

impl<S> CheckedForm<S>
where
    S: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    /// `problems`: the form's rule on what is typed; `saved`: run each time
    /// the server accepts a save.
    pub fn new(problems: impl Fn() -> Vec<FieldMessage> + Send + Sync + 'static, saved: impl Fn() + 'static) -> Self {
        let save = ServerAction::<S>::new();
        let server_error = Signal::derive(move || save.value().get().and_then(Result::err));
        Effect::new(move |_| {
            if matches!(save.value().get(), Some(Ok(()))) {
                saved();
            }
        });
        Self {
            save,
            problems: Memo::new(move |_| problems()),
            submitted: RwSignal::new(false),
            server_error,
            general: general_message(server_error),
        }
    }

    /// The message under `field`.
    pub fn message(&self, field: impl Into<String>) -> Signal<Option<String>> {
        field_message(self.problems, self.submitted.into(), self.server_error, field)
    }

    /// Submitting: the browser's own submit is stopped, the problems with
    /// what is typed are shown, and the form goes to the server (`input`)
    /// only when there are none.
    pub fn submit(&self, ev: leptos::ev::SubmitEvent, input: impl FnOnce() -> S) {
        ev.prevent_default();
        self.submitted.set(true);
        if self.problems.with(Vec::is_empty) {
            self.save.dispatch(input());
        }
    }

    /// Whether a save is on its way (its button is then disabled).
    pub fn pending(&self) -> Memo<bool> {
        self.save.pending()
    }
}

/// A table cell with the input of an amount (a price, a percentage): its
/// label for screen readers (the row says what it is for) and its message.
#[component]
pub fn AmountCell(
    id: String,
    label: String,
    value: Signal<String>,
    set: Callback<String>,
    message: Signal<Option<String>>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <td class="num">
            <label class="visually-hidden" for=id.clone()>{label}</label>
            <input
                id=id
                class="price-input"
                type="text"
                inputmode="decimal"
                disabled=move || disabled.get()
                aria-describedby=error_id.clone()
                aria-invalid=move || message.get().is_some().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| set.run(event_target_value(&ev))
            />
            <FieldError id=error_id message />
        </td>
    }
}

/// The head of a form for a list of prices effective from a month: its
/// title, help, a refusal about the whole form, and the month it starts in.
#[component]
pub fn ListFormHead(
    title: &'static str,
    help: String,
    general: Signal<Option<String>>,
    /// The month field's id.
    id: &'static str,
    min: crate::domain::BillingMonth,
    value: Signal<String>,
    set: Callback<String>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    let l = crate::components::language::use_locale();
    view! {
        <h3>{title}</h3>
        <p class="muted small">{help}</p>
        {move || general.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
        <div class="form-grid">
            <StartMonthField
                id
                label=crate::i18n::td_string!(l, settings.in_force_from)
                min
                value
                set
                message
            />
        </div>
    }
}
