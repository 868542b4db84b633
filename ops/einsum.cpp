// einsum as PyTorch writes it ("bij,bjk->bik"), composed from permute,
// reshape, sum and bmm, so its gradient is theirs. Two operands become one
// batched product: the labels both keep are the batch, those both drop are
// contracted, and each operand's own labels are its rows or columns. More
// operands fold left to right. Not supported (an error): "...", and a label
// repeated within one operand (diagonals).
#include <algorithm>
#include <map>
#include <string>

#include "ops.hpp"

namespace spool {

namespace {

struct Operand {
  Tensor t;
  std::string labels;  // one per dim
};

bool has(const std::string& s, char c) { return s.find(c) != std::string::npos; }

// The operand with the dims of labels not in `keep` summed away.
Operand sum_out(Operand x, const std::string& keep) {
  for (int d = static_cast<int>(x.labels.size()) - 1; d >= 0; --d)
    if (!has(keep, x.labels[d])) {
      x.t = sum(x.t, d);
      x.labels.erase(d, 1);
    }
  return x;
}

// x permuted so that its labels read in the order of `order` (a permutation of them).
Tensor arrange(const Operand& x, const std::string& order) {
  Shape dims;
  for (char c : order) dims.push_back(static_cast<int64_t>(x.labels.find(c)));
  bool identity = true;
  for (int i = 0; i < dims.size(); ++i) identity = identity && dims[i] == i;
  return identity ? x.t : permute(x.t, dims);
}

int64_t product_of(const std::map<char, int64_t>& size, const std::string& labels) {
  int64_t p = 1;
  for (char c : labels) p *= size.at(c);
  return p;
}

// a and b contracted into the labels `out` (each label of out is in a or b).
Operand contract(const Operand& a0, const Operand& b0, const std::string& out, const std::map<char, int64_t>& size) {
  // Labels only one side has and the result drops are summed first.
  const Operand a = sum_out(a0, out + b0.labels), b = sum_out(b0, out + a0.labels);
  std::string batch, left, right, inner;
  for (char c : out) {
    if (has(a.labels, c) && has(b.labels, c)) batch += c;
    else if (has(a.labels, c)) left += c;
    else right += c;
  }
  for (char c : a.labels)
    if (has(b.labels, c) && !has(out, c)) inner += c;
  const int64_t B = product_of(size, batch), L = product_of(size, left), R = product_of(size, right),
                K = product_of(size, inner);
  const Tensor a3 = reshape(arrange(a, batch + left + inner), {B, L, K});
  const Tensor b3 = reshape(arrange(b, batch + inner + right), {B, K, R});
  Shape sizes;
  for (char c : batch + left + right) sizes.push_back(size.at(c));
  Operand r{reshape(bmm(a3, b3), sizes), batch + left + right};
  return {arrange(r, out), out};
}

}  // namespace

Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  const char* op = "einsum";
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq += c;
  SPOOL_CHECK(eq.find("...") == std::string::npos, op, "\"...\" is not supported (equation \"{}\")", equation);
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  SPOOL_CHECK(terms.size() == operands.size(), op, "equation \"{}\" has {} operands, {} tensors were given", equation,
              terms.size(), operands.size());
  std::map<char, int64_t> size;
  std::map<char, int> count;
  std::vector<Operand> xs;
  for (size_t i = 0; i < terms.size(); ++i) {
    const std::string& t = terms[i];
    const Tensor& x = operands[i];
    SPOOL_CHECK(static_cast<int>(t.size()) == x.dim(), op, "operand {} has labels \"{}\" but shape {}", i, t,
                x.sizes());
    for (size_t d = 0; d < t.size(); ++d) {
      const char c = t[d];
      SPOOL_CHECK(std::isalpha(static_cast<unsigned char>(c)), op, "label '{}' in \"{}\" is not a letter", c, equation);
      SPOOL_CHECK(t.find(c) == d, op, "label '{}' repeats within operand {} (\"{}\"): diagonals are not supported", c,
                  i, t);
      auto [it, fresh] = size.emplace(c, x.size(d));
      SPOOL_CHECK(fresh || it->second == x.size(d), op, "label '{}' has size {} in operand {} but {} before (shape {})",
                  c, x.size(d), i, it->second, x.sizes());
      ++count[c];
    }
    xs.push_back({x, t});
  }
  std::string out;
  if (arrow == std::string::npos) {  // implicit: the labels seen once, in alphabetical order
    for (auto& [c, n] : count)
      if (n == 1) out += c;
  } else {
    out = eq.substr(arrow + 2);
    for (size_t d = 0; d < out.size(); ++d) {
      SPOOL_CHECK(size.count(out[d]), op, "output label '{}' is in no operand (\"{}\")", out[d], equation);
      SPOOL_CHECK(out.find(out[d]) == d, op, "output label '{}' repeats (\"{}\")", out[d], equation);
    }
  }
  Operand acc = xs[0];
  for (size_t i = 1; i < xs.size(); ++i) {
    // Keep what the output or a later operand still needs, in first-seen order.
    std::string keep;
    for (char c : acc.labels + xs[i].labels) {
      bool later = has(out, c);
      for (size_t j = i + 1; j < xs.size(); ++j) later = later || has(xs[j].labels, c);
      if (later && !has(keep, c)) keep += c;
    }
    acc = contract(acc, xs[i], keep, size);
  }
  acc = sum_out(acc, out);
  return arrange(acc, out);
}

}  // namespace spool
