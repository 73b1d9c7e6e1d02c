//! A bar chart drawn with `plotters` on a canvas in the browser: stacked
//! bars, an optional limit per bar (max users), one bar drawn apart (the
//! forecast). Hovering a bar shows its tooltip; clicking it opens its link
//! (on a touch screen the first tap shows the tooltip, the second opens).
//! The canvas is a picture for the eye: every chart on a page has a table
//! with the same figures next to it, for the keyboard and screen readers.

#[cfg(feature = "hydrate")]
mod draw;

use leptos::prelude::*;

use crate::components::language::use_locale;
use crate::domain::locale::{self, Language};
use crate::i18n::td_string;

/// One series of the stacked bars (its name in the reader's language:
/// `Series { name: ..., ..USERS }`).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: &'static str,
    /// CSS class of its legend swatch; the colour itself is in `COLORS`.
    pub swatch: &'static str,
    pub color: (u8, u8, u8),
}

pub const USERS: Series = Series { name: "Users", swatch: "swatch-users", color: (47, 95, 179) };
pub const OPTIONS: Series = Series { name: "Options", swatch: "swatch-options", color: (224, 123, 57) };
pub const LIMIT_COLOR: (u8, u8, u8) = (190, 40, 40);

#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Under the bar: "Oct", "2025" or a day of the month.
    pub label: String,
    /// One value per series, stacked from the bottom.
    pub parts: Vec<f64>,
    /// A mark across the bar (the license's maximum).
    pub limit: Option<f64>,
    /// Drawn apart: lighter, outlined and set off by a line (the forecast).
    pub apart: bool,
    /// What hovering shows: a title and its lines.
    pub title: String,
    pub lines: Vec<String>,
    /// Where a click on the bar goes.
    pub href: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    pub bars: Vec<Bar>,
    pub series: Vec<Series>,
    /// The name of the limit mark in the legend, when bars have one.
    pub limit_name: Option<&'static str>,
    /// The unit of the values (currency or "users"), over the value axis.
    pub unit: String,
    /// Whether the axis shows amounts (two decimals when small).
    pub money: bool,
    /// What the tooltip says a click does, for bars that do something.
    pub click_hint: &'static str,
    /// The language of the value axis' numbers.
    pub language: Language,
}

/// Where the bars are, in CSS pixels of the canvas (what `draw` found).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Plot {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub bars: usize,
}

impl Plot {
    /// The bar under a point of the canvas: each bar owns its whole column,
    /// so a low bar is as easy to hover as a high one.
    pub fn bar_at(&self, x: f64, y: f64) -> Option<usize> {
        if self.bars == 0 || x < self.left || x >= self.right || y < self.top || y > self.bottom {
            return None;
        }
        let width = (self.right - self.left) / self.bars as f64;
        Some((((x - self.left) / width) as usize).min(self.bars - 1))
    }

    /// The middle of bar `i`, for the tooltip.
    pub fn centre_of(&self, i: usize) -> f64 {
        let width = (self.right - self.left) / self.bars.max(1) as f64;
        self.left + width * (i as f64 + 0.5)
    }
}

/// A value on the axis: "1,250" / "1.250" or, for amounts under 10,
/// "2.50" / "2,50".
pub fn axis_label(value: f64, money: bool, language: Language) -> String {
    if money && value.abs() < 10.0 && value.fract().abs() > f64::EPSILON {
        let cents = (value * 100.0).round() as i64;
        locale::amount(crate::domain::Money::from_cents(cents), language)
    } else {
        locale::count(value.round().max(0.0) as u64, language)
    }
}

/// The top of the value axis: a round number a little above the highest
/// bar or limit.
pub fn axis_top(data: &ChartData) -> f64 {
    let highest =
        data.bars.iter().map(|b| b.parts.iter().sum::<f64>().max(b.limit.unwrap_or(0.0))).fold(0.0_f64, f64::max);
    if highest <= 0.0 {
        return 1.0;
    }
    let wanted = highest * 1.08;
    let step = 10_f64.powf(wanted.log10().floor());
    for factor in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if step * factor >= wanted {
            return step * factor;
        }
    }
    step * 10.0
}

/// Into how many equal steps the value axis from 0 to `top` is divided:
/// round steps for a top from `axis_top` (1,200 in 4 steps of 300), and
/// whole steps for counts where a whole step exists.
pub fn axis_parts(top: f64, money: bool) -> usize {
    let mantissa = top / 10_f64.powf(top.log10().floor());
    let preferred = match (mantissa * 10.0).round() as u32 {
        12 | 20 | 40 | 80 => 4,
        30 | 60 => 3,
        _ => 5,
    };
    let whole = |parts: usize| money || (top / parts as f64).fract().abs() < 1e-9;
    [preferred, 4, 3, 2].into_iter().find(|&parts| whole(parts)).unwrap_or(1)
}

