//! Drawing a [`ChartData`] with `plotters` on an HTML canvas. The canvas
//! gets one backing pixel per device pixel (sharp on high-DPI screens), so
//! every length here is given in CSS pixels and scaled by the pixel ratio.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::{axis_label, axis_top, ChartData, Plot, LIMIT_COLOR};

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
    canvas.set_width((css_width * ratio).round() as u32);
    canvas.set_height((css_height * ratio).round() as u32);
    let px = |css: f64| (css * ratio).round() as i32;
    let narrow = css_width < 480.0;

    let root = CanvasBackend::with_canvas_object(canvas.clone())?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let top = axis_top(data);
    let count = data.bars.len().max(1);
    let label_font = (FONT, px(if narrow { 11.0 } else { 12.0 })).into_font().color(&INK);
    let value_width = axis_label(top, data.money, data.language).len() as f64 * if narrow { 6.5 } else { 7.5 } + 12.0;

    let mut chart = ChartBuilder::on(&root)
        .margin_top(px(22.0))
        .margin_right(px(8.0))
        .margin_left(px(4.0))
        .x_label_area_size(px(26.0))
        .y_label_area_size(px(value_width))
        .build_cartesian_2d(0.0..count as f64, 0.0..top)
        .ok()?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(5)
        .y_label_formatter(&|v| axis_label(*v, data.money, data.language))
        .label_style(label_font.clone())
        .axis_style(GRID.stroke_width(px(1.0) as u32))
        .bold_line_style(GRID.stroke_width(px(1.0) as u32))
        .light_line_style(TRANSPARENT)
        .draw()
        .ok()?;

    // The unit over the value axis.
    let (x_range, y_range) = chart.plotting_area().get_pixel_range();
    root.draw(&Text::new(
        data.unit.clone(),
        (px(4.0), px(4.0)),
        label_font.clone().pos(Pos::new(HPos::Left, VPos::Top)),
    ))
    .ok()?;

    // Every n-th label, so they never run into each other.
    let band = (x_range.end - x_range.start) as f64 / ratio / count as f64;
    let widest = data.bars.iter().map(|b| b.label.chars().count()).max().unwrap_or(1) as f64 * 7.5 + 6.0;
    let every = (widest / band).ceil().max(1.0) as usize;

    let gap = if band > 24.0 { 0.18 } else { 0.1 };
    for (i, bar) in data.bars.iter().enumerate() {
        let (left, right) = (i as f64 + gap, i as f64 + 1.0 - gap);
        let mut base = 0.0;
        for (value, series) in bar.parts.iter().zip(&data.series) {
            let (r, g, b) = series.color;
            let colour = RGBColor(r, g, b);
            let style = if bar.apart { colour.mix(0.4).filled() } else { colour.filled() };
            if *value > 0.0 {
                chart
                    .draw_series(std::iter::once(Rectangle::new([(left, base), (right, base + value)], style)))
                    .ok()?;
            }
            base += value;
        }
        if bar.apart {
            // Set off from the closed months: an outline and a line before it.
            let (r, g, b) = data.series.first().map(|s| s.color).unwrap_or((0, 0, 0));
            let outline = RGBColor(r, g, b).stroke_width(px(1.5) as u32);
            if base > 0.0 {
                chart.draw_series(std::iter::once(Rectangle::new([(left, 0.0), (right, base)], outline))).ok()?;
            }
            let line = INK.mix(0.5).stroke_width(px(1.0) as u32);
            chart.draw_series(std::iter::once(PathElement::new(vec![(i as f64, 0.0), (i as f64, top)], line))).ok()?;
        }
        if let Some(limit) = bar.limit {
            let (r, g, b) = LIMIT_COLOR;
            let style = RGBColor(r, g, b).stroke_width(px(2.0) as u32);
            let (from, to) = (i as f64 + gap / 2.0, i as f64 + 1.0 - gap / 2.0);
            chart.draw_series(std::iter::once(PathElement::new(vec![(from, limit), (to, limit)], style))).ok()?;
        }
        if i % every == 0 || i + 1 == data.bars.len() && every == 1 {
            let (x, _) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
            root.draw(&Text::new(
                bar.label.clone(),
                (x, y_range.end + px(6.0)),
                label_font.clone().pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .ok()?;
        }
    }
    root.present().ok()?;
    Some(Plot {
        left: f64::from(x_range.start) / ratio,
        right: f64::from(x_range.end) / ratio,
        top: f64::from(y_range.start) / ratio,
        bottom: f64::from(y_range.end) / ratio,
        bars: data.bars.len(),
    })
}
