#include "internal/key_fetch_thread.h"

#include <utility>

namespace clearance::token_internal {

KeyFetchThread::KeyFetchThread() : thread_([this] { Run(); }) {}

KeyFetchThread::~KeyFetchThread() {
  {
    sync_internal::MutexLock lock(&mu_);
    stopping_ = true;
    tasks_.clear();
  }
  wake_.notify_one();
  thread_.join();
}

void KeyFetchThread::Schedule(std::function<void()> task) {
  {
    sync_internal::MutexLock lock(&mu_);
    if (stopping_) return;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void KeyFetchThread::Run() {
  mu_.Lock();
  while (true) {
    while (!stopping_ && tasks_.empty()) wake_.wait(mu_);
    if (stopping_) break;
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    mu_.Unlock();
    task();
    mu_.Lock();
  }
  mu_.Unlock();
}

}  // namespace clearance::token_internal
