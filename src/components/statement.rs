//! The lines of a bill (a frozen statement or this month's forecast) as a
//! table: quantity × unit price = amount, and the total.

use leptos::prelude::*;

use super::format;
use crate::domain::billing::LineKind;
use crate::views::billing::Statement;

#[component]
pub fn BillLines(statement: Statement, caption: String, total_label: &'static str) -> impl IntoView {
    let currency = statement.currency.clone();
    let lines = statement
        .lines
        .iter()
        .map(|l| {
            let unit = match l.kind {
                LineKind::Users | LineKind::OptionPerUser => "per user",
                LineKind::OptionFlat => "flat",
            };
            view! {
                <tr>
                    <td>
                        {l.label.clone()}
                        <span class="line-calc muted small">
                            {format!("{} × {} {currency}", format::thousands(l.quantity), l.unit_price)}
                        </span>
                    </td>
                    <td class="num">{format::thousands(l.quantity)}</td>
                    <td class="num">
                        {format!("{} {currency}", l.unit_price)}
                        <span class="muted small unit-note">{format!(" {unit}")}</span>
                    </td>
                    <td class="num">{format::money(l.amount, &currency)}</td>
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
                        <th scope="col">"Line"</th>
                        <th scope="col" class="num">"Quantity"</th>
                        <th scope="col" class="num">"Unit price"</th>
                        <th scope="col" class="num">"Amount"</th>
                    </tr>
                </thead>
                <tbody>{lines}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{total_label}</th>
                        <td></td>
                        <td></td>
                        <td class="num">
                            <strong>{format::money(statement.total, &statement.currency)}</strong>
                        </td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}
