use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::views::customers::CatalogueOption;

/// A checkbox for each option; `chosen` holds the ticked codes. Options in
/// `retired` are shown with a note that they cannot be booked again.
#[component]
pub fn OptionChecklist(
    options: Vec<CatalogueOption>,
    chosen: RwSignal<BTreeSet<String>>,
    #[prop(optional)] retired: Vec<String>,
) -> impl IntoView {
    let boxes = options
        .into_iter()
        .map(|option| {
            let code = option.code.clone();
            let is_retired = retired.contains(&code);
            let input_id = format!("option-{code}");
            let label_for = input_id.clone();
            let checked = {
                let code = code.clone();
                move || chosen.with(|c| c.contains(&code))
            };
            let pricing = if option.pricing == "flat" { "flat price per customer" } else { "per user" };
            view! {
                <label class="check" for=label_for>
                    <input
                        type="checkbox"
                        id=input_id
                        prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let code = code.clone();
                            chosen.update(|c| {
                                if on {
                                    c.insert(code);
                                } else {
                                    c.remove(&code);
                                }
                            });
                        }
                    />
                    <span>
                        {option.name}
                        <span class="muted small">{format!(" · {pricing}")}</span>
                        {is_retired.then(|| view! { <span class="muted small">" · retired: cannot be booked again"</span> })}
                    </span>
                </label>
            }
        })
        .collect_view();
    view! { <div class="check-list">{boxes}</div> }
}
