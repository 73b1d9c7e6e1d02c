//! Drawing a [`ChartData`] with `plotters` on an HTML canvas. The canvas
//! gets one backing pixel per device pixel (sharp on high-DPI screens), so
//! every length here is given in CSS pixels and scaled by the pixel ratio.
//! Everything is placed in the canvas' own pixels on its drawing area (no
//! chart builder and mesh: their coordinate machinery weighed several
//! kilobytes in the module that first draws a chart).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::{axis_label, axis_parts, axis_top, ChartData, Plot, LIMIT_COLOR};

const FONT: &str = "system-ui, sans-serif";
const INK: RGBColor = RGBColor(90, 98, 112);
const GRID: RGBColor = RGBColor(226, 230, 236);

/// Draws the chart to fit the canvas' CSS size; returns where the bars are,
/// in CSS pixels, or None if the canvas could not be drawn on (not laid out
/// yet, no 2D context).
pub fn draw(canvas: &HtmlCanvasElement, data: &ChartData) -> Option<Plot> {
    let ratio = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).max(1.0);
    let (css_width, css_height) = (f64::from(canvas.client_width()), f64::from(canvas.client_height()));
    if css_width < 1.0 || css_height < 1.0 {
        return None;
    }
    let (width, height) = ((css_width * ratio).round() as u32, (css_height * ratio).round() as u32);
    canvas.set_width(width);
    canvas.set_height(height);
    let px = |css: f64| (css * ratio).round() as i32;
    let narrow = css_width < 480.0;

    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let top = axis_top(data);
    let count = data.bars.len().max(1);
    let label_font = (FONT, px(if narrow { 11.0 } else { 12.0 })).into_font().color(&INK);
    let value_width = axis_label(top, data.money, data.language).len() as f64 * if narrow { 6.5 } else { 7.5 } + 12.0;

    // The plotting area, in device pixels: the value axis' labels on the
    // left, the bars' labels under it, the unit over it.
    let (left, right) = (px(4.0 + value_width), width as i32 - px(8.0));
    let (upper, lower) = (px(22.0), height as i32 - px(26.0));
    if right <= left || lower <= upper {
        return None;
    }
    let y = |value: f64| lower - (value / top * f64::from(lower - upper)).round() as i32;
    let x = |bar: f64| left + (bar / count as f64 * f64::from(right - left)).round() as i32;
    let thin = GRID.stroke_width(px(1.0) as u32);

    // The value axis: a line at each step, its value to the left.
    let parts = axis_parts(top, data.money);
    for step in 0..=parts {
        let value = top * step as f64 / parts as f64;
        root.draw(&PathElement::new(vec![(left, y(value)), (right, y(value))], thin)).ok()?;
        root.draw(&Text::new(
            axis_label(value, data.money, data.language),
            (left - px(6.0), y(value)),
            label_font.clone().pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .ok()?;
    }
    root.draw(&PathElement::new(vec![(left, upper), (left, lower)], thin)).ok()?;
    root.draw(&Text::new(
        data.unit.clone(),
        (px(4.0), px(4.0)),
        label_font.clone().pos(Pos::new(HPos::Left, VPos::Top)),
    ))
    .ok()?;

    // Every n-th label, so they never run into each other.
    let band = f64::from(right - left) / ratio / count as f64;
    let widest = data.bars.iter().map(|b| b.label.chars().count()).max().unwrap_or(1) as f64 * 7.5 + 6.0;
    let every = (widest / band).ceil().max(1.0) as usize;

    let gap = if band > 24.0 { 0.18 } else { 0.1 };
    for (i, bar) in data.bars.iter().enumerate() {
        let (from, to) = (x(i as f64 + gap), x(i as f64 + 1.0 - gap));
        let mut base = 0.0;
        for (value, series) in bar.parts.iter().zip(&data.series) {
            let (r, g, b) = series.color;
            let colour = RGBColor(r, g, b);
            let style = if bar.apart { colour.mix(0.4).filled() } else { colour.filled() };
            if *value > 0.0 {
                root.draw(&Rectangle::new([(from, y(base + value)), (to, y(base))], style)).ok()?;
            }
            base += value;
        }
        if bar.apart {
            // Set off from the closed months: an outline and a line before it.
            let (r, g, b) = data.series.first().map(|s| s.color).unwrap_or((0, 0, 0));
            let outline = RGBColor(r, g, b).stroke_width(px(1.5) as u32);
            if base > 0.0 {
                root.draw(&Rectangle::new([(from, y(base)), (to, y(0.0))], outline)).ok()?;
            }
            let line = INK.mix(0.5).stroke_width(px(1.0) as u32);
            let at = x(i as f64);
            root.draw(&PathElement::new(vec![(at, upper), (at, lower)], line)).ok()?;
        }
        if let Some(limit) = bar.limit {
            let (r, g, b) = LIMIT_COLOR;
            let style = RGBColor(r, g, b).stroke_width(px(2.0) as u32);
            let (from, to) = (x(i as f64 + gap / 2.0), x(i as f64 + 1.0 - gap / 2.0));
            root.draw(&PathElement::new(vec![(from, y(limit)), (to, y(limit))], style)).ok()?;
        }
        if i % every == 0 || i + 1 == data.bars.len() && every == 1 {
            root.draw(&Text::new(
                bar.label.clone(),
                (x(i as f64 + 0.5), lower + px(6.0)),
                label_font.clone().pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .ok()?;
        }
    }
    root.present().ok()?;
    Some(Plot {
        left: f64::from(left) / ratio,
        right: f64::from(right) / ratio,
        top: f64::from(upper) / ratio,
        bottom: f64::from(lower) / ratio,
        bars: data.bars.len(),
    })
}
