// Gradient-boosted trees: binning, boosting with histograms, the model document's trees, Platt
// scaling and path-dependent TreeSHAP. See model_trees.hpp.
#include "leadkit/model_trees.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>

#include "leadkit/model_eval.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

struct Stats {
  double g = 0, h = 0, n = 0;
  Stats& operator+=(const Stats& o) { g += o.g, h += o.h, n += o.n; return *this; }
  Stats operator+(const Stats& o) const { return {g + o.g, h + o.h, n + o.n}; }
  Stats operator-(const Stats& o) const { return {g - o.g, h - o.h, n - o.n}; }
};

struct Split {
  double gain = 0;
  int32_t input = -1;
  uint32_t split = 0;
  bool missing_left = false;
  Stats left, right;
};

// Grows one tree on the gradients of the rows in `idx`, reordering `idx` so that each leaf's rows
// are contiguous (and in their original order).
class Grower {
 public:
  Grower(const BinnedRows& m, const TreeOptions& o) : m_(m), o_(o) {
    offset_.push_back(0);
    for (size_t f = 0; f < m.inputs; ++f) offset_.push_back(offset_.back() + m.bin_count[f]);
  }

  struct Leaf {
    int32_t node;
    size_t begin, end;
    Stats total;
    int depth;
    int hist = -1;  // index into pool_, or -1
    Split best;
  };

  // Returns the tree; `leaves` gets each leaf's node and row range in idx.
  Tree Grow(std::vector<uint32_t>& idx, const std::vector<double>& g, const std::vector<double>& h,
            std::vector<Leaf>& leaves) {
    g_ = &g, h_ = &h;
    free_.clear();
    for (int i = 0; i < static_cast<int>(pool_.size()); ++i) free_.push_back(i);
    Tree tree;
    tree.nodes.push_back({});
    leaves.clear();
    Leaf root{0, 0, idx.size(), {}, 0, -1, {}};
    root.hist = Take();
    Build(idx, 0, idx.size(), pool_[root.hist]);
    for (uint32_t row : idx) root.total += {g[row], h[row], 1};
    root.best = Best(pool_[root.hist], root.total);
    leaves.push_back(root);
    tmp_.resize(idx.size());
    while (static_cast<int>(leaves.size()) < o_.max_leaves) {
      size_t at = leaves.size();
      for (size_t i = 0; i < leaves.size(); ++i) {
        if (leaves[i].best.input >= 0 && (at == leaves.size() || leaves[i].best.gain > leaves[at].best.gain)) at = i;
      }
      if (at == leaves.size()) break;
      Leaf parent = leaves[at];
      const Split& s = parent.best;
      const int32_t l = static_cast<int32_t>(tree.nodes.size()), r = l + 1;
      TreeNode& node = tree.nodes[parent.node];
      node.input = s.input;
      node.split = s.split;
      node.categorical = m_.categorical[s.input];
      node.missing_bin = static_cast<uint16_t>(m_.bin_count[s.input] - 1);
      node.missing_left = s.missing_left;
      node.left = l, node.right = r;
      uint8_t goes_left[256];
      for (uint32_t b = 0; b < 256; ++b) goes_left[b] = node.Left(static_cast<uint8_t>(b));
      tree.nodes.push_back({}), tree.nodes.push_back({});
      // Stable partition without branches: left rows first, each side in its original order.
      size_t nl = parent.begin, nr = 0;
      const uint8_t* column = m_.bins.data() + s.input;
      for (size_t i = parent.begin; i < parent.end; ++i) {
        const uint32_t row = idx[i];
        const uint8_t l = goes_left[column[static_cast<size_t>(row) * m_.inputs]];
        idx[nl] = row, tmp_[nr] = row;
        nl += l, nr += 1u - l;
      }
      std::copy(tmp_.begin(), tmp_.begin() + static_cast<std::ptrdiff_t>(nr), idx.begin() + static_cast<std::ptrdiff_t>(nl));
      Leaf a{l, parent.begin, nl, s.left, parent.depth + 1, -1, {}};
      Leaf b{r, nl, parent.end, s.right, parent.depth + 1, -1, {}};
      a.total.n = static_cast<double>(a.end - a.begin), b.total.n = static_cast<double>(b.end - b.begin);
      const bool last = static_cast<int>(leaves.size()) + 1 >= o_.max_leaves;
      const bool split_a = !last && Splittable(a), split_b = !last && Splittable(b);
      if (split_a || split_b) {
        // Only the smaller child's histogram is built; the larger one's is the parent's less it.
        Leaf& small = a.total.n <= b.total.n ? a : b;
        Leaf& large = a.total.n <= b.total.n ? b : a;
        small.hist = Take();
        Build(idx, small.begin, small.end, pool_[small.hist]);
        if (&large == &a ? split_a : split_b) {
          std::vector<Stats>& ph = pool_[parent.hist];
          const std::vector<Stats>& sh = pool_[small.hist];
          for (size_t k = 0; k < ph.size(); ++k) ph[k] = ph[k] - sh[k];
          large.hist = parent.hist;
          parent.hist = -1;
        }
        if (split_a) a.best = Best(pool_[a.hist], a.total);
        if (split_b) b.best = Best(pool_[b.hist], b.total);
      }
      for (Leaf* x : {&a, &b}) {
        if (x->hist >= 0 && x->best.input < 0) Give(x->hist), x->hist = -1;
      }
      if (parent.hist >= 0) Give(parent.hist);
      leaves[at] = a;
      leaves.push_back(b);
    }
    for (Leaf& leaf : leaves) {
      if (leaf.hist >= 0) Give(leaf.hist);
      TreeNode& node = tree.nodes[leaf.node];
      node.value = (0 - leaf.total.g) / (leaf.total.h + o_.l2) * o_.learning_rate;  // 0 - g: never -0
      if (!std::isfinite(node.value)) node.value = 0;
    }
    // Covers: the rows under each node, filled from the leaves up (children follow parents).
    for (const Leaf& leaf : leaves) tree.nodes[leaf.node].cover = static_cast<double>(leaf.end - leaf.begin);
    for (size_t i = tree.nodes.size(); i-- > 0;) {
      TreeNode& n = tree.nodes[i];
      if (n.input >= 0) n.cover = tree.nodes[n.left].cover + tree.nodes[n.right].cover;
    }
    tree.Finish();
    return tree;
  }

