//! The lines of a bill (a frozen statement or this month's forecast) as a
//! table: quantity × unit price = amount, and the total; beside each line
//! what the MSP charges for it, and below the revenue and the margin.

use leptos::prelude::*;

use super::language::use_reader;
use crate::domain::billing::LineKind;
use crate::domain::selling::SellBasis;
use crate::i18n::td_string;
use crate::views::billing::Statement;

/// How a sell price came about, in short: "+25%", "−10%", "fixed".
fn basis_note(r: &super::language::Reader, basis: SellBasis) -> String {
    let l = r.l();
    match basis {
        SellBasis::AtCost => td_string!(l, customer.basis_at_cost).to_owned(),
        SellBasis::ListPrice => td_string!(l, customer.basis_list).to_owned(),
        SellBasis::Fixed => td_string!(l, customer.basis_fixed).to_owned(),
        SellBasis::Markup(p) => format!("+{}", r.percent(p.bp(), 2, 0)),
        SellBasis::Discount(p) => format!("−{}", r.percent(p.bp(), 2, 0)),
    }
}

#[component]
pub fn BillLines(statement: Statement, caption: String, total_label: &'static str) -> impl IntoView {
    let currency = statement.currency.clone();
    let r = use_reader();
    let tr = r.l();
    // Sell columns when the statement recorded what it sold (and sold it).
    let sold = statement.sale.as_ref().filter(|s| !s.not_for_resale).cloned();
    let with_sale = sold.is_some();
    let lines = statement
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
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
                    {sold.as_ref().map(|sale| {
                        let line = sale.lines.get(i);
                        view! {
                            <td class="num">
                                {line.map(|s| r.unit_price(s.unit_price, &currency)).unwrap_or_default()}
                                <span class="muted small unit-note">
                                    {line.map(|s| format!(" {}", basis_note(&r, s.basis))).unwrap_or_default()}
                                </span>
                            </td>
                            <td class="num">{line.map(|s| r.money(s.amount, &currency)).unwrap_or_default()}</td>
                        }
                    })}
                </tr>
            }
        })
        .collect_view();
    let summary = statement.sale.clone().map(|sale| {
        let m = crate::domain::selling::margin(statement.total, sale.total);
        let percent = m.percent.map(|p| format!(" ({})", r.percent(p.0, 1, 1))).unwrap_or_default();
        let class = if m.amount.cents() < 0 { "bill-margin negative" } else { "bill-margin" };
        view! {
            <p class=class>
                {sale.not_for_resale.then(|| view! { <span class="pill">{td_string!(tr, customer.not_for_resale)}</span> " " })}
                {td_string!(tr, customer.revenue_is, amount = r.money(sale.total, &statement.currency))}
                " · "
                <strong>{td_string!(tr, customer.margin_is, amount = r.money(m.amount, &statement.currency))}</strong>
                {percent}
            </p>
        }
    });
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
                        {with_sale.then(|| view! {
                            <th scope="col" class="num">{td_string!(tr, customer.sell_price)}</th>
                            <th scope="col" class="num">{td_string!(tr, customer.revenue)}</th>
                        })}
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
                        {statement.sale.as_ref().filter(|s| !s.not_for_resale).map(|sale| view! {
                            <td></td>
                            <td class="num"><strong>{r.money(sale.total, &statement.currency)}</strong></td>
                        })}
                    </tr>
                </tfoot>
            </table>
        </div>
        {summary}
    }
}
