//! The overview's CSV export: the rows the filters show, in the order shown,
//! built in the browser.

use leptos::prelude::*;

use crate::components::language::use_reader;
use crate::components::CsvFormatChoice;
use crate::domain::export::CsvFormat;
use crate::domain::BillingMonth;
use crate::i18n::td_string;
use crate::views::billing::CostOverviewPage;

/// The CSV file of the rows shown, in the order shown. Its code (the CSV
/// writer) is a part of the WebAssembly of its own, loaded on the first
/// export rather than with the page.
#[cfg(feature = "hydrate")]
#[lazy]
fn overview_csv(page: StoredValue<CostOverviewPage>, shown: Memo<Vec<usize>>, format: CsvFormat) -> Vec<u8> {
    page.with_value(|p| {
        let rows: Vec<&crate::domain::cost_overview::OverviewRow> =
            shown.with_untracked(|s| s.iter().map(|i| &p.rows[*i]).collect());
        crate::domain::export::write(&rows, &p.currency, format)
    })
}

#[component]
pub fn ExportBox(page: StoredValue<CostOverviewPage>, shown: Memo<Vec<usize>>, month: BillingMonth) -> impl IntoView {
    let r = use_reader();
    let l = r.l();
    let csv_format = RwSignal::new(CsvFormat::first_for(r.language));
    let built_ms = RwSignal::new(None::<f64>);
    let export_error = RwSignal::new(None::<String>);
    // Read only by the export itself, which runs in the browser.
    #[cfg(not(feature = "hydrate"))]
    let _ = (page, month);
    let export = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let now = || web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0);
            let t0 = now();
            let bytes = overview_csv(page, shown, csv_format.get_untracked()).await;
            match crate::components::download(&bytes, &crate::domain::export::file_name(month)) {
                Ok(()) => {
                    export_error.set(None);
                    built_ms.set(Some(now() - t0));
                }
                Err(_) => export_error.set(Some(td_string!(l, costs.download_refused).to_owned())),
            }
        });
    };
    view! {
        <fieldset class="export">
            <legend>{td_string!(l, costs.csv_export)}</legend>
            <CsvFormatChoice
                selected=csv_format
                name="csv-format"
                labels=[td_string!(l, costs.csv_comma), td_string!(l, costs.csv_spreadsheet)]
            />
            <button
                type="button"
                class="button button-secondary"
                id="overview-export"
                data-built-ms=move || built_ms.get().map(tenths)
                disabled=move || shown.with(|s| s.is_empty())
                on:click=export
            >
                {move || {
                    let n = shown.with(|s| s.len());
                    let rows = r.count_of(n as u64, td_string!(l, costs.row_singular), td_string!(l, costs.row_plural));
                    td_string!(l, costs.download, rows)
                }}
            </button>
            <p class="muted small">{td_string!(l, costs.export_help)}</p>
            {move || export_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </fieldset>
    }
}

/// Milliseconds to a tenth, "12.3" (written by hand: the browser's download
/// then carries no float formatting).
fn tenths(ms: f64) -> String {
    let tenths = (ms.max(0.0) * 10.0).round() as u64;
    format!("{}.{}", tenths / 10, tenths % 10)
}