 private:
  int Take() {
    if (free_.empty()) {
      pool_.emplace_back(offset_.back());
      return static_cast<int>(pool_.size()) - 1;
    }
    const int i = free_.back();
    free_.pop_back();
    return i;
  }
  void Give(int i) { free_.push_back(i); }

  bool Splittable(const Leaf& x) const {
    return (o_.max_depth <= 0 || x.depth < o_.max_depth) && x.total.n >= 2.0 * o_.min_child_samples;
  }

  void Build(const std::vector<uint32_t>& idx, size_t begin, size_t end, std::vector<Stats>& hist) const {
    std::fill(hist.begin(), hist.end(), Stats{});
    const size_t f_count = m_.inputs;
    const uint8_t* bins = m_.bins.data();
    const double *g = g_->data(), *h = h_->data();
    Stats* out = hist.data();
    const uint32_t* off = offset_.data();
    for (size_t i = begin; i < end; ++i) {
      const uint32_t row = idx[i];
      const uint8_t* b = bins + static_cast<size_t>(row) * f_count;
      const double gr = g[row], hr = h[row];
      for (size_t f = 0; f < f_count; ++f) {
        Stats& s = out[off[f] + b[f]];
        s.g += gr, s.h += hr, s.n += 1;
      }
    }
  }

