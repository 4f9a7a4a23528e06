// Thread-local last-error message and the exception type that carries a status to the API boundary.
#pragma once
#include <stdexcept>
#include <string>
#include "rwkvx.h"

namespace rwkvx {

// Thrown inside the library; converted to a status + last-error message at the C boundary.
struct Error : std::runtime_error {
    rwkvx_status status;
    Error(rwkvx_status s, const std::string &msg) : std::runtime_error(msg), status(s) {}
};

[[noreturn]] void fail(rwkvx_status status, const std::string &message);
void set_last_error(const std::string &message);
void clear_last_error();
const char *last_error_cstr();

// Runs body, turning every exception into a status; the only way API functions return.
template <typename F>
rwkvx_status guarded(const char *function, F &&body) noexcept {
    try {
        clear_last_error();
        body();
        return RWKVX_OK;
    } catch (const Error &e) {
        set_last_error(std::string(function) + ": " + e.what());
        return e.status;
    } catch (const std::bad_alloc &) {
        set_last_error(std::string(function) + ": out of memory");
        return RWKVX_ERROR_OUT_OF_MEMORY;
    } catch (const std::exception &e) {
        set_last_error(std::string(function) + ": internal error: " + e.what());
        return RWKVX_ERROR_INTERNAL;
    } catch (...) {
        set_last_error(std::string(function) + ": internal error (unknown exception)");
        return RWKVX_ERROR_INTERNAL;
    }
}

#define RWKVX_REQUIRE_ARG(cond, msg)                           \
    do {                                                       \
        if (!(cond)) ::rwkvx::fail(RWKVX_ERROR_ARGUMENT, msg); \
    } while (0)

}  // namespace rwkvx
