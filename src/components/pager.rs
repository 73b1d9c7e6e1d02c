//! The one pager of the app's tables: links to other pages around a status
//! text, a link that leads nowhere shown disabled.

use leptos::prelude::*;

use crate::components::language::use_locale;
use crate::i18n::td_string;

/// One link of a pager; `href: None` shows it disabled.
#[derive(Clone, Debug)]
pub struct PagerLink {
    pub label: &'static str,
    pub rel: &'static str,
    pub href: Option<String>,
}

fn link(l: PagerLink) -> AnyView {
    match l.href {
        Some(href) => view! { <a class="button button-secondary" href=href rel=l.rel>{l.label}</a> }.into_any(),
        None => view! { <span class="button button-secondary" aria-disabled="true">{l.label}</span> }.into_any(),
    }
}

/// `before` links, the status text, `after` links.
#[component]
pub fn Pager(before: Vec<PagerLink>, status: String, after: Vec<PagerLink>) -> impl IntoView {
    let l = use_locale();
    view! {
        <nav class="pager" aria-label=td_string!(l, lists.pages_label)>
            {before.into_iter().map(link).collect_view()}
            <span class="pager-status">{status}</span>
            {after.into_iter().map(link).collect_view()}
        </nav>
    }
}

/// "First", "Previous" and "Next", "Last" for page `page` of `pages`
/// (1-based), each linking to `href(target)` unless it is this page or
/// there is none.
pub fn numbered(page: usize, pages: usize, href: impl Fn(usize) -> String) -> (Vec<PagerLink>, Vec<PagerLink>) {
    let l = use_locale();
    let to = |target: usize, label: &'static str, rel: &'static str| PagerLink {
        label,
        rel,
        href: (target != page && (1..=pages).contains(&target)).then(|| href(target)),
    };
    (
        vec![
            to(1, td_string!(l, lists.first), "first"),
            to(page.saturating_sub(1), td_string!(l, lists.previous), "prev"),
        ],
        vec![to(page + 1, td_string!(l, lists.next), "next"), to(pages, td_string!(l, lists.last), "last")],
    )
}