  Split Best(const std::vector<Stats>& hist, const Stats& total) const {
    Split best;
    const double lambda = o_.l2, parent = total.g * total.g / (total.h + lambda);
    const double min_n = o_.min_child_samples, min_h = o_.min_child_weight;
    const auto consider = [&](const Stats& l, const Stats& r, size_t f, uint32_t split, bool missing_left) {
      if (l.n < min_n || r.n < min_n || l.h < min_h || r.h < min_h) return;
      const double gain = l.g * l.g / (l.h + lambda) + r.g * r.g / (r.h + lambda) - parent;
      if (gain > best.gain) best = {gain, static_cast<int32_t>(f), split, missing_left, l, r};
    };
    std::vector<std::pair<double, uint32_t>> cats;
    for (size_t f = 0; f < m_.inputs; ++f) {
      const Stats* hf = hist.data() + offset_[f];
      const uint32_t bins = m_.bin_count[f];
      if (!m_.categorical[f]) {
        const Stats miss = hf[bins - 1];
        Stats acc;
        for (uint32_t t = 0; t + 1 < bins; ++t) {
          acc += hf[t];
          if (hf[t].n == 0 && t > 0) continue;  // the same partition as the bin before
          consider(acc, total - acc, f, t, false);
          if (miss.n > 0) consider(acc + miss, total - acc - miss, f, t, true);
        }
        continue;
      }
      // Categories sorted by their gradient over hessian (smoothed), then split as if ordered.
      cats.clear();
      for (uint32_t b = 0; b < bins && b < 32; ++b) {
        if (hf[b].n > 0) cats.push_back({hf[b].g / (hf[b].h + kCategorySmoothing), b});
      }
      if (cats.size() < 2) continue;
      std::sort(cats.begin(), cats.end());  // a total order: ties fall back to the bin
      Stats acc;
      uint32_t mask = 0, seen = 0;
      for (const auto& c : cats) seen |= 1u << c.second;
      for (size_t k = 0; k + 1 < cats.size(); ++k) {
        acc += hf[cats[k].second];
        mask |= 1u << cats[k].second;
        consider(acc, total - acc, f, mask, false);
      }
      // The mask names the smaller side, so a level never seen follows the larger one.
      if (best.input == static_cast<int32_t>(f) && m_.categorical[f] && best.left.n > best.right.n) {
        best.split = seen & ~best.split;
        std::swap(best.left, best.right);
      }
    }
    if (best.input >= 0 && !m_.categorical[best.input]) {
      const Stats miss = hist[offset_[best.input] + m_.bin_count[best.input] - 1];
      // No training row was missing: at prediction, missing values follow the larger child.
      if (miss.n == 0) best.missing_left = best.left.n >= best.right.n;
    }
    return best;
  }

  static constexpr double kCategorySmoothing = 10;  // LightGBM's cat_smooth
  const BinnedRows& m_;
  const TreeOptions& o_;
  std::vector<uint32_t> offset_;
  const std::vector<double>*g_ = nullptr, *h_ = nullptr;
  std::vector<std::vector<Stats>> pool_;
  std::vector<int> free_;
  std::vector<uint32_t> tmp_;
};

double MeanLoss(std::span<const double> raw, std::span<const uint8_t> y) {
  double s = 0;
  for (size_t i = 0; i < raw.size(); ++i) s += Softplus(raw[i]) - (y[i] ? raw[i] : 0.0);
  return raw.empty() ? 0 : s / static_cast<double>(raw.size());
}

