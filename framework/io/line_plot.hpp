// Line plots of a few named series (y against x) as a picture a person can
// read: a framed plot area with ticks at round numbers on both axes, one
// colour per series, a legend naming them, a title and axis titles. The
// path's extension picks the format: ".png" (drawn on a Canvas) or ".svg"
// (text, same layout and colours).
//
// Example (given std::vector<double> years, actual, forecast):
//   write_line_plot("forecast.png", {{"actual", years, actual}, {"LSTM", years, forecast}},
//                   {.title = "sunspots", .x_label = "year", .y_label = "sunspot number"});
#pragma once

#include <string>
#include <vector>

#include "canvas.hpp"

namespace spool {

struct LineSeries {
  std::string name;          // the legend's label
  std::vector<double> x, y;  // the points, joined in this order; as many x as y
};

struct LinePlotOptions {
  std::string title, x_label, y_label;  // each drawn when not empty
  int width = 800, height = 480;        // pixels, 200 to 4000 each
};

// Where write_line_plot puts things, in pixels from the top-left corner.
// With M = 10 (margin), w(s) = Canvas::text_width(s) as drawn (past 40
// characters: the first 37 and "..."; titles past 60):
//   plot_y      = M + (28 with a title, else 0)
//   plot_x      = M + (16 with a y_label, else 0) + max w(y tick label) + 8
//   plot_width  = width - plot_x - max(M, w(last x tick label) / 2 + 2)
//   plot_height = height - plot_y - M - 18 - (16 with an x_label, else 0)
// x_min..x_max (the data's x range) spans plot_x..plot_x + plot_width - 1;
// y_min..y_max (the data's y range widened by 5% either side) spans
// plot_y + plot_height - 1 (bottom) up to plot_y. A range of one value v
// becomes v -/+ max(1, |v| / 10^6). Ticks sit at the multiples of a round
// step (1, 2 or 5 times a power of ten: the smallest that leaves at most 7
// steps in the range) that lie in the range. The legend is a framed box
// inside one corner of the plot area, 8 pixels in: the corner (top-right,
// top-left, bottom-right, bottom-left, in that order of preference) whose
// box the fewest line segments (or lone points) run through.
struct LinePlotLayout {
  int width = 0, height = 0;
  int plot_x = 0, plot_y = 0, plot_width = 0, plot_height = 0;
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  std::vector<double> x_ticks, y_ticks;  // the values that get a tick and a number
  int legend_x = 0, legend_y = 0, legend_width = 0, legend_height = 0;
  // The pixel column of x and the pixel row of y (rounded).
  int to_px(double x) const;
  int to_py(double y) const;
};

// Checks everything write_line_plot checks and returns its layout: 1 to 16
// series, each with 1 to 1,000,000 points, as many x as y, every value
// finite.
LinePlotLayout line_plot_layout(const std::vector<LineSeries>& series, const LinePlotOptions& options = {});

// Writes the plot to `path` atomically (as every spool save). Errors are
// spool::Error "write_line_plot: ..." naming the series, the counts, the
// first NaN or infinite value's position, the size or the path.
void write_line_plot(const std::string& path, const std::vector<LineSeries>& series,
                     const LinePlotOptions& options = {});

// The colour of series i (i taken modulo 8): a palette of eight colours that
// stay apart on white and for the common colour-vision deficiencies
// (Okabe and Ito's, with black first).
Rgb line_plot_colour(size_t i);

}  // namespace spool
