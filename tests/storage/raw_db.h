// Opens a store's RocksDB directly, bypassing Store, so tests can tamper with rows.
#ifndef CLEARANCE_TESTS_STORAGE_RAW_DB_H_
#define CLEARANCE_TESTS_STORAGE_RAW_DB_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "internal/keys.h"
#include "rocksdb/db.h"

namespace clearance::storage_test {

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    std::vector<std::string> names;
    rocksdb::Options options;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(options, path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, path, descriptors, &handles_, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(raw);
    for (size_t i = 0; i < handles_.size(); ++i) by_name_[names[i]] = handles_[i];
  }
  ~RawDb() {
    for (auto* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);  // test teardown
    (void)db_->Close();
  }
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* family(std::string_view name) {
    return by_name_.at(std::string(name));
  }
  void Put(std::string_view family_name, const std::string& key, const std::string& value) {
    rocksdb::WriteOptions w;
    w.sync = true;
    ASSERT_TRUE(db_->Put(w, family(family_name), key, value).ok());
  }
  void Delete(std::string_view family_name, const std::string& key) {
    rocksdb::WriteOptions w;
    w.sync = true;
    ASSERT_TRUE(db_->Delete(w, family(family_name), key).ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

}  // namespace clearance::storage_test

#endif  // CLEARANCE_TESTS_STORAGE_RAW_DB_H_