// Boosts `rounds` rounds (or until `valid` stops improving, when it is not empty).
Forest Boost(const BinnedRows& m, std::span<const uint32_t> train, std::span<const uint8_t> yt,
             std::span<const uint32_t> valid, std::span<const uint8_t> yv, const TreeOptions& o, int rounds,
             int* best_rounds, int* tried) {
  Forest f;
  double won = 0;
  for (uint8_t v : yt) won += v;
  const double n = static_cast<double>(yt.size());
  f.base = won > 0 && won < n ? Log(won / (n - won)) : 0;
  std::vector<double> raw(m.rows, f.base), g(m.rows), h(m.rows);
  std::vector<double> vraw(valid.size(), f.base);
  double best = MeanLoss(vraw, yv);
  int best_at = 0;
  Grower grower(m, o);
  std::vector<uint32_t> idx;
  std::vector<Grower::Leaf> leaves;
  for (int round = 1; round <= rounds; ++round) {
    for (size_t i = 0; i < train.size(); ++i) {
      const double p = Sigmoid(raw[train[i]]);
      g[train[i]] = p - yt[i];
      h[train[i]] = p * (1 - p);
    }
    idx.assign(train.begin(), train.end());
    f.trees.push_back(grower.Grow(idx, g, h, leaves));
    const Tree& t = f.trees.back();
    for (const Grower::Leaf& leaf : leaves) {
      const double v = t.nodes[leaf.node].value;
      for (size_t i = leaf.begin; i < leaf.end; ++i) raw[idx[i]] += v;
    }
    if (valid.empty()) continue;
    for (size_t i = 0; i < valid.size(); ++i) vraw[i] += t.Output(&m.bins[static_cast<size_t>(valid[i]) * m.inputs]);
    const double loss = MeanLoss(vraw, yv);
    if (loss < best - 1e-7) best = loss, best_at = round;
    if (round - best_at >= o.patience) break;
  }
  if (tried) *tried = static_cast<int>(f.trees.size());
  if (!valid.empty()) f.trees.resize(static_cast<size_t>(best_at));
  if (best_rounds) *best_rounds = valid.empty() ? static_cast<int>(f.trees.size()) : best_at;
  return f;
}

}  // namespace

BinnedRows BinRows(const Encoder& e, const RawTable& raw, std::span<const uint32_t> rows) {
  std::vector<int32_t> b;
  e.Bins(raw, rows, b);
  BinnedRows m;
  m.rows = rows.size();
  m.inputs = e.inputs().size();
  for (size_t i = 0; i < m.inputs; ++i) {
    const bool cat = !e.inputs()[i].numeric;
    m.categorical.push_back(cat);
    m.bin_count.push_back(static_cast<uint16_t>(std::min<size_t>(e.BinCount(i) + (cat ? 1 : 0), 256)));
  }
  m.bins.resize(b.size());
  for (size_t k = 0; k < m.rows; ++k) {
    for (size_t i = 0; i < m.inputs; ++i) {
      const int32_t v = b[k * m.inputs + i];
      m.bins[k * m.inputs + i] = static_cast<uint8_t>(v < 0 ? m.bin_count[i] - 1 : std::min<int32_t>(v, 255));
    }
  }
  return m;
}

void Tree::Finish() {
  std::vector<int> d(nodes.size(), 0);
  depth = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].input >= 0) d[nodes[i].left] = d[nodes[i].right] = d[i] + 1;
    depth = std::max(depth, d[i]);
  }
  double s = 0;
  for (const TreeNode& n : nodes) {
    if (n.input < 0) s += n.cover * n.value;
  }
  expectation = nodes.empty() || !(nodes[0].cover > 0) ? 0 : s / nodes[0].cover;
}

