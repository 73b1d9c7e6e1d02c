//! The lines of a bill (a frozen statement or this month's forecast) as a
//! table: quantity × unit price = amount, and the total.

use leptos::prelude::*;

use super::language::use_reader;
use crate::domain::billing::LineKind;
use crate::i18n::td_string;
use crate::views::billing::Statement;

#[component]
pub fn BillLines(statement: Statement, caption: String, total_label: &'static str) -> impl IntoView {
    let currency = statement.currency.clone();
    let r = use_reader();
    let tr = r.l();
    let lines = statement
        .lines
        .iter()
        .map(|l| {
            let unit = match l.kind {
                LineKind::Users | LineKind::OptionPerUser => td_string!(tr, customer.line_per_user),
                LineKind::OptionFlat => td_string!(tr, customer.line_flat),
            };
            let price = r.unit_price(l.unit_price, &currency);
            view! {
                <tr>
                    <td>
                        {match l.kind {
                            // The users' line is named by the page; an option's by the catalogue.
                            LineKind::Users => td_string!(tr, customer.line_users).to_owned(),
                            _ => l.label.clone(),
                        }}
                        <span class="line-calc muted small">
                            {format!("{} × {price}", r.count(l.quantity))}
                        </span>
                    </td>
                    <td class="num">{r.count(l.quantity)}</td>
                    <td class="num">
                        {price.clone()}
                        <span class="muted small unit-note">{format!(" {unit}")}</span>
                    </td>
                    <td class="num">{r.money(l.amount, &currency)}</td>
                </tr>
            }
        })
        .collect_view();
    let label = caption.clone();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="data-table bill-lines">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(tr, customer.line)}</th>
                        <th scope="col" class="num">{td_string!(tr, customer.quantity)}</th>
                        <th scope="col" class="num">{td_string!(tr, customer.unit_price)}</th>
                        <th scope="col" class="num">{td_string!(tr, customer.amount)}</th>
                    </tr>
                </thead>
                <tbody>{lines}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{total_label}</th>
                        <td></td>
                        <td></td>
                        <td class="num">
                            <strong>{r.money(statement.total, &statement.currency)}</strong>
                        </td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
