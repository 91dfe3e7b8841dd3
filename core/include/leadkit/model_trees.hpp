// Gradient-boosted trees for the predictive model: the histogram algorithm of LightGBM and
// XGBoost in a compact form. Every input is binned once (numbers into at most 255 quantile bins
// plus one for missing values, categories as their own bins); each round fits a tree to the
// gradient and hessian of the log-loss, grown leaf by leaf (the leaf with the best gain splits
// next) up to maxLeaves and maxDepth, with shrinkage, L2 on the leaf values, a minimum number of
// rows and of hessian per child; the rounds stop early on an inner validation split. Nothing is
// random but the validation split, drawn from `seed`, and every sum runs in a fixed order, so
// the same rows and seed give the same trees natively and in wasm.
//
// Explanations are path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2): per input, exact
// Shapley values of the expectation conditioned on the inputs along each path, weighted by the
// training rows (cover) of each branch. They sum to the raw score less the trees' expectation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/model_encoder.hpp"
#include "leadkit/result.hpp"

namespace leadkit {

struct TreeOptions {
  double learning_rate = 0.1;
  int max_rounds = 100;
  int max_leaves = 31;
  int max_depth = 0;  // 0: only maxLeaves limits a tree
  int min_child_samples = 20;
  double min_child_weight = 1e-3;  // hessian
  double l2 = 0;
  int max_bins = 255;  // of values, per numeric input (missing values get one more)
  double validation_fraction = 0.1;
  int patience = 10;  // rounds without a better validation loss before stopping
  uint32_t seed = 1;
};
// Below this many rows, the trees are fitted again on every row (validation split included) with
// the number of rounds early stopping chose: a tenth of a small table is too much to leave out.
inline constexpr size_t kTreesRefitBelow = 10'000;

// Rows binned once: one byte per input per row (row-major). Numeric inputs: bins 0..cuts as the
// encoder cuts them, then one for missing. Categorical: one per kept level (and "(other)"), then
// one for a level never seen in training.
struct BinnedRows {
  size_t rows = 0, inputs = 0;
  std::vector<uint8_t> bins;
  std::vector<uint16_t> bin_count;   // per input
  std::vector<uint8_t> categorical;  // per input
};
BinnedRows BinRows(const Encoder& e, const RawTable& raw, std::span<const uint32_t> rows);

struct TreeNode {
  int32_t input = -1;  // -1: a leaf
  uint32_t split = 0;  // numeric: bins <= split go left; categorical: the bins whose bit is set
  int32_t left = -1, right = -1;
  uint16_t missing_bin = 0;  // numeric: the input's missing bin
  bool categorical = false;
  bool missing_left = false;  // numeric: where missing values go
  double cover = 0;           // training rows that reached the node
  double value = 0;           // a leaf's output, shrinkage applied
  bool Left(uint8_t bin) const {
    if (categorical) return bin < 32 && ((split >> bin) & 1u);
    return bin == missing_bin ? missing_left : bin <= split;
  }
};
struct Tree {
  std::vector<TreeNode> nodes;  // nodes[0] is the root; children come after their parent
  int depth = 0;
  double expectation = 0;  // mean output over the training rows (cover-weighted leaves)
  double Output(const uint8_t* row) const {
    int32_t n = 0;
    while (nodes[n].input >= 0) n = nodes[n].Left(row[nodes[n].input]) ? nodes[n].left : nodes[n].right;
    return nodes[n].value;
  }
  void Finish();  // depth and expectation
};

struct Forest {
  double base = 0;  // log-odds of the training rows' won share
  std::vector<Tree> trees;
  double Raw(const uint8_t* row) const {
    double s = base;
    for (const Tree& t : trees) s += t.Output(row);
    return s;
  }
  // base plus every tree's expectation: the raw score that no input has moved.
  double Expectation() const;
  // Raw of every row of m, the same numbers as Raw. Many rows are scored without walking the
  // trees: for each tree (of at most 64 leaves), each input it tests and each bin, the leaves a row
  // with that bin can reach are a bit mask; the AND of a row's masks is the one leaf it reaches.
  void RawAll(const BinnedRows& m, std::vector<double>& out) const;
  // Adds each input's TreeSHAP value for `row` to phi[input]; phi sums to Raw - Expectation.
  void Shap(const uint8_t* row, std::vector<double>& phi) const;

  nlohmann::json ToJson() const;
  // Checks every node against the encoder's inputs (index, bins) and the tree's shape.
  static Result<Forest> FromJson(const nlohmann::json& j, const Encoder& e, const std::string& path);
};

struct ForestFit {
  Forest forest;
  int rounds = 0;        // trees kept
  int rounds_tried = 0;  // rounds boosted before early stopping
  bool refitted = false;
};
// Boosts on `rows` of `m` (y: 0/1 per row), stopping early on a stratified validation split of
// them; refits on every row below kTreesRefitBelow.
ForestFit FitForest(const BinnedRows& m, std::span<const uint32_t> rows, std::span<const uint8_t> y,
                    const TreeOptions& o);

// Platt scaling: probability = sigmoid(slope * raw + offset), fitted by Newton's method on Platt's
// smoothed targets ((won + 1) / (won + 2) and 1 / (lost + 2)), which keeps it finite when the
// scores separate the outcomes. Scores that are all equal get slope 0: the base rate.
struct Platt {
  double slope = 1, offset = 0;
};
Platt FitPlatt(std::span<const double> raw, std::span<const uint8_t> y);

}  // namespace leadkit