namespace {

// Adds each row's leaf value of tree t to out: per input the tree tests, per bin, the leaves a row
// with that bin can still reach; the AND over the inputs leaves one bit. Mask is uint32_t for
// trees of up to 32 leaves (the default 31), so one tree's tables stay in the first-level cache.
template <typename Mask>
void AddTree(const Tree& t, const BinnedRows& m, std::vector<double>& out) {
  const size_t n = t.nodes.size();
  std::vector<int32_t> leaf_of(n, -1);
  std::vector<double> value;
  for (size_t i = 0; i < n; ++i) {
    if (t.nodes[i].input < 0) leaf_of[i] = static_cast<int32_t>(value.size()), value.push_back(t.nodes[i].value);
  }
  std::vector<Mask> sub(n, 0), masks;  // sub: the leaves under each node (children follow parents)
  for (size_t i = n; i-- > 0;) {
    const TreeNode& x = t.nodes[i];
    sub[i] = x.input < 0 ? Mask{1} << leaf_of[i] : sub[x.left] | sub[x.right];
  }
  std::vector<std::pair<uint32_t, uint32_t>> parts;  // (input, offset into masks)
  for (size_t f = 0; f < m.inputs; ++f) {
    bool used = false;
    for (const TreeNode& x : t.nodes) used = used || x.input == static_cast<int32_t>(f);
    if (!used) continue;
    parts.push_back({static_cast<uint32_t>(f), static_cast<uint32_t>(masks.size())});
    for (uint32_t b = 0; b < m.bin_count[f]; ++b) {
      Mask keep = sub[0];
      for (const TreeNode& x : t.nodes) {
        if (x.input == static_cast<int32_t>(f)) keep &= ~(x.Left(static_cast<uint8_t>(b)) ? sub[x.right] : sub[x.left]);
      }
      masks.push_back(keep);
    }
  }
  const uint8_t* bins = m.bins.data();
  const Mask* table = masks.data();
  const size_t w = m.inputs;
  size_t k = 0;
  for (; k + 4 <= m.rows; k += 4) {  // four rows at a time: four independent chains of ANDs
    const uint8_t* row = bins + k * w;
    Mask r0 = sub[0], r1 = sub[0], r2 = sub[0], r3 = sub[0];
    for (const auto& [input, offset] : parts) {
      const Mask* at = table + offset;
      r0 &= at[row[input]], r1 &= at[row[w + input]], r2 &= at[row[2 * w + input]], r3 &= at[row[3 * w + input]];
    }
    out[k] += value[std::countr_zero(r0)], out[k + 1] += value[std::countr_zero(r1)];
    out[k + 2] += value[std::countr_zero(r2)], out[k + 3] += value[std::countr_zero(r3)];
  }
  for (; k < m.rows; ++k) {
    const uint8_t* row = bins + k * w;
    Mask reach = sub[0];
    for (const auto& [input, offset] : parts) reach &= table[offset + row[input]];
    out[k] += value[std::countr_zero(reach)];
  }
}

}  // namespace

void Forest::RawAll(const BinnedRows& m, std::vector<double>& out) const {
  out.assign(m.rows, base);
  for (const Tree& t : trees) {
    const size_t leaves = (t.nodes.size() + 1) / 2;  // a binary tree
    if (m.rows < 64 || leaves > 64) {  // few rows, or too many leaves for a mask: walk
      for (size_t k = 0; k < m.rows; ++k) out[k] += t.Output(&m.bins[k * m.inputs]);
    } else if (leaves <= 32) {
      AddTree<uint32_t>(t, m, out);
    } else {
      AddTree<uint64_t>(t, m, out);
    }
  }
}

double Forest::Expectation() const {
  double s = base;
  for (const Tree& t : trees) s += t.expectation;
  return s;
}

