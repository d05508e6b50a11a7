#include "internal/key_fetch_thread.h"

#include <utility>

namespace clearance::token_internal {

KeyFetchThread::KeyFetchThread() : thread_([this] { Run(); }) {}

KeyFetchThread::~KeyFetchThread() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    tasks_.clear();
  }
  wake_.notify_one();
  thread_.join();
}

void KeyFetchThread::Schedule(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void KeyFetchThread::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (stopping_) return;
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace clearance::token_internal
