//! Badges and small figures shared by the customer pages and the cost
//! overview: one place per badge.

use chrono::NaiveDate;
use leptos::prelude::*;

use crate::components::language::{kind_name, status_name, use_locale, use_reader};
use crate::domain::customer::ContractFlag;
use crate::domain::locale;
use crate::domain::{CustomerKind, CustomerStatus};
use crate::i18n::td_string;

/// "12 / 25" users, or "— / 25" before the first report.
#[component]
pub fn UsersOfMax(reported: Option<u32>, max: u32) -> impl IntoView {
    let l = use_locale();
    let title = if reported.is_none() { td_string!(l, lists.no_count_yet) } else { td_string!(l, lists.users_of_max) };
    let reported = reported.map(|n| n.to_string()).unwrap_or_else(|| "—".to_owned());
    view! {
        <span title=title>{format!("{reported} / {max}")}</span>
    }
}

/// A contract end with its flag: ended, or ending within 14 days.
#[component]
pub fn ContractEnd(
    date: NaiveDate,
    flag: ContractFlag,
    today: NaiveDate,
    /// Written in the reader's language ("04.12.2026"), not as ISO for a
    /// column that sorts by it.
    #[prop(optional)]
    in_words: bool,
) -> impl IntoView {
    let days = (date - today).num_days();
    let reader = use_reader();
    let l = reader.l();
    let shown = if in_words { reader.day(date) } else { locale::date_sortable(date) };
    let badge = match flag {
        ContractFlag::Ended => Some(("flag flag-ended", td_string!(l, lists.ended).to_owned())),
        ContractFlag::EndsSoon if days == 0 => Some(("flag flag-soon", td_string!(l, lists.ends_today).to_owned())),
        ContractFlag::EndsSoon if days == 1 => Some(("flag flag-soon", td_string!(l, lists.ends_tomorrow).to_owned())),
        ContractFlag::EndsSoon => Some(("flag flag-soon", td_string!(l, lists.ends_in_days, days))),
        ContractFlag::Running => None,
    };
    view! {
        <span>{shown}</span>
        {badge.map(|(class, text)| view! { " " <span class=class>{text}</span> })}
    }
}

#[component]
pub fn KindBadge(kind: CustomerKind) -> impl IntoView {
    let class = match kind {
        CustomerKind::Test => "badge badge-test",
        CustomerKind::Billed => "badge badge-billed",
    };
    view! { <span class=class>{kind_name(kind, use_locale())}</span> }
}

#[component]
pub fn StatusBadge(status: CustomerStatus) -> impl IntoView {
    let class = match status {
        CustomerStatus::Active => "badge badge-active",
        CustomerStatus::Deactivated => "badge badge-deactivated",
        CustomerStatus::Removed => "badge badge-removed",
    };
    view! { <span class=class>{status_name(status, use_locale())}</span> }
}