namespace {

// Path-dependent TreeSHAP (Lundberg, Erion and Lee, "Consistent individualized feature
// attribution for tree ensembles", Algorithm 2), as in the shap package's tree_shap.h.
struct PathElement {
  int32_t input;
  double zero, one, weight;
};

void ExtendPath(PathElement* path, int depth, double zero, double one, int32_t input) {
  path[depth] = {input, zero, one, depth == 0 ? 1.0 : 0.0};
  for (int i = depth - 1; i >= 0; --i) {
    path[i + 1].weight += one * path[i].weight * (i + 1) / static_cast<double>(depth + 1);
    path[i].weight = zero * path[i].weight * (depth - i) / static_cast<double>(depth + 1);
  }
}

void UnwindPath(PathElement* path, int depth, int at) {
  const double one = path[at].one, zero = path[at].zero;
  double next = path[depth].weight;
  for (int i = depth - 1; i >= 0; --i) {
    if (one != 0) {
      const double tmp = path[i].weight;
      path[i].weight = next * (depth + 1) / static_cast<double>((i + 1) * one);
      next = tmp - path[i].weight * zero * (depth - i) / static_cast<double>(depth + 1);
    } else {
      path[i].weight = path[i].weight * (depth + 1) / (zero * (depth - i));
    }
  }
  for (int i = at; i < depth; ++i) path[i].input = path[i + 1].input, path[i].zero = path[i + 1].zero, path[i].one = path[i + 1].one;
}

double UnwoundPathSum(const PathElement* path, int depth, int at) {
  const double one = path[at].one, zero = path[at].zero;
  double next = path[depth].weight, total = 0;
  for (int i = depth - 1; i >= 0; --i) {
    if (one != 0) {
      const double tmp = next * (depth + 1) / static_cast<double>((i + 1) * one);
      total += tmp;
      next = path[i].weight - tmp * zero * ((depth - i) / static_cast<double>(depth + 1));
    } else if (zero != 0) {
      total += (path[i].weight / zero) / ((depth - i) / static_cast<double>(depth + 1));
    }
  }
  return total;
}

void ShapRecurse(const Tree& t, const uint8_t* row, double* phi, int32_t node, int depth, PathElement* parent_path,
                 double zero, double one, int32_t input) {
  PathElement* path = parent_path + depth + 1;
  std::copy(parent_path, parent_path + depth + 1, path);
  ExtendPath(path, depth, zero, one, input);
  const TreeNode& n = t.nodes[node];
  if (n.input < 0) {
    for (int i = 1; i <= depth; ++i) {
      const double w = UnwoundPathSum(path, depth, i);
      phi[path[i].input] += w * (path[i].one - path[i].zero) * n.value;
    }
    return;
  }
  const int32_t hot = n.Left(row[n.input]) ? n.left : n.right, cold = hot == n.left ? n.right : n.left;
  double in_zero = 1, in_one = 1;
  int at = 0;
  for (; at <= depth; ++at) {
    if (path[at].input == n.input) break;
  }
  if (at != depth + 1) {
    in_zero = path[at].zero, in_one = path[at].one;
    UnwindPath(path, depth, at);
    depth -= 1;
  }
  ShapRecurse(t, row, phi, hot, depth + 1, path, t.nodes[hot].cover / n.cover * in_zero, in_one, n.input);
  ShapRecurse(t, row, phi, cold, depth + 1, path, t.nodes[cold].cover / n.cover * in_zero, 0, n.input);
}

}  // namespace

void Forest::Shap(const uint8_t* row, std::vector<double>& phi) const {
  std::vector<PathElement> path;
  for (const Tree& t : trees) {
    if (t.nodes.size() < 2) continue;
    const size_t d = static_cast<size_t>(t.depth) + 2;
    path.assign(d * (d + 1) / 2, {});
    ShapRecurse(t, row, phi.data(), 0, 0, path.data(), 1, 1, -1);
  }
}

json Forest::ToJson() const {
  json trees_json = json::array();
  for (const Tree& t : trees) {
    json input = json::array(), split = json::array(), left = json::array(), right = json::array(),
         missing = json::array(), cover = json::array(), value = json::array();
    for (const TreeNode& n : t.nodes) {
      input.push_back(n.input), split.push_back(n.split), left.push_back(n.left), right.push_back(n.right);
      missing.push_back(n.missing_left ? 1 : 0), cover.push_back(n.cover), value.push_back(n.value);
    }
    trees_json.push_back({{"input", std::move(input)}, {"split", std::move(split)}, {"left", std::move(left)},
                          {"right", std::move(right)}, {"missingLeft", std::move(missing)},
                          {"cover", std::move(cover)}, {"value", std::move(value)}});
  }
  return {{"base", base}, {"trees", std::move(trees_json)}};
}

