//! Badges and small figures shared by the customer pages and the cost
//! overview: one place per badge.

use chrono::NaiveDate;
use leptos::prelude::*;

use crate::domain::customer::ContractFlag;
use crate::domain::{CustomerKind, CustomerStatus};

/// "12 / 25" users, or "— / 25" before the first report.
#[component]
pub fn UsersOfMax(reported: Option<u32>, max: u32) -> impl IntoView {
    let reported = reported.map(|n| n.to_string()).unwrap_or_else(|| "—".to_owned());
    let title = if reported == "—" { "No user count reported yet" } else { "Users reported / licensed maximum" };
    view! {
        <span title=title>{format!("{reported} / {max}")}</span>
    }
}

/// A contract end with its flag: ended, or ending within 14 days.
#[component]
pub fn ContractEnd(date: NaiveDate, flag: ContractFlag, today: NaiveDate) -> impl IntoView {
    let days = (date - today).num_days();
    let badge = match flag {
        ContractFlag::Ended => Some(("flag flag-ended", "Ended".to_owned())),
        ContractFlag::EndsSoon if days == 0 => Some(("flag flag-soon", "Ends today".to_owned())),
        ContractFlag::EndsSoon if days == 1 => Some(("flag flag-soon", "Ends tomorrow".to_owned())),
        ContractFlag::EndsSoon => Some(("flag flag-soon", format!("Ends in {days} days"))),
        ContractFlag::Running => None,
    };
    view! {
        <span>{date.to_string()}</span>
        {badge.map(|(class, text)| view! { " " <span class=class>{text}</span> })}
    }
}

#[component]
pub fn KindBadge(kind: CustomerKind) -> impl IntoView {
    let class = match kind {
        CustomerKind::Test => "badge badge-test",
        CustomerKind::Billed => "badge badge-billed",
    };
    view! { <span class=class>{kind.label()}</span> }
}

#[component]
pub fn StatusBadge(status: CustomerStatus) -> impl IntoView {
    let class = match status {
        CustomerStatus::Active => "badge badge-active",
        CustomerStatus::Deactivated => "badge badge-deactivated",
        CustomerStatus::Removed => "badge badge-removed",
    };
    view! { <span class=class>{status.label()}</span> }
}
