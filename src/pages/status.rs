use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::status::get_server_status;
use crate::components::format;
use crate::components::loaded;

#[component]
pub fn StatusPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_server_status());
    view! {
        <Title text="Status" />
        <div class="page-header">
            <h1>"Status"</h1>
            <p class="muted">"Health of this server."</p>
        </div>
        {loaded(status, |s| {
                            let migrations_ok = s.migrations_applied == s.migrations_known;
                            view! {
                                <div class="cards">
                                    <section class="card" aria-labelledby="status-server">
                                        <h2 id="status-server">"Server"</h2>
                                        <dl class="facts">
                                            <dt>"Version"</dt>
                                            <dd>{s.version.clone()}</dd>
                                            <dt>"Uptime"</dt>
                                            <dd>{format::duration(s.uptime_seconds)}</dd>
                                        </dl>
                                    </section>
                                    <section class="card" aria-labelledby="status-db">
                                        <h2 id="status-db">"Database"</h2>
                                        <dl class="facts">
                                            <dt>"Backend"</dt>
                                            <dd>{s.database_backend.clone()}</dd>
                                            <dt>"Size"</dt>
                                            <dd>{format::bytes(s.database_bytes)}</dd>
                                            <dt>"Migrations"</dt>
                                            <dd>
                                                <span class=if migrations_ok { "pill pill-ok" } else { "pill pill-warn" }>
                                                    {format!("{} of {} applied", s.migrations_applied, s.migrations_known)}
                                                </span>
                                            </dd>
                                            <dt>"Latest"</dt>
                                            <dd>{s.latest_migration.clone()}</dd>
                                        </dl>
                                    </section>
                                    <section class="card" aria-labelledby="status-staff">
                                        <h2 id="status-staff">"Staff accounts"</h2>
                                        <dl class="facts">
                                            {s
                                                .staff_by_role
                                                .iter()
                                                .map(|(role, n)| view! {
                                                    <dt>{crate::domain::Role::parse(role).map(|r| r.label()).unwrap_or("Other")}</dt>
                                                    <dd>{*n}</dd>
                                                })
                                                .collect_view()}
                                        </dl>
                                    </section>
                                </div>
                            }
                        })}
        <section class="card card-plain" aria-labelledby="status-later">
            <h2 id="status-later">"Coming with metering and billing"</h2>
            <p class="muted">
                "Customers by state, the last usage report and customers without a report for over 48 hours, "
                "the month-close job, contracts and test phases ending within 14 days, and recent warnings "
                "will be shown here once those parts exist."
            </p>
        </section>
    }
}