Result<Forest> Forest::FromJson(const json& j, const Encoder& e, const std::string& path) {
  if (!j.is_object()) return MakeError("expected an object", path);
  if (!j.contains("base") || !j["base"].is_number() || !std::isfinite(j["base"].get<double>())) {
    return MakeError("expected a finite number", path + ".base");
  }
  if (!j.contains("trees") || !j["trees"].is_array()) return MakeError("expected an array of trees", path + ".trees");
  Forest f;
  f.base = j["base"].get<double>();
  const size_t inputs = e.inputs().size();
  for (size_t ti = 0; ti < j["trees"].size(); ++ti) {
    const json& tj = j["trees"][ti];
    const std::string at = path + ".trees[" + std::to_string(ti) + "]";
    if (!tj.is_object()) return MakeError("expected an object", at);
    size_t count = 0;
    for (const char* key : {"input", "split", "left", "right", "missingLeft", "cover", "value"}) {
      if (!tj.contains(key) || !tj[key].is_array()) return MakeError("expected an array of numbers", at + "." + key);
      if (key[0] == 'i') count = tj[key].size();
      if (count == 0) return MakeError("expected one number per node, and at least one node", at + "." + key);
      if (tj[key].size() != count) {
        return MakeError("expected " + std::to_string(count) + " numbers, one per node", at + "." + key);
      }
      for (size_t k = 0; k < count; ++k) {
        if (!tj[key][k].is_number() || !std::isfinite(tj[key][k].get<double>())) {
          return MakeError("expected a finite number", at + "." + key + "[" + std::to_string(k) + "]");
        }
      }
    }
    Tree t;
    t.nodes.resize(count);
    for (size_t k = 0; k < count; ++k) {
      TreeNode& n = t.nodes[k];
      const std::string node = "[" + std::to_string(k) + "]";
      const double input = tj["input"][k].get<double>();
      n.cover = tj["cover"][k].get<double>();
      n.value = tj["value"][k].get<double>();
      if (!(n.cover > 0)) return MakeError("expected a positive number of rows", at + ".cover" + node);
      if (input == -1) continue;
      if (!(input >= 0 && input < static_cast<double>(inputs) && input == std::floor(input))) {
        return MakeError("expected -1 (a leaf) or the index of an input, below " + std::to_string(inputs), at + ".input" + node);
      }
      n.input = static_cast<int32_t>(input);
      const double l = tj["left"][k].get<double>(), r = tj["right"][k].get<double>();
      for (const auto& [child, key] : {std::pair{l, "left"}, std::pair{r, "right"}}) {
        if (!(child > static_cast<double>(k) && child < static_cast<double>(count) && child == std::floor(child))) {
          return MakeError("expected the index of a later node", at + "." + key + node);
        }
      }
      n.left = static_cast<int32_t>(l), n.right = static_cast<int32_t>(r);
      n.categorical = !e.inputs()[n.input].numeric;
      n.missing_bin = static_cast<uint16_t>(e.BinCount(static_cast<size_t>(n.input)) - 1);
      const double split = tj["split"][k].get<double>();
      const double limit = n.categorical ? 4294967295.0 : static_cast<double>(n.missing_bin) - 1;
      if (!(split >= 0 && split <= limit && split == std::floor(split))) {
        return MakeError(n.categorical ? "expected a bit mask of levels" : "expected a bin below the missing bin",
                         at + ".split" + node);
      }
      n.split = static_cast<uint32_t>(split);
      n.missing_left = tj["missingLeft"][k].get<double>() != 0;
    }
    // Each child has one parent, and a parent's rows are its children's (TreeSHAP relies on it).
    std::vector<int> parents(count, 0);
    for (size_t k = 0; k < count; ++k) {
      const TreeNode& n = t.nodes[k];
      if (n.input < 0) continue;
      ++parents[n.left], ++parents[n.right];
      if (n.cover != t.nodes[n.left].cover + t.nodes[n.right].cover) {
        return MakeError("expected the sum of its children's covers", at + ".cover[" + std::to_string(k) + "]");
      }
    }
    for (size_t k = 1; k < count; ++k) {
      if (parents[k] != 1) return MakeError("expected every node but the root under exactly one parent", at + ".left");
    }
    t.Finish();
    f.trees.push_back(std::move(t));
  }
  return f;
}

