use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::components::language::use_locale;
use crate::i18n::td_string;
use crate::views::customers::CatalogueOption;

/// A checkbox for each option; `chosen` holds the ticked codes. Options in
/// `retired` are shown with a note that they cannot be booked again.
#[component]
pub fn OptionChecklist(
    options: Vec<CatalogueOption>,
    chosen: RwSignal<BTreeSet<String>>,
    #[prop(optional)] retired: Vec<String>,
) -> impl IntoView {
    let l = use_locale();
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
            let pricing = if option.pricing == "flat" {
                td_string!(l, customers.option_flat)
            } else {
                td_string!(l, customers.option_per_user)
            };
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
                        {is_retired
                            .then(|| view! { <span class="muted small">{td_string!(l, customers.option_retired)}</span> })}
                    </span>
                </label>
            }
        })
        .collect_view();
    view! { <div class="check-list">{boxes}</div> }
}
