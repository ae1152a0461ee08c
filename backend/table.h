// SPDX-License-Identifier: Apache-2.0
// The C++ face of a decision table: ownership of the bytes, loading, evaluation, events.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "analysis/event_model.h"
#include "backend/ipet_cxx.h"

namespace ipec::backend {

class Table {
 public:
  // Loads (validates) a table; on failure returns nullopt and the ipet status in `status`.
  static std::optional<Table> load(std::string_view bytes, int& status);

  Table(Table&&) noexcept = default;
  Table& operator=(Table&&) noexcept = default;

  ipet_decision eval(const ipet_event& e) const {
    ipet_decision d;
    ipet_eval(&impl_->table, &e, &d);
    return d;
  }
  const ipet_table& raw() const { return impl_->table; }
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(impl_->storage.data()), impl_->size};
  }

 private:
  struct Impl {
    std::vector<uint64_t> storage;  // 8-aligned copy of the bytes
    size_t size = 0;
    ipet_table table;
  };
  Table() = default;
  std::unique_ptr<Impl> impl_;
};

// An event of the model as the C interpreter takes it. Digests are the policy's literals, or for
// "other" a digest no literal equals.
ipet_event toIpetEvent(const analysis::Event& e, const DigestPool& pool);

// Why `ipet_load` refused `bytes` with `status`: ipet_strerror's text, and for a table of another
// format version, which version it is and what to do about it.
std::string loadErrorMessage(std::string_view bytes, int status);

// Whether `bytes` starts like a decision table.
bool looksLikeTable(std::string_view bytes);

}  // namespace ipec::backend
