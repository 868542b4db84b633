// A matrix, typically attention weights, as a picture a person can read: a
// coloured cell per weight, row labels on the left, column labels above
// (read upwards, so long tokens do not collide), a colour bar with its range.
// The path's extension picks the format: ".png" (drawn on a Canvas) or
// ".svg" (text, same layout; full labels and values as tooltips).
//
// Example (given Tensor weights):
//   // weights [3, 4]: how much each target token attends to each source token
//   write_heatmap("attention.png", weights, {"le", "chat", "noir"}, {"the", "black", "cat", "<eos>"},
//                 {.title = "step 1200"});
#pragma once

#include <string>
#include <vector>

#include "../core/tensor.hpp"
#include "canvas.hpp"

namespace spool {

enum class HeatmapRange {
  Auto,    // Unit when every weight lies in [0, 1] (attention weights), else MinMax
  Unit,    // [0, 1]; weights outside get the end colours
  MinMax,  // the smallest weight to the largest (all the middle colour when they are equal)
};

struct HeatmapOptions {
  std::string title;     // drawn above the map when not empty
  int cell_size = 24;    // pixels on a side of a cell, 10 (one line of text) to 100
  HeatmapRange range = HeatmapRange::Auto;
};

// Where write_heatmap puts things, in pixels from the top-left corner. With
// M = 10 (margin), G = 6 (gap), w(s) = Canvas::text_width(s) of a label as
// drawn (past 16 characters: its first 13 and "..."), n = cell_size:
//   grid_x = M + max w(row label) + G
//   grid_y = M + T + max w(column label) + G, T = 28 with a title, else 0
//   grid   cols * n wide, rows * n tall
//   bar_x  = grid_x + cols * n + 16; bar_y = grid_y; 14 wide,
//   bar_height = max(rows * n, 100); ticks at its top (hi), middle and bottom
//   (lo), labelled with fmt's "{:.3g}" at bar_x + 14 + 6
//   width  = bar_x + 20 + max w(tick label) + M, or the title's
//            text_width at scale 2 plus 2 M when wider
//   height = grid_y + bar_height + M
struct HeatmapLayout {
  int width = 0, height = 0;
  int grid_x = 0, grid_y = 0, cell = 0;  // cell [r, c] spans x from grid_x + c * cell, y from grid_y + r * cell
  int bar_x = 0, bar_y = 0, bar_width = 0, bar_height = 0;
  double lo = 0, hi = 1;  // the colour scale: lo at the bar's bottom, hi at its top
};

// Checks everything write_heatmap checks and returns its layout. `weights`
// is 2-D [rows, cols], floating point, finite, rows and cols 1 to 512;
// label lists are empty (then "0", "1", ...) or one label per row / column.
HeatmapLayout heatmap_layout(const Tensor& weights, const std::vector<std::string>& row_labels = {},
                             const std::vector<std::string>& col_labels = {}, const HeatmapOptions& options = {});

// Writes the heatmap to `path` atomically (as every spool save). Errors are
// spool::Error "write_heatmap: ..." naming the shape, the counts, the first
// NaN or infinite weight's position, or the path.
void write_heatmap(const std::string& path, const Tensor& weights, const std::vector<std::string>& row_labels = {},
                   const std::vector<std::string>& col_labels = {}, const HeatmapOptions& options = {});

// The colour scale: a viridis-like ramp (dark purple at 0 through blue and
// green to yellow at 1), interpolated between nine of viridis' published
// colours; t is clamped to [0, 1].
Rgb heatmap_colour(double t);

}  // namespace spool
