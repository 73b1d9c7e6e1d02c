//! The cost overview of one month: the month picker, the filters, the
//! table with its totals, and the CSV export. The browser has all of the
//! month's rows: it filters, sorts, pages and exports them itself; the
//! address holds every choice (`OverviewQuery`).

mod export;
mod filters;
mod table;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::domain::overview_query::OverviewQuery;
use crate::views::billing::CostOverviewPage;
use export::ExportBox;
use filters::{Filters, MonthPicker};
pub use table::figures_badge;
use table::OverviewTable;

/// Goes to the overview of `query` (`replace`: without a history entry,
/// as typing in the search box does).
fn navigator() -> impl Fn(OverviewQuery, bool) + Clone {
    let navigate = use_navigate();
    move |q: OverviewQuery, replace: bool| {
        navigate(&q.href(), NavigateOptions { replace, scroll: false, ..Default::default() });
    }
}

#[component]
pub fn Overview(page: CostOverviewPage, query: Memo<OverviewQuery>) -> impl IntoView {
    let month = page.month;
    let months = page.months.clone();
    let page = StoredValue::new(page);
    let shown = Memo::new(move |_| page.with_value(|p| query.with(|q| q.apply(&p.rows))));
    view! {
        <div class="overview-toolbar">
            <MonthPicker months month query />
            <Filters query />
        </div>
        <OverviewTable page shown query />
        <ExportBox page shown month />
    }
}
