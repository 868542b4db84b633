#include "bow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_map>

using namespace spool;

namespace classify_quotes {
namespace {

// The nonzeros of each bag-of-words row: feature ids (1-based, 0 pads) and
// their values, [N, K] with K the most features any row has.
struct SparseRows {
  Tensor ids, values;
};

// Feature ids and inverse document frequencies from the training split.
struct Features {
  std::unordered_map<std::string, int64_t> index;
  std::vector<double> idf;  // by id; idf[0] unused
};

Features make_features(const TokenLists& train, int64_t min_count) {
  std::map<std::string, std::pair<int64_t, int64_t>> stats;  // word -> (count, documents); ordered: stable ids
  for (const auto& doc : train) {
    for (const auto& w : doc) ++stats[w].first;
    std::vector<std::string> unique(doc.begin(), doc.end());
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    for (const auto& w : unique) ++stats[w].second;
  }
  Features f;
  f.idf.push_back(0);
  const double n = static_cast<double>(train.size());
  for (const auto& [word, cd] : stats) {
    if (cd.first < min_count) continue;
    f.index[word] = static_cast<int64_t>(f.idf.size());
    f.idf.push_back(std::log((1 + n) / (1 + static_cast<double>(cd.second))) + 1);  // smoothed, as scikit-learn
  }
  return f;
}

// "binary": 1 for each word present. "tfidf": (1 + log tf) * idf, the row
// scaled to unit length (long and short quotations weigh alike).
SparseRows featurize(const TokenLists& docs, const Features& f, const std::string& kind) {
  std::vector<std::vector<std::pair<int64_t, double>>> rows;
  size_t width = 1;
  for (const auto& doc : docs) {
    std::map<int64_t, double> tf;
    for (const auto& w : doc)
      if (auto it = f.index.find(w); it != f.index.end()) tf[it->second] += 1;
    std::vector<std::pair<int64_t, double>> row;
    double norm = 0;
    for (const auto& [id, count] : tf) {
      const double v = kind == "binary" ? 1.0 : (1 + std::log(count)) * f.idf[static_cast<size_t>(id)];
      row.emplace_back(id, v);
      norm += v * v;
    }
    if (kind == "tfidf" && norm > 0)
      for (auto& e : row) e.second /= std::sqrt(norm);
    width = std::max(width, row.size());
    rows.push_back(std::move(row));
  }
  const auto n = static_cast<int64_t>(rows.size()), k = static_cast<int64_t>(width);
  std::vector<int64_t> ids(static_cast<size_t>(n * k), 0);
  std::vector<float> values(static_cast<size_t>(n * k), 0.0f);
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t j = 0; j < rows[r].size(); ++j) {
      ids[r * width + j] = rows[r][j].first;
      values[r * width + j] = static_cast<float>(rows[r][j].second);
    }
  return {tensor(ids, {n, k}), tensor(values, {n, k})};
}

// The training rows in chunks of similar length (sorted by how many words
// they have), each padded only to its own longest row: a few long
// quotations no longer pad every row to their width. `labels` are permuted
// alike.
std::vector<SparseRows> chunked(const TokenLists& docs, const Features& f, const std::string& kind,
                                std::vector<int64_t>& labels, size_t rows_per_chunk = 256) {
  std::vector<size_t> order(docs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return docs[a].size() < docs[b].size(); });
  std::vector<SparseRows> chunks;
  std::vector<int64_t> permuted;
  for (size_t from = 0; from < order.size(); from += rows_per_chunk) {
    TokenLists part;
    for (size_t i = from; i < std::min(order.size(), from + rows_per_chunk); ++i) {
      part.push_back(docs[order[i]]);
      permuted.push_back(labels[order[i]]);
    }
    chunks.push_back(featurize(part, f, kind));
  }
  labels = std::move(permuted);
  return chunks;
}

// Softmax regression: logits = x W + b for the bag-of-words row x. Only the
// nonzeros of x are read: W's rows for the present words (an embedding
// lookup) weighted by their values and summed, which is Linear(V, C) on the
// dense row without a [N, V] matrix.
struct SoftmaxRegression : nn::Module {
  SoftmaxRegression(int64_t features, int64_t classes)
      : Module("SoftmaxRegression"),
        weight(register_parameter("weight", zeros({features, classes}))),  // row 0: padding, stays 0
        bias(register_parameter("bias", zeros({classes}))) {}
  Tensor forward(const SparseRows& x) {
    return (embedding(weight, x.ids, /*padding_idx=*/0) * unsqueeze(x.values, -1)).sum(1) + bias;
  }
  Tensor forward(const std::vector<SparseRows>& chunks) {
    std::vector<Tensor> parts;
    for (const SparseRows& c : chunks) parts.push_back(forward(c));
    return cat(parts, 0);
  }
  Tensor weight, bias;
};

double macro_f1(const Tensor& logits, const std::vector<int64_t>& labels, int64_t classes) {
  return metrics::f1_score(logits.argmax(1), tensor(labels), classes, metrics::Average::Macro)[0];
}

}  // namespace

BowResult bow_logistic_regression(const TokenLists& train, const std::vector<int64_t>& train_labels,
                                  const TokenLists& validation, const std::vector<int64_t>& validation_labels,
                                  const TokenLists& test, int64_t classes, const BowSearch& search,
                                  const Tensor& class_weights) {
  const auto settings = static_cast<int64_t>(search.features.size() * search.min_counts.size() * search.l2.size());
  ProgressBar bar(settings, "bag-of-words logistic regression");
  BowResult best;
  best.validation_f1 = -1;
  int64_t done = 0;
  for (int64_t min_count : search.min_counts) {
    const Features f = make_features(train, min_count);
    for (const std::string& kind : search.features) {
      std::vector<int64_t> labels = train_labels;
      const std::vector<SparseRows> xtrain = chunked(train, f, kind, labels);
      const Tensor y = tensor(labels);
      const SparseRows xval = featurize(validation, f, kind), xtest = featurize(test, f, kind);
      for (double l2 : search.l2) {
        SoftmaxRegression model(static_cast<int64_t>(f.idf.size()), classes);
        // The problem is convex and small: full-batch Adam converges in a few hundred steps.
        optim::Adam opt(model.parameters(), optim::AdamOptions(0.05));
        int64_t step = 0;
        for (int64_t until : search.checkpoints) {
          for (; step < until; ++step) {
            opt.zero_grad();
            Tensor loss = cross_entropy(model.forward(xtrain), y, {.weight = class_weights}) +
                          optim::l2_penalty({model.weight}, l2);
            loss.backward();
            opt.step();
          }
          NoGradGuard no_grad;
          const double f1 = macro_f1(model.forward(xval), validation_labels, classes);
          if (f1 > best.validation_f1) {
            best.validation_f1 = f1;
            best.chosen = fmt::format("{} features, min count {}, {} words, L2 {:g}, {} steps", kind, min_count,
                                      f.idf.size() - 1, l2, until);
            best.test_probabilities = softmax(model.forward(xtest), -1);
          }
        }
        bar.update(++done, {{"best val macro-F1", best.validation_f1}});
      }
    }
  }
  bar.finish({{"best val macro-F1", best.validation_f1}});
  return best;
}

}  // namespace classify_quotes
