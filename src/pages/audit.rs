use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::audit::latest_audit;
use crate::components::audit::AuditTable;
use crate::components::loaded;

#[component]
pub fn AuditPage() -> impl IntoView {
    let entries = Resource::new(|| (), |_| latest_audit());
    view! {
        <Title text="Audit log" />
        <div class="page-header">
            <h1>"Audit log"</h1>
            <p class="muted">"Who changed what and when: the newest 200 entries."</p>
        </div>
        {loaded(entries, |rows| view! { <AuditTable entries=rows caption="Audit log entries, newest first" with_subject=true /> })}
    }
}
