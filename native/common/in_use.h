// What lets a handle refuse overlapping use instead of being corrupted by it (the thread-safety
// contract at the top of rwkvx.h): the in-use flag that a call on a state or KV cache holds for its
// duration, the count of a model's or context's dependents and calls in flight, and a value (a size,
// a length) that calls publish for lock-free readers.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>

#include "common/errors.h"

namespace rwkvx {

// A handle's in-use flag. One call holds it at a time; another call fails at once with
// RWKVX_ERROR_IN_USE: nothing ever waits for a handle, so no pair of calls can deadlock. A copy of a
// handle's struct is a new handle, so a copied flag starts free.
class InUseFlag {
  public:
    InUseFlag() = default;
    InUseFlag(const InUseFlag &) noexcept {}
    InUseFlag &operator=(const InUseFlag &) noexcept { return *this; }

    // True when this call now holds the flag. Acquire: the call sees everything the previous holder wrote.
    bool try_acquire() noexcept { return !busy_.exchange(true, std::memory_order_acquire); }
    // Release: the next holder (or the thread that frees the handle) sees everything this call wrote.
    void release() noexcept { busy_.store(false, std::memory_order_release); }

  private:
    std::atomic<bool> busy_{false};
};

// Holds a flag for a scope, or throws RWKVX_ERROR_IN_USE "another call is using <what>" (guarded()
// puts the function's name in front).
class InUseScope {
  public:
    InUseScope(InUseFlag &flag, const char *what) : flag_(flag) {
        if (!flag.try_acquire())
            fail(RWKVX_ERROR_IN_USE,
                 std::string("another call is using ") + what + " (a handle serves one call at a time)");
    }
    ~InUseScope() { flag_.release(); }
    InUseScope(const InUseScope &) = delete;
    InUseScope &operator=(const InUseScope &) = delete;

  private:
    InUseFlag &flag_;
};

// The number of things that keep a handle from being freed: its live dependents plus the calls in
// flight that use it without holding a dependent. A *_free refuses while it is not 0.
// Sequentially consistent: a dependent's last use happens before the free that sees the count at 0.
class UseCount {
  public:
    void add() noexcept { n_.fetch_add(1); }
    void remove() noexcept { n_.fetch_sub(1); }
    int64_t get() const noexcept { return n_.load(); }

  private:
    std::atomic<int64_t> n_{0};
};

// Counts one call in flight on a UseCount for a scope.
class CallScope {
  public:
    explicit CallScope(UseCount &count) : count_(count) { count_.add(); }
    ~CallScope() { count_.remove(); }
    CallScope(const CallScope &) = delete;
    CallScope &operator=(const CallScope &) = delete;

  private:
    UseCount &count_;
};

// A value that calls holding a handle publish and any thread reads without waiting (the export size
// of a state, the length of a KV cache as of the last call that completed). Copies copy the value.
class Published {
  public:
    Published() = default;
    Published(const Published &o) noexcept : v_(o.get()) {}
    Published &operator=(const Published &o) noexcept {
        set(o.get());
        return *this;
    }
    void set(int64_t v) noexcept { v_.store(v, std::memory_order_release); }
    int64_t get() const noexcept { return v_.load(std::memory_order_acquire); }

  private:
    std::atomic<int64_t> v_{0};
};

}  // namespace rwkvx
