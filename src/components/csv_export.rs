//! What both CSV exports share: the layout choice and handing the file to
//! the browser.

use leptos::prelude::*;

use crate::components::language::use_reader;
use crate::domain::export::CsvFormat;

/// The two radio buttons of the CSV layout (`name` groups them), the one
/// for the reader's language first (`CsvFormat::first_for`).
#[component]
pub fn CsvFormatChoice(
    selected: RwSignal<CsvFormat>,
    name: &'static str,
    /// The labels of the comma and the spreadsheet layout.
    labels: [&'static str; 2],
) -> impl IntoView {
    let mut choices = [(CsvFormat::Comma, labels[0]), (CsvFormat::Spreadsheet, labels[1])];
    if CsvFormat::first_for(use_reader().language) == CsvFormat::Spreadsheet {
        choices.reverse();
    }
    choices
        .into_iter()
        .map(|(value, label)| {
            view! {
                <label class="radio">
                    <input
                        type="radio"
                        name=name
                        prop:checked=move || selected.get() == value
                        on:change=move |_| selected.set(value)
                    />
                    {label}
                </label>
            }
        })
        .collect_view()
}

/// Starts the download of `bytes` as the CSV file `name`.
#[cfg(feature = "hydrate")]
pub fn download(bytes: &[u8], name: &str) -> Result<(), wasm_bindgen::JsValue> {
    download_as(bytes, name, "text/csv;charset=utf-8")
}

/// Starts the download of `bytes` as `name` of type `mime` (a Blob and a
/// link clicked once).
#[cfg(feature = "hydrate")]
pub fn download_as(bytes: &[u8], name: &str, mime: &str) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}
