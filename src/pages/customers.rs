use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CustomersPage() -> impl IntoView {
    view! {
        <Title text="Customers" />
        <div class="page-header">
            <h1>"Customers"</h1>
            <p class="muted">"One password-manager database per customer."</p>
        </div>
        <section class="card card-plain empty-state">
            <h2>"No customer management yet"</h2>
            <p class="muted">
                "This module will list test, billed and deactivated customers, create new ones, "
                "and let you edit each customer's contract, license and options, convert, deactivate, "
                "activate and remove customers."
            </p>
        </section>
    }
}
