use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CostsPage() -> impl IntoView {
    view! {
        <Title text="Cost overview" />
        <div class="page-header">
            <h1>"Cost overview"</h1>
            <p class="muted">"All billed customers for one month."</p>
        </div>
        <section class="card card-plain empty-state">
            <h2>"No billing figures yet"</h2>
            <p class="muted">
                "Once metering and billing exist, this page shows every billed customer of a month with its "
                "users, options and costs, the changes against the month before, totals, a chart of monthly "
                "totals and a CSV export."
            </p>
        </section>
    }
}