#[component]
pub fn BarChart(
    data: ChartData,
    label: String,
    /// Called with a bar's position when it is clicked (instead of following its link).
    #[prop(optional)]
    on_select: Option<Callback<usize>>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let plot = RwSignal::new(Plot::default());
    let hovered = RwSignal::new(None::<usize>);
    let bars = StoredValue::new(data.bars.clone());

    #[cfg(feature = "hydrate")]
    {
        let data = StoredValue::new(data.clone());
        let redraw = move || {
            if let Some(element) = canvas.get_untracked() {
                if let Some(found) = data.with_value(|d| draw::draw(&element, d)) {
                    plot.set(found);
                    // When it was first drawn, in ms since the navigation began.
                    if element.get_attribute("data-drawn-ms").is_none() {
                        if let Some(now) = web_sys::window().and_then(|w| w.performance()).map(|p| p.now()) {
                            let _ = element.set_attribute("data-drawn-ms", &(now.max(0.0).round() as u64).to_string());
                        }
                    }
                }
            }
        };
        Effect::new(move |_| {
            if canvas.get().is_some() {
                redraw();
            }
        });
        let resize = window_event_listener(leptos::ev::resize, move |_| redraw());
        on_cleanup(move || resize.remove());
    }

    let navigate = leptos_router::hooks::use_navigate();
    let point =
        move |ev: &leptos::ev::PointerEvent| plot.get_untracked().bar_at(ev.offset_x() as f64, ev.offset_y() as f64);
    let open = move |i: usize| {
        if let Some(select) = on_select {
            select.run(i);
        } else if let Some(href) = bars.with_value(|b| b.get(i).and_then(|b| b.href.clone())) {
            navigate(&href, Default::default());
        }
    };
    let clickable =
        move |i: usize| on_select.is_some() || bars.with_value(|b| b.get(i).is_some_and(|b| b.href.is_some()));
    let click_hint = data.click_hint;
    let l = use_locale();
    let tooltip = move || {
        let i = hovered.get()?;
        let bar = bars.with_value(|b| b.get(i).cloned())?;
        let p = plot.get();
        // Kept inside the chart: anchored left, centred or right by position.
        let share = (p.centre_of(i) - p.left) / (p.right - p.left).max(1.0);
        let anchor = if share < 0.25 {
            "tip-start"
        } else if share > 0.75 {
            "tip-end"
        } else {
            "tip-middle"
        };
        let hint = clickable(i).then_some(click_hint);
        Some(view! {
            <div
                class=format!("chart-tip {anchor}")
                role="tooltip"
                style:left=format!("{}px", p.centre_of(i).round() as i64)
                style:top=format!("{}px", p.top.round() as i64)
            >
                <strong>{bar.title.clone()}</strong>
                {bar.lines.iter().map(|l| view! { <span>{l.clone()}</span> }).collect_view()}
                {hint.map(|h| view! { <span class="muted small">{h}</span> })}
            </div>
        })
    };
    let legend = data
        .series
        .iter()
        .map(|s| {
            view! {
                <li>
                    <span class=format!("swatch {}", s.swatch) aria-hidden="true"></span>
                    {s.name}
                </li>
            }
        })
        .collect_view();
    let limit = data.limit_name.map(|name| {
        view! {
            <li>
                <span class="swatch swatch-limit" aria-hidden="true"></span>
                {name}
            </li>
        }
    });
    let apart = data.bars.iter().any(|b| b.apart).then(|| {
        view! {
            <li>
                <span class="swatch swatch-apart" aria-hidden="true"></span>
                {td_string!(l, charts.forecast_legend)}
            </li>
        }
    });
    view! {
        <figure class="chart">
            <div class="chart-area">
                <canvas
                    node_ref=canvas
                    role="img"
                    aria-label=label
                    class=move || if hovered.get().is_some_and(clickable) {
                        "chart-canvas linked"
                    } else {
                        "chart-canvas"
                    }
                    on:pointermove=move |ev| {
                        if ev.pointer_type() != "touch" {
                            hovered.set(point(&ev));
                        }
                    }
                    on:pointerleave=move |_| hovered.set(None)
                    on:pointerup=move |ev| {
                        let Some(i) = point(&ev) else { return };
                        // A tap shows the tooltip first; a second tap opens.
                        if ev.pointer_type() == "touch" && hovered.get_untracked() != Some(i) {
                            hovered.set(Some(i));
                        } else {
                            open(i);
                        }
                    }
                ></canvas>
                {tooltip}
            </div>
            <figcaption>
                <ul class="legend">{legend} {limit} {apart}</ul>
            </figcaption>
        </figure>
    }
}

