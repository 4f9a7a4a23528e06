package io.rwkvx.server;

/**
 * A request the server refuses, answered with an HTTP status and OpenAI's error body
 * {@code {"error":{"message","type","param","code"}}}.
 *
 * @see Json#error
 */
final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;

    final int status;
    final String type;
    final String param;
    final String code;

    ApiError(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: a field the request got wrong, named by {@code param}. */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, null, message);
    }

    /** 400 with a code, e.g. {@code context_length_exceeded}. */
    static ApiError invalid(String param, String code, String message) {
        return new ApiError(400, "invalid_request_error", param, code, message);
    }
}
