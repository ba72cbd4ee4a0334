#include "core/http/requesthead.h"

#include <algorithm>

namespace rs::http {

namespace {

// Field names are ASCII tokens; locale-aware folding would be both slower and wrong.
bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b) {
  if (a.size() != b.size()) return false;
  for (qsizetype i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

void Headers::set(const QByteArray &name, QByteArray value) {
  auto it = std::find_if(fields_.begin(), fields_.end(),
                         [&](const auto &f) { return equalsIgnoreCase(f.first, name); });
  if (it == fields_.end()) {
    fields_.emplace_back(name, std::move(value));
    return;
  }
  it->second = std::move(value);
  // Later duplicates would otherwise still be seen by anyone iterating fields().
  fields_.erase(std::remove_if(std::next(it), fields_.end(),
                               [&](const auto &f) { return equalsIgnoreCase(f.first, name); }),
                fields_.end());
}

void Headers::remove(QByteArrayView name) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const auto &f) { return equalsIgnoreCase(f.first, name); }),
                fields_.end());
}

QByteArray Headers::value(QByteArrayView name) const {
  for (const auto &f : fields_) {
    if (equalsIgnoreCase(f.first, name)) return f.second;
  }
  return {};
}

bool Headers::contains(QByteArrayView name) const {
  return std::any_of(fields_.begin(), fields_.end(),
                     [&](const auto &f) { return equalsIgnoreCase(f.first, name); });
}

int Headers::count(QByteArrayView name) const {
  return int(std::count_if(fields_.begin(), fields_.end(),
                           [&](const auto &f) { return equalsIgnoreCase(f.first, name); }));
}

}  // namespace rs::http
