#include "common/errors.h"

namespace rwkvx {

namespace {
thread_local std::string last_error;
}

void fail(rwkvx_status status, const std::string &message) {
    throw Error(status, message);
}

void set_last_error(const std::string &message) {
    last_error = message;
}

void clear_last_error() {
    last_error.clear();
}

const char *last_error_cstr() {
    return last_error.c_str();
}

}  // namespace rwkvx
