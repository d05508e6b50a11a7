// Export while writes go on (docs/architecture.md "Snapshots"): the snapshot must describe a state
// the store held at one moment. Every write below is one ApplyBatch of three commands that only
// make sense together — a group, a membership in it and an authorization it owns, at log positions
// 3k+1..3k+3 — so a torn read shows up as a group without its membership or grant, a grant without
// its group (which import refuses), or a header position that disagrees with the rows.
#include <atomic>
#include <sstream>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "clearance/commands.h"
#include "clearance/internal/strings.h"
#include "clearance/snapshot.h"
#include "clearance/store.h"
#include "gtest/gtest.h"
#include "store_test_util.h"

namespace clearance {
namespace {

using storage_test::TempDir;
using strings_internal::StrCat;

std::vector<LoggedCommand> Batch(uint64_t k) {
  const std::string group = StrCat("g-", k);
  AuthorizationSpec spec;
  spec.owner_type = OwnerType::kGroup;
  spec.owner_id = group;
  spec.resource_type = ResourceType::kProcessDefinition;
  spec.resource_id = StrCat("process-", k);
  spec.permissions = Bit(Permission::kReadProcessDefinition);
  return {{CreateGroup{Group{group, "G", ""}}, 3 * k + 1},
          {AddMember{Membership{ContainerType::kGroup, group, MemberType::kUser, StrCat("u-", k)}},
           3 * k + 2},
          {CreateAuthorization{spec}, 3 * k + 3}};
}

class ConcurrentExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.sync = false;  // durability is not what this test is about
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<ApplyResult> init = store_->Apply(Initialize{}, 0);
    ASSERT_TRUE(init.ok() && init->outcome == ApplyResult::Outcome::kApplied);
    states_.push_back(store_->state());  // states_[k]: the state after k batches
  }

  // Applies batch k and records the state it leaves. Writer thread only.
  void ApplyBatch(uint64_t k) {
    absl::StatusOr<std::vector<ApplyResult>> r = store_->ApplyBatch(Batch(k));
    ASSERT_TRUE(r.ok()) << r.status();
    for (const ApplyResult& a : *r) {
      ASSERT_EQ(a.outcome, ApplyResult::Outcome::kApplied) << a.refusal;
    }
    states_.push_back(store_->state());
  }

  // The export must import (all its cross-record rules hold) and equal the recorded state its
  // header position names, byte for byte when exported again. Returns k.
  uint64_t CheckOneMoment(const std::string& text) {
    std::istringstream in(text);
    absl::StatusOr<ImportedSnapshot> imported = ImportSnapshot(&in);
    EXPECT_TRUE(imported.ok()) << imported.status();
    if (!imported.ok()) return 0;
    EXPECT_TRUE(imported->applied_position.has_value());
    const uint64_t position = imported->applied_position.value_or(0);
    EXPECT_EQ(position % 3, 0u) << "a position inside a batch: " << position;
    const uint64_t k = position / 3;
    EXPECT_LT(k, states_.size());
    if (k >= states_.size()) return k;
    EXPECT_TRUE(imported->state == states_[k]) << "the export is not the state after " << k
                                                << " batches";
    std::ostringstream again;
    EXPECT_TRUE(ExportSnapshot(states_[k], position, &again).ok());
    EXPECT_EQ(again.str(), text);
    return k;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::vector<IdentityState> states_;
};

// Calls `between` before each chunk the exporter writes, i.e. while the scan is under way.
class InterleavingBuf : public std::stringbuf {
 public:
  explicit InterleavingBuf(std::function<void()> between) : between_(std::move(between)) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    between_();
    return std::stringbuf::xsputn(s, n);
  }

 private:
  std::function<void()> between_;
};

// Deterministic interleaving: a batch lands between every two writes of the exporter, i.e.
// between its reads of the database. The snapshot must still be the state when it began.
TEST_F(ConcurrentExportTest, WritesDuringTheScanAreNotSeen) {
  for (uint64_t k = 0; k < 20; ++k) ApplyBatch(k);
  uint64_t next = 20;
  InterleavingBuf buf([&] { ApplyBatch(next++); });
  std::ostream out(&buf);
  ASSERT_TRUE(ExportSnapshot(*store_, &out).ok());
  ASSERT_GT(next, 40u) << "the writes did not interleave with the scan";
  EXPECT_EQ(CheckOneMoment(buf.str()), 20u);
}

// A real writer thread against repeated exports (the TSan build checks the reads race with
// nothing). Each export must be one recorded state; the last one sees every batch.
TEST_F(ConcurrentExportTest, ExportsBesideAWriterThreadAreEachOneMoment) {
  constexpr uint64_t kBatches = 300;
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    for (uint64_t k = 0; k < kBatches; ++k) ApplyBatch(k);
    writer_done.store(true);
  });
  std::vector<std::string> exports;
  while (!writer_done.load()) {
    std::ostringstream out;
    absl::Status s = ExportSnapshot(*store_, &out);
    ASSERT_TRUE(s.ok()) << s;
    exports.push_back(out.str());
  }
  writer.join();
  std::ostringstream last;
  ASSERT_TRUE(ExportSnapshot(*store_, &last).ok());
  exports.push_back(last.str());
  uint64_t previous = 0;
  for (const std::string& text : exports) {
    const uint64_t k = CheckOneMoment(text);
    EXPECT_GE(k, previous) << "a later export saw an earlier state";
    previous = k;
  }
  EXPECT_EQ(previous, kBatches);
}

// The tool's export scans the store by path without loading it: the same bytes as the scan of
// the open store, and the open store's refusals.
TEST_F(ConcurrentExportTest, ExportByPathEqualsExportOfTheOpenStore) {
  for (uint64_t k = 0; k < 5; ++k) ApplyBatch(k);
  std::ostringstream open_export;
  ASSERT_TRUE(ExportSnapshot(*store_, &open_export).ok());
  store_.reset();  // RocksDB allows one open per database
  StoreOptions options;
  options.create_if_missing = false;
  std::ostringstream path_export;
  absl::Status s = ExportSnapshot(dir_.Sub("db"), options, &path_export);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(path_export.str(), open_export.str());
  EXPECT_EQ(CheckOneMoment(path_export.str()), 5u);

  std::ostringstream none;
  EXPECT_EQ(ExportSnapshot(dir_.Sub("missing"), options, &none).code(),
            absl::StatusCode::kNotFound);
  // Created but never initialized: not a state a snapshot can hold.
  {
    absl::StatusOr<std::unique_ptr<Store>> fresh = Store::Open(dir_.Sub("fresh"), StoreOptions{});
    ASSERT_TRUE(fresh.ok()) << fresh.status();
  }
  std::ostringstream fresh_export;
  EXPECT_EQ(ExportSnapshot(dir_.Sub("fresh"), options, &fresh_export).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace clearance