ForestFit FitForest(const BinnedRows& m, std::span<const uint32_t> rows, std::span<const uint8_t> y,
                    const TreeOptions& o) {
  // A stratified validation split: each outcome's rows shuffled with the seed (our own
  // Fisher-Yates on mt19937, as the folds), the first tenth held out.
  std::vector<uint8_t> held(rows.size(), 0);
  if (o.validation_fraction > 0) {
    std::mt19937 rng(o.seed);
    for (const uint8_t outcome : {uint8_t{0}, uint8_t{1}}) {
      std::vector<size_t> of;
      for (size_t i = 0; i < rows.size(); ++i) {
        if (y[i] == outcome) of.push_back(i);
      }
      for (size_t i = of.size(); i > 1; --i) std::swap(of[i - 1], of[rng() % i]);
      const auto take = static_cast<size_t>(std::ceil(o.validation_fraction * static_cast<double>(of.size())));
      for (size_t i = 0; i < take && i + 1 < of.size(); ++i) held[of[i]] = 1;
    }
  }
  std::vector<uint32_t> train, valid;
  std::vector<uint8_t> yt, yv;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (held[i]) valid.push_back(rows[i]), yv.push_back(y[i]);
    else train.push_back(rows[i]), yt.push_back(y[i]);
  }
  ForestFit fit;
  fit.forest = Boost(m, train, yt, valid, yv, o, o.max_rounds, &fit.rounds, &fit.rounds_tried);
  if (!valid.empty() && rows.size() < kTreesRefitBelow) {
    fit.forest = Boost(m, rows, y, {}, {}, o, fit.rounds, nullptr, nullptr);
    fit.refitted = true;
  }
  return fit;
}

Platt FitPlatt(std::span<const double> raw, std::span<const uint8_t> y) {
  double won = 0;
  for (uint8_t v : y) won += v;
  const double lost = static_cast<double>(y.size()) - won;
  const double hi = (won + 1) / (won + 2), lo = 1 / (lost + 2);
  // Scores that are all the same (no tree was kept) say nothing about a lead: the calibrated
  // probability is the smoothed base rate, whatever the trees fitted later on every row say.
  const auto [min, max] = std::minmax_element(raw.begin(), raw.end());
  if (raw.empty() || !(*max - *min > 1e-9 * (1 + std::abs(*max)))) return {0, Log((won + 1) / (lost + 1))};
  double a = 1, b = 0;
  const auto loss = [&](double sa, double sb) {
    double s = 0;
    for (size_t i = 0; i < raw.size(); ++i) {
      const double z = sa * raw[i] + sb, t = y[i] ? hi : lo;
      s += Softplus(z) - t * z;
    }
    return s;
  };
  double f = loss(a, b);
  for (int it = 0; it < 100; ++it) {
    double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (size_t i = 0; i < raw.size(); ++i) {
      const double p = Sigmoid(a * raw[i] + b), r = p - (y[i] ? hi : lo), w = p * (1 - p);
      ga += r * raw[i], gb += r;
      haa += w * raw[i] * raw[i], hab += w * raw[i], hbb += w;
    }
    const double det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    const double decrement = ga * da + gb * db;
    if (!(decrement > 1e-14 * (1 + std::abs(f)))) break;
    double step = 1, next = f;
    for (int k = 0; k < 40; ++k, step /= 2) {
      next = loss(a - step * da, b - step * db);
      if (next <= f - 1e-4 * step * decrement) break;
    }
    if (!(next < f)) break;
    a -= step * da, b -= step * db, f = next;
  }
  return {a, b};
}

}  // namespace leadkit
