use leptos::html;
use leptos::prelude::*;

/// A modal dialog (the browser's `<dialog>`: focus stays inside, Esc
/// closes it). `open` shows and hides it; closing it any way sets `open`
/// back to false.
#[component]
pub fn Dialog(
    open: RwSignal<bool>,
    /// The id of the dialog's heading, for `aria-labelledby`.
    labelled_by: &'static str,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let wanted = open.get();
        #[cfg(feature = "hydrate")]
        if let Some(element) = dialog.get() {
            if wanted && !element.open() {
                let _ = element.show_modal();
            } else if !wanted && element.open() {
                element.close();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (wanted, dialog);
    });
    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby=labelled_by on:close=move |_| open.set(false)>
            {children()}
        </dialog>
    }
}