/// The switch between 12 and 24 months over a chart; the choice lives in
/// the address (`href` makes the link of each).
#[component]
pub fn MonthsSwitch(#[prop(into)] current: Signal<u32>, href: Callback<u32, String>) -> impl IntoView {
    let l = use_locale();
    let segment = move |months: u32| {
        let on = move || current.get() == months;
        view! {
            <a
                class=move || if on() { "segment segment-current" } else { "segment" }
                href=move || href.run(months)
                aria-current=move || on().then_some("true")
            >
                {td_string!(l, charts.months, months)}
            </a>
        }
    };
    view! {
        <nav class="segments" aria-label=td_string!(l, charts.months_shown)>
            {segment(12)}
            {segment(24)}
        </nav>
    }
}

/// The figures of a chart for the keyboard and screen readers: its tables
/// in a disclosure ("… as a table") under the chart.
#[component]
pub fn ChartTables(summary: &'static str, children: Children) -> impl IntoView {
    view! {
        <details class="chart-table">
            <summary>{summary}</summary>
            <div class="table-wrap" tabindex="0" role="region" aria-label=summary>
                {children()}
            </div>
        </details>
    }
}

/// One table of a chart's figures: headings (name, numeric) and its rows.
#[component]
pub fn FigureTable(caption: &'static str, headers: Vec<(&'static str, bool)>, children: Children) -> impl IntoView {
    let headers = headers
        .into_iter()
        .map(|(name, numeric)| view! { <th scope="col" class:num=numeric>{name}</th> })
        .collect_view();
    view! {
        <table class="data-table">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>{headers}</tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plot() -> Plot {
        Plot { left: 40.0, right: 440.0, top: 10.0, bottom: 210.0, bars: 4 }
    }

    #[test]
    fn each_bar_owns_its_column() {
        let p = plot();
        assert_eq!(p.bar_at(40.0, 200.0), Some(0));
        assert_eq!(p.bar_at(139.9, 15.0), Some(0));
        assert_eq!(p.bar_at(140.0, 100.0), Some(1));
        assert_eq!(p.bar_at(439.0, 100.0), Some(3));
        assert_eq!(p.centre_of(1), 190.0);
    }

    #[test]
    fn outside_the_plot_is_no_bar() {
        let p = plot();
        assert_eq!(p.bar_at(39.0, 100.0), None);
        assert_eq!(p.bar_at(440.0, 100.0), None);
        assert_eq!(p.bar_at(100.0, 5.0), None);
        assert_eq!(Plot::default().bar_at(0.0, 0.0), None);
    }

    fn data(values: &[f64], limit: Option<f64>) -> ChartData {
        let bars = values
            .iter()
            .map(|v| Bar {
                label: String::new(),
                parts: vec![*v],
                limit,
                apart: false,
                title: String::new(),
                lines: vec![],
                href: None,
            })
            .collect();
        ChartData {
            bars,
            series: vec![USERS],
            limit_name: None,
            unit: String::new(),
            money: false,
            click_hint: "",
            language: Language::English,
        }
    }

    #[test]
    fn the_axis_ends_at_a_round_number_above_the_highest_bar_or_limit() {
        assert_eq!(axis_top(&data(&[912.0, 455.0], None)), 1000.0);
        assert_eq!(axis_top(&data(&[10.0], Some(50.0))), 60.0);
        assert_eq!(axis_top(&data(&[0.0], None)), 1.0);
        assert_eq!(axis_top(&data(&[], None)), 1.0);
        assert_eq!(axis_top(&data(&[1_234.56], None)), 1500.0);
    }

    #[test]
    fn axis_labels_group_thousands_and_keep_cents_when_small() {
        let en = Language::English;
        assert_eq!(axis_label(12_500.0, true, en), "12,500");
        assert_eq!(axis_label(12_500.0, true, Language::German), "12.500");
        assert_eq!(axis_label(2.5, true, en), "2.50");
        assert_eq!(axis_label(2.5, true, Language::German), "2,50");
        assert_eq!(axis_label(2.5, false, en), "3");
        assert_eq!(axis_label(0.0, true, en), "0");
        assert_eq!(axis_label(-2.345, true, en), "-2.35");
    }

    #[test]
    fn the_value_axis_is_divided_into_round_steps() {
        assert_eq!(axis_parts(1_000.0, true), 5);
        assert_eq!(axis_parts(1_200.0, true), 4);
        assert_eq!(axis_parts(1_500.0, true), 5);
        assert_eq!(axis_parts(2.5, true), 5);
        assert_eq!(axis_parts(60.0, false), 3);
        assert_eq!(axis_parts(80.0, false), 4);
        assert_eq!(axis_parts(100.0, false), 5);
        // Counts keep whole steps: 4 users in 4, 1.2 in none but the whole axis.
        assert_eq!(axis_parts(4.0, false), 4);
        assert_eq!(axis_parts(3.0, false), 3);
        assert_eq!(axis_parts(1.2, false), 1);
        assert_eq!(axis_parts(1.0, false), 1);
    }
}
