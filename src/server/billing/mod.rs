//! Billing in the database, in the order billing systems rate and invoice:
//! read usage (`facts`), price it by the pure rules of `domain::billing`,
//! persist (`statements`, `close`). `settings` and `catalogue` hold what the
//! admins set; `forecast` bills the months not frozen yet.

mod catalogue;
mod close;
mod facts;
mod forecast;
mod selling;
mod settings;
mod statements;

pub use catalogue::{
    add_option, catalogue, price_lists, pricing_page, rename_option, rule_lists, save_price_list, set_retired,
    StoredPriceList,
};
pub use close::{close_due_months, close_month, months, overdue};
pub use facts::facts_for_month;
pub use forecast::{current_month, forecast_of, pending_bill, CurrentMonth};
pub use selling::{
    customer_pricing_page, customer_pricings, save_customer_pricing, save_sell_list, sell_lists, Seller, StoredPricing,
    StoredSellList,
};
pub use settings::{local_today, month_start_utc, parse_time_zone, save_settings, settings, time_zone_names, zone_of};
pub use statements::{
    closed_months, label_in, option_names, sort_key, statement_of_customer, statements_of_customer,
    statements_of_month, zone_and_frozen_months,
};
