// Generated in jextract's form (jextract 22, --header-class-name rwkvx_h) from include/rwkvx.h;
// regenerate with bin/regenerate-bindings. Do not edit: BindingsSyncTest checks this file against the header.

package io.rwkvx.ffi;

import java.lang.invoke.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

import static java.lang.foreign.ValueLayout.*;
import static java.lang.foreign.MemoryLayout.PathElement.*;

public class rwkvx_h {

    rwkvx_h() {
        // Should not be called directly
    }

    static final Arena LIBRARY_ARENA = Arena.ofAuto();
    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

    static void traceDowncall(String name, Object... args) {
         String traceArgs = Arrays.stream(args)
                       .map(Object::toString)
                       .collect(Collectors.joining(", "));
         System.out.printf("%s(%s)\n", name, traceArgs);
    }

    static MemorySegment findOrThrow(String symbol) {
        return SYMBOL_LOOKUP.find(symbol)
            .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + symbol));
    }

    static MethodHandle upcallHandle(Class<?> fi, String name, FunctionDescriptor fdesc) {
        try {
            return MethodHandles.lookup().findVirtual(fi, name, fdesc.toMethodType());
        } catch (ReflectiveOperationException ex) {
            throw new AssertionError(ex);
        }
    }

    static MemoryLayout align(MemoryLayout layout, long align) {
        return switch (layout) {
            case PaddingLayout p -> p;
            case ValueLayout v -> v.withByteAlignment(align);
            case GroupLayout g -> {
                MemoryLayout[] alignedMembers = g.memberLayouts().stream()
                        .map(m -> align(m, align)).toArray(MemoryLayout[]::new);
                yield g instanceof StructLayout ?
                        MemoryLayout.structLayout(alignedMembers) : MemoryLayout.unionLayout(alignedMembers);
            }
            case SequenceLayout s -> MemoryLayout.sequenceLayout(s.elementCount(), align(s.elementLayout(), align));
        };
    }

    static final SymbolLookup SYMBOL_LOOKUP = SymbolLookup.loaderLookup()
            .or(Linker.nativeLinker().defaultLookup());

    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, JAVA_BYTE));
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    private static final int RWKVX_ABI_VERSION = (int)5L;
    /**
     * {@snippet lang=c :
     * #define RWKVX_ABI_VERSION 5
     * }
     */
    public static int RWKVX_ABI_VERSION() {
        return RWKVX_ABI_VERSION;
    }
    private static final int RWKVX_OK = (int)0L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_status.RWKVX_OK = 0
     * }
     */
    public static int RWKVX_OK() {
        return RWKVX_OK;
    }
    private static final int RWKVX_ERROR_ARGUMENT = (int)1L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_status.RWKVX_ERROR_ARGUMENT = 1
     * }
     */
    public static int RWKVX_ERROR_ARGUMENT() {
        return RWKVX_ERROR_ARGUMENT;
    }
    private static final int RWKVX_ERROR_SHAPE = (int)2L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_status.RWKVX_ERROR_SHAPE = 2
     * }
     */
    public static int RWKVX_ERROR_SHAPE() {
        return RWKVX_ERROR_SHAPE;
    }
    private static final int RWKVX_ERROR_MISSING_TENSOR = (int)3L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_status.RWKVX_ERROR_MISSING_TENSOR = 3
     * }
     */
    public static int RWKVX_ERROR_MISSING_TENSOR() {
        return RWKVX_ERROR_MISSING_TENSOR;
    }
    private static final int RWKVX_ERROR_UNSUPPORTED = (int)4L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_status.RWKVX_ERROR_UNSUPPORTED = 4
     * }
     */
    public static int RWKVX_ERROR_UNSUPPORTED() {
        return RWKVX_ERROR_UNSUPPORTED;
    }
    private static final int RWKVX_ERROR_OUT_OF_MEMORY = (int)5L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_status.RWKVX_ERROR_OUT_OF_MEMORY = 5
     * }
     */
    public static int RWKVX_ERROR_OUT_OF_MEMORY() {
        return RWKVX_ERROR_OUT_OF_MEMORY;
    }
    private static final int RWKVX_ERROR_BACKEND = (int)6L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_status.RWKVX_ERROR_BACKEND = 6
     * }
     */
    public static int RWKVX_ERROR_BACKEND() {
        return RWKVX_ERROR_BACKEND;
    }
    private static final int RWKVX_ERROR_INTERNAL = (int)7L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_status.RWKVX_ERROR_INTERNAL = 7
     * }
     */
    public static int RWKVX_ERROR_INTERNAL() {
        return RWKVX_ERROR_INTERNAL;
    }
    private static final int RWKVX_ERROR_IN_USE = (int)8L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_status.RWKVX_ERROR_IN_USE = 8
     * }
     */
    public static int RWKVX_ERROR_IN_USE() {
        return RWKVX_ERROR_IN_USE;
    }
    private static final int RWKVX_DTYPE_F32 = (int)0L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_dtype.RWKVX_DTYPE_F32 = 0
     * }
     */
    public static int RWKVX_DTYPE_F32() {
        return RWKVX_DTYPE_F32;
    }
    private static final int RWKVX_DTYPE_F16 = (int)1L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_dtype.RWKVX_DTYPE_F16 = 1
     * }
     */
    public static int RWKVX_DTYPE_F16() {
        return RWKVX_DTYPE_F16;
    }
    private static final int RWKVX_DTYPE_BF16 = (int)2L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_dtype.RWKVX_DTYPE_BF16 = 2
     * }
     */
    public static int RWKVX_DTYPE_BF16() {
        return RWKVX_DTYPE_BF16;
    }
    private static final int RWKVX_DTYPE_Q4_0 = (int)3L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_dtype.RWKVX_DTYPE_Q4_0 = 3
     * }
     */
    public static int RWKVX_DTYPE_Q4_0() {
        return RWKVX_DTYPE_Q4_0;
    }
    private static final int RWKVX_DTYPE_Q4_1 = (int)4L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_dtype.RWKVX_DTYPE_Q4_1 = 4
     * }
     */
    public static int RWKVX_DTYPE_Q4_1() {
        return RWKVX_DTYPE_Q4_1;
    }
    private static final int RWKVX_DTYPE_Q5_0 = (int)5L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_dtype.RWKVX_DTYPE_Q5_0 = 5
     * }
     */
    public static int RWKVX_DTYPE_Q5_0() {
        return RWKVX_DTYPE_Q5_0;
    }
    private static final int RWKVX_DTYPE_Q5_1 = (int)6L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_dtype.RWKVX_DTYPE_Q5_1 = 6
     * }
     */
    public static int RWKVX_DTYPE_Q5_1() {
        return RWKVX_DTYPE_Q5_1;
    }
    private static final int RWKVX_DTYPE_Q8_0 = (int)7L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_dtype.RWKVX_DTYPE_Q8_0 = 7
     * }
     */
    public static int RWKVX_DTYPE_Q8_0() {
        return RWKVX_DTYPE_Q8_0;
    }
    private static final int RWKVX_BACKEND_AUTO = (int)0L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_backend.RWKVX_BACKEND_AUTO = 0
     * }
     */
    public static int RWKVX_BACKEND_AUTO() {
        return RWKVX_BACKEND_AUTO;
    }
    private static final int RWKVX_BACKEND_CPU = (int)1L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_backend.RWKVX_BACKEND_CPU = 1
     * }
     */
    public static int RWKVX_BACKEND_CPU() {
        return RWKVX_BACKEND_CPU;
    }
    private static final int RWKVX_BACKEND_CUDA = (int)2L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_backend.RWKVX_BACKEND_CUDA = 2
     * }
     */
    public static int RWKVX_BACKEND_CUDA() {
        return RWKVX_BACKEND_CUDA;
    }
    private static final int RWKVX_MEMORY_HOST = (int)0L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_memory.RWKVX_MEMORY_HOST = 0
     * }
     */
    public static int RWKVX_MEMORY_HOST() {
        return RWKVX_MEMORY_HOST;
    }
    private static final int RWKVX_MEMORY_DEVICE = (int)1L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_memory.RWKVX_MEMORY_DEVICE = 1
     * }
     */
    public static int RWKVX_MEMORY_DEVICE() {
        return RWKVX_MEMORY_DEVICE;
    }
    private static final int RWKVX_CONTEXT_FORCE_SCALAR = (int)1L;
    /**
     * {@snippet lang=c :
     * #define RWKVX_CONTEXT_FORCE_SCALAR 1
     * }
     */
    public static int RWKVX_CONTEXT_FORCE_SCALAR() {
        return RWKVX_CONTEXT_FORCE_SCALAR;
    }
    private static final int RWKVX_CONTEXT_RESIDENT_WEIGHTS = (int)2L;
    /**
     * {@snippet lang=c :
     * #define RWKVX_CONTEXT_RESIDENT_WEIGHTS 2
     * }
     */
    public static int RWKVX_CONTEXT_RESIDENT_WEIGHTS() {
        return RWKVX_CONTEXT_RESIDENT_WEIGHTS;
    }
    private static final int RWKVX_ARCH_RWKV4 = (int)4L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_arch.RWKVX_ARCH_RWKV4 = 4
     * }
     */
    public static int RWKVX_ARCH_RWKV4() {
        return RWKVX_ARCH_RWKV4;
    }
    private static final int RWKVX_ARCH_RWKV5 = (int)5L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_arch.RWKVX_ARCH_RWKV5 = 5
     * }
     */
    public static int RWKVX_ARCH_RWKV5() {
        return RWKVX_ARCH_RWKV5;
    }
    private static final int RWKVX_ARCH_RWKV6 = (int)6L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_arch.RWKVX_ARCH_RWKV6 = 6
     * }
     */
    public static int RWKVX_ARCH_RWKV6() {
        return RWKVX_ARCH_RWKV6;
    }
    private static final int RWKVX_ARCH_RWKV7 = (int)7L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_arch.RWKVX_ARCH_RWKV7 = 7
     * }
     */
    public static int RWKVX_ARCH_RWKV7() {
        return RWKVX_ARCH_RWKV7;
    }
    private static final int RWKVX_ARCH_HYBRID = (int)8L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_arch.RWKVX_ARCH_HYBRID = 8
     * }
     */
    public static int RWKVX_ARCH_HYBRID() {
        return RWKVX_ARCH_HYBRID;
    }
    private static final int RWKVX_LOGITS_NONE = (int)0L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_logits_mode.RWKVX_LOGITS_NONE = 0
     * }
     */
    public static int RWKVX_LOGITS_NONE() {
        return RWKVX_LOGITS_NONE;
    }
    private static final int RWKVX_LOGITS_LAST = (int)1L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_logits_mode.RWKVX_LOGITS_LAST = 1
     * }
     */
    public static int RWKVX_LOGITS_LAST() {
        return RWKVX_LOGITS_LAST;
    }
    private static final int RWKVX_LOGITS_ALL = (int)2L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_logits_mode.RWKVX_LOGITS_ALL = 2
     * }
     */
    public static int RWKVX_LOGITS_ALL() {
        return RWKVX_LOGITS_ALL;
    }
    private static final int RWKVX_CPU_AVX2 = (int)1L;
    /**
     * {@snippet lang=c :
     * #define RWKVX_CPU_AVX2 1
     * }
     */
    public static int RWKVX_CPU_AVX2() {
        return RWKVX_CPU_AVX2;
    }
    private static final int RWKVX_CPU_FMA = (int)2L;
    /**
     * {@snippet lang=c :
     * #define RWKVX_CPU_FMA 2
     * }
     */
    public static int RWKVX_CPU_FMA() {
        return RWKVX_CPU_FMA;
    }
    private static final int RWKVX_CPU_F16C = (int)4L;
    /**
     * {@snippet lang=c :
     * #define RWKVX_CPU_F16C 4
     * }
     */
    public static int RWKVX_CPU_F16C() {
        return RWKVX_CPU_F16C;
    }
    private static final int RWKVX_CPU_AVX512F = (int)8L;
    /**
     * {@snippet lang=c :
     * #define RWKVX_CPU_AVX512F 8
     * }
     */
    public static int RWKVX_CPU_AVX512F() {
        return RWKVX_CPU_AVX512F;
    }

    private static class rwkvx_last_error {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_last_error");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *rwkvx_last_error()
     * }
     */
    public static FunctionDescriptor rwkvx_last_error$descriptor() {
        return rwkvx_last_error.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *rwkvx_last_error()
     * }
     */
    public static MethodHandle rwkvx_last_error$handle() {
        return rwkvx_last_error.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *rwkvx_last_error()
     * }
     */
    public static MemorySegment rwkvx_last_error$address() {
        return rwkvx_last_error.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *rwkvx_last_error()
     * }
     */
    public static MemorySegment rwkvx_last_error() {
        var mh$ = rwkvx_last_error.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_last_error");
            }
            return (MemorySegment)mh$.invokeExact();
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_status_name {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_POINTER,
            rwkvx_h.C_INT
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_status_name");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *rwkvx_status_name(int32_t status)
     * }
     */
    public static FunctionDescriptor rwkvx_status_name$descriptor() {
        return rwkvx_status_name.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *rwkvx_status_name(int32_t status)
     * }
     */
    public static MethodHandle rwkvx_status_name$handle() {
        return rwkvx_status_name.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *rwkvx_status_name(int32_t status)
     * }
     */
    public static MemorySegment rwkvx_status_name$address() {
        return rwkvx_status_name.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *rwkvx_status_name(int32_t status)
     * }
     */
    public static MemorySegment rwkvx_status_name(int status) {
        var mh$ = rwkvx_status_name.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_status_name", status);
            }
            return (MemorySegment)mh$.invokeExact(status);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_version {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_version");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *rwkvx_version()
     * }
     */
    public static FunctionDescriptor rwkvx_version$descriptor() {
        return rwkvx_version.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *rwkvx_version()
     * }
     */
    public static MethodHandle rwkvx_version$handle() {
        return rwkvx_version.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *rwkvx_version()
     * }
     */
    public static MemorySegment rwkvx_version$address() {
        return rwkvx_version.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *rwkvx_version()
     * }
     */
    public static MemorySegment rwkvx_version() {
        var mh$ = rwkvx_version.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_version");
            }
            return (MemorySegment)mh$.invokeExact();
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_abi_version {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_abi_version");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t rwkvx_abi_version()
     * }
     */
    public static FunctionDescriptor rwkvx_abi_version$descriptor() {
        return rwkvx_abi_version.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t rwkvx_abi_version()
     * }
     */
    public static MethodHandle rwkvx_abi_version$handle() {
        return rwkvx_abi_version.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t rwkvx_abi_version()
     * }
     */
    public static MemorySegment rwkvx_abi_version$address() {
        return rwkvx_abi_version.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t rwkvx_abi_version()
     * }
     */
    public static int rwkvx_abi_version() {
        var mh$ = rwkvx_abi_version.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_abi_version");
            }
            return (int)mh$.invokeExact();
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_live_handles {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_LONG
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_live_handles");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int64_t rwkvx_live_handles()
     * }
     */
    public static FunctionDescriptor rwkvx_live_handles$descriptor() {
        return rwkvx_live_handles.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int64_t rwkvx_live_handles()
     * }
     */
    public static MethodHandle rwkvx_live_handles$handle() {
        return rwkvx_live_handles.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int64_t rwkvx_live_handles()
     * }
     */
    public static MemorySegment rwkvx_live_handles$address() {
        return rwkvx_live_handles.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int64_t rwkvx_live_handles()
     * }
     */
    public static long rwkvx_live_handles() {
        var mh$ = rwkvx_live_handles.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_live_handles");
            }
            return (long)mh$.invokeExact();
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_cpu_features {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_cpu_features");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * uint32_t rwkvx_cpu_features()
     * }
     */
    public static FunctionDescriptor rwkvx_cpu_features$descriptor() {
        return rwkvx_cpu_features.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * uint32_t rwkvx_cpu_features()
     * }
     */
    public static MethodHandle rwkvx_cpu_features$handle() {
        return rwkvx_cpu_features.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * uint32_t rwkvx_cpu_features()
     * }
     */
    public static MemorySegment rwkvx_cpu_features$address() {
        return rwkvx_cpu_features.ADDR;
    }

    /**
     * {@snippet lang=c :
     * uint32_t rwkvx_cpu_features()
     * }
     */
    public static int rwkvx_cpu_features() {
        var mh$ = rwkvx_cpu_features.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_cpu_features");
            }
            return (int)mh$.invokeExact();
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_dtype_bytes {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_LONG,
            rwkvx_h.C_INT,
            rwkvx_h.C_LONG
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_dtype_bytes");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int64_t rwkvx_dtype_bytes(int32_t dtype, int64_t n)
     * }
     */
    public static FunctionDescriptor rwkvx_dtype_bytes$descriptor() {
        return rwkvx_dtype_bytes.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int64_t rwkvx_dtype_bytes(int32_t dtype, int64_t n)
     * }
     */
    public static MethodHandle rwkvx_dtype_bytes$handle() {
        return rwkvx_dtype_bytes.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int64_t rwkvx_dtype_bytes(int32_t dtype, int64_t n)
     * }
     */
    public static MemorySegment rwkvx_dtype_bytes$address() {
        return rwkvx_dtype_bytes.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int64_t rwkvx_dtype_bytes(int32_t dtype, int64_t n)
     * }
     */
    public static long rwkvx_dtype_bytes(int dtype, long n) {
        var mh$ = rwkvx_dtype_bytes.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_dtype_bytes", dtype, n);
            }
            return (long)mh$.invokeExact(dtype, n);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_quantize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_quantize");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_quantize(int32_t dtype, const float *src, int64_t n, void *dst, int64_t dst_bytes)
     * }
     */
    public static FunctionDescriptor rwkvx_quantize$descriptor() {
        return rwkvx_quantize.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_quantize(int32_t dtype, const float *src, int64_t n, void *dst, int64_t dst_bytes)
     * }
     */
    public static MethodHandle rwkvx_quantize$handle() {
        return rwkvx_quantize.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_quantize(int32_t dtype, const float *src, int64_t n, void *dst, int64_t dst_bytes)
     * }
     */
    public static MemorySegment rwkvx_quantize$address() {
        return rwkvx_quantize.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_quantize(int32_t dtype, const float *src, int64_t n, void *dst, int64_t dst_bytes)
     * }
     */
    public static int rwkvx_quantize(int dtype, MemorySegment src, long n, MemorySegment dst, long dst_bytes) {
        var mh$ = rwkvx_quantize.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_quantize", dtype, src, n, dst, dst_bytes);
            }
            return (int)mh$.invokeExact(dtype, src, n, dst, dst_bytes);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_dequantize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_dequantize");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_dequantize(int32_t dtype, const void *src, int64_t n, float *dst)
     * }
     */
    public static FunctionDescriptor rwkvx_dequantize$descriptor() {
        return rwkvx_dequantize.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_dequantize(int32_t dtype, const void *src, int64_t n, float *dst)
     * }
     */
    public static MethodHandle rwkvx_dequantize$handle() {
        return rwkvx_dequantize.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_dequantize(int32_t dtype, const void *src, int64_t n, float *dst)
     * }
     */
    public static MemorySegment rwkvx_dequantize$address() {
        return rwkvx_dequantize.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_dequantize(int32_t dtype, const void *src, int64_t n, float *dst)
     * }
     */
    public static int rwkvx_dequantize(int dtype, MemorySegment src, long n, MemorySegment dst) {
        var mh$ = rwkvx_dequantize.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_dequantize", dtype, src, n, dst);
            }
            return (int)mh$.invokeExact(dtype, src, n, dst);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_context_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_INT,
            rwkvx_h.C_INT,
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_context_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_create(int32_t backend, int32_t n_threads, int32_t flags, rwkvx_context **out_ctx)
     * }
     */
    public static FunctionDescriptor rwkvx_context_create$descriptor() {
        return rwkvx_context_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_create(int32_t backend, int32_t n_threads, int32_t flags, rwkvx_context **out_ctx)
     * }
     */
    public static MethodHandle rwkvx_context_create$handle() {
        return rwkvx_context_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_create(int32_t backend, int32_t n_threads, int32_t flags, rwkvx_context **out_ctx)
     * }
     */
    public static MemorySegment rwkvx_context_create$address() {
        return rwkvx_context_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_create(int32_t backend, int32_t n_threads, int32_t flags, rwkvx_context **out_ctx)
     * }
     */
    public static int rwkvx_context_create(int backend, int n_threads, int flags, MemorySegment out_ctx) {
        var mh$ = rwkvx_context_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_context_create", backend, n_threads, flags, out_ctx);
            }
            return (int)mh$.invokeExact(backend, n_threads, flags, out_ctx);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_context_free {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_context_free");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_free(rwkvx_context *ctx)
     * }
     */
    public static FunctionDescriptor rwkvx_context_free$descriptor() {
        return rwkvx_context_free.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_free(rwkvx_context *ctx)
     * }
     */
    public static MethodHandle rwkvx_context_free$handle() {
        return rwkvx_context_free.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_free(rwkvx_context *ctx)
     * }
     */
    public static MemorySegment rwkvx_context_free$address() {
        return rwkvx_context_free.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_free(rwkvx_context *ctx)
     * }
     */
    public static int rwkvx_context_free(MemorySegment ctx) {
        var mh$ = rwkvx_context_free.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_context_free", ctx);
            }
            return (int)mh$.invokeExact(ctx);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_context_describe {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_context_describe");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *rwkvx_context_describe(const rwkvx_context *ctx)
     * }
     */
    public static FunctionDescriptor rwkvx_context_describe$descriptor() {
        return rwkvx_context_describe.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *rwkvx_context_describe(const rwkvx_context *ctx)
     * }
     */
    public static MethodHandle rwkvx_context_describe$handle() {
        return rwkvx_context_describe.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *rwkvx_context_describe(const rwkvx_context *ctx)
     * }
     */
    public static MemorySegment rwkvx_context_describe$address() {
        return rwkvx_context_describe.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *rwkvx_context_describe(const rwkvx_context *ctx)
     * }
     */
    public static MemorySegment rwkvx_context_describe(MemorySegment ctx) {
        var mh$ = rwkvx_context_describe.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_context_describe", ctx);
            }
            return (MemorySegment)mh$.invokeExact(ctx);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_context_threads {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_context_threads");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t rwkvx_context_threads(const rwkvx_context *ctx)
     * }
     */
    public static FunctionDescriptor rwkvx_context_threads$descriptor() {
        return rwkvx_context_threads.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t rwkvx_context_threads(const rwkvx_context *ctx)
     * }
     */
    public static MethodHandle rwkvx_context_threads$handle() {
        return rwkvx_context_threads.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t rwkvx_context_threads(const rwkvx_context *ctx)
     * }
     */
    public static MemorySegment rwkvx_context_threads$address() {
        return rwkvx_context_threads.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t rwkvx_context_threads(const rwkvx_context *ctx)
     * }
     */
    public static int rwkvx_context_threads(MemorySegment ctx) {
        var mh$ = rwkvx_context_threads.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_context_threads", ctx);
            }
            return (int)mh$.invokeExact(ctx);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_context_backend {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_context_backend");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int32_t rwkvx_context_backend(const rwkvx_context *ctx)
     * }
     */
    public static FunctionDescriptor rwkvx_context_backend$descriptor() {
        return rwkvx_context_backend.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int32_t rwkvx_context_backend(const rwkvx_context *ctx)
     * }
     */
    public static MethodHandle rwkvx_context_backend$handle() {
        return rwkvx_context_backend.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int32_t rwkvx_context_backend(const rwkvx_context *ctx)
     * }
     */
    public static MemorySegment rwkvx_context_backend$address() {
        return rwkvx_context_backend.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int32_t rwkvx_context_backend(const rwkvx_context *ctx)
     * }
     */
    public static int rwkvx_context_backend(MemorySegment ctx) {
        var mh$ = rwkvx_context_backend.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_context_backend", ctx);
            }
            return (int)mh$.invokeExact(ctx);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_context_set_stream {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_context_set_stream");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_set_stream(rwkvx_context *ctx, void *stream)
     * }
     */
    public static FunctionDescriptor rwkvx_context_set_stream$descriptor() {
        return rwkvx_context_set_stream.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_set_stream(rwkvx_context *ctx, void *stream)
     * }
     */
    public static MethodHandle rwkvx_context_set_stream$handle() {
        return rwkvx_context_set_stream.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_set_stream(rwkvx_context *ctx, void *stream)
     * }
     */
    public static MemorySegment rwkvx_context_set_stream$address() {
        return rwkvx_context_set_stream.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_set_stream(rwkvx_context *ctx, void *stream)
     * }
     */
    public static int rwkvx_context_set_stream(MemorySegment ctx, MemorySegment stream) {
        var mh$ = rwkvx_context_set_stream.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_context_set_stream", ctx, stream);
            }
            return (int)mh$.invokeExact(ctx, stream);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_context_synchronize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_context_synchronize");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_synchronize(rwkvx_context *ctx, uint32_t *diagnostics)
     * }
     */
    public static FunctionDescriptor rwkvx_context_synchronize$descriptor() {
        return rwkvx_context_synchronize.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_synchronize(rwkvx_context *ctx, uint32_t *diagnostics)
     * }
     */
    public static MethodHandle rwkvx_context_synchronize$handle() {
        return rwkvx_context_synchronize.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_synchronize(rwkvx_context *ctx, uint32_t *diagnostics)
     * }
     */
    public static MemorySegment rwkvx_context_synchronize$address() {
        return rwkvx_context_synchronize.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_context_synchronize(rwkvx_context *ctx, uint32_t *diagnostics)
     * }
     */
    public static int rwkvx_context_synchronize(MemorySegment ctx, MemorySegment diagnostics) {
        var mh$ = rwkvx_context_synchronize.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_context_synchronize", ctx, diagnostics);
            }
            return (int)mh$.invokeExact(ctx, diagnostics);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_model_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_model_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_create(rwkvx_context *ctx, int32_t arch, const rwkvx_named_tensor *tensors, int64_t n_tensors, rwkvx_model **out_model)
     * }
     */
    public static FunctionDescriptor rwkvx_model_create$descriptor() {
        return rwkvx_model_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_create(rwkvx_context *ctx, int32_t arch, const rwkvx_named_tensor *tensors, int64_t n_tensors, rwkvx_model **out_model)
     * }
     */
    public static MethodHandle rwkvx_model_create$handle() {
        return rwkvx_model_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_create(rwkvx_context *ctx, int32_t arch, const rwkvx_named_tensor *tensors, int64_t n_tensors, rwkvx_model **out_model)
     * }
     */
    public static MemorySegment rwkvx_model_create$address() {
        return rwkvx_model_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_create(rwkvx_context *ctx, int32_t arch, const rwkvx_named_tensor *tensors, int64_t n_tensors, rwkvx_model **out_model)
     * }
     */
    public static int rwkvx_model_create(MemorySegment ctx, int arch, MemorySegment tensors, long n_tensors, MemorySegment out_model) {
        var mh$ = rwkvx_model_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_model_create", ctx, arch, tensors, n_tensors, out_model);
            }
            return (int)mh$.invokeExact(ctx, arch, tensors, n_tensors, out_model);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_model_free {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_model_free");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_free(rwkvx_model *model)
     * }
     */
    public static FunctionDescriptor rwkvx_model_free$descriptor() {
        return rwkvx_model_free.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_free(rwkvx_model *model)
     * }
     */
    public static MethodHandle rwkvx_model_free$handle() {
        return rwkvx_model_free.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_free(rwkvx_model *model)
     * }
     */
    public static MemorySegment rwkvx_model_free$address() {
        return rwkvx_model_free.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_free(rwkvx_model *model)
     * }
     */
    public static int rwkvx_model_free(MemorySegment model) {
        var mh$ = rwkvx_model_free.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_model_free", model);
            }
            return (int)mh$.invokeExact(model);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_model_get_info {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_model_get_info");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_get_info(const rwkvx_model *model, rwkvx_model_info *out)
     * }
     */
    public static FunctionDescriptor rwkvx_model_get_info$descriptor() {
        return rwkvx_model_get_info.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_get_info(const rwkvx_model *model, rwkvx_model_info *out)
     * }
     */
    public static MethodHandle rwkvx_model_get_info$handle() {
        return rwkvx_model_get_info.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_get_info(const rwkvx_model *model, rwkvx_model_info *out)
     * }
     */
    public static MemorySegment rwkvx_model_get_info$address() {
        return rwkvx_model_get_info.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_get_info(const rwkvx_model *model, rwkvx_model_info *out)
     * }
     */
    public static int rwkvx_model_get_info(MemorySegment model, MemorySegment out) {
        var mh$ = rwkvx_model_get_info.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_model_get_info", model, out);
            }
            return (int)mh$.invokeExact(model, out);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_model_eval {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_INT
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_model_eval");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_eval(rwkvx_model *model, rwkvx_state *state, const int32_t *tokens, int64_t n_tokens, float *logits, int32_t logits_mode)
     * }
     */
    public static FunctionDescriptor rwkvx_model_eval$descriptor() {
        return rwkvx_model_eval.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_eval(rwkvx_model *model, rwkvx_state *state, const int32_t *tokens, int64_t n_tokens, float *logits, int32_t logits_mode)
     * }
     */
    public static MethodHandle rwkvx_model_eval$handle() {
        return rwkvx_model_eval.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_eval(rwkvx_model *model, rwkvx_state *state, const int32_t *tokens, int64_t n_tokens, float *logits, int32_t logits_mode)
     * }
     */
    public static MemorySegment rwkvx_model_eval$address() {
        return rwkvx_model_eval.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_eval(rwkvx_model *model, rwkvx_state *state, const int32_t *tokens, int64_t n_tokens, float *logits, int32_t logits_mode)
     * }
     */
    public static int rwkvx_model_eval(MemorySegment model, MemorySegment state, MemorySegment tokens, long n_tokens, MemorySegment logits, int logits_mode) {
        var mh$ = rwkvx_model_eval.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_model_eval", model, state, tokens, n_tokens, logits, logits_mode);
            }
            return (int)mh$.invokeExact(model, state, tokens, n_tokens, logits, logits_mode);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_model_eval_batch {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_model_eval_batch");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_eval_batch(rwkvx_model *model, const rwkvx_batch_item *items, int64_t n_items)
     * }
     */
    public static FunctionDescriptor rwkvx_model_eval_batch$descriptor() {
        return rwkvx_model_eval_batch.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_eval_batch(rwkvx_model *model, const rwkvx_batch_item *items, int64_t n_items)
     * }
     */
    public static MethodHandle rwkvx_model_eval_batch$handle() {
        return rwkvx_model_eval_batch.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_eval_batch(rwkvx_model *model, const rwkvx_batch_item *items, int64_t n_items)
     * }
     */
    public static MemorySegment rwkvx_model_eval_batch$address() {
        return rwkvx_model_eval_batch.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_eval_batch(rwkvx_model *model, const rwkvx_batch_item *items, int64_t n_items)
     * }
     */
    public static int rwkvx_model_eval_batch(MemorySegment model, MemorySegment items, long n_items) {
        var mh$ = rwkvx_model_eval_batch.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_model_eval_batch", model, items, n_items);
            }
            return (int)mh$.invokeExact(model, items, n_items);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_state_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_state_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_create(const rwkvx_model *model, rwkvx_state **out_state)
     * }
     */
    public static FunctionDescriptor rwkvx_state_create$descriptor() {
        return rwkvx_state_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_create(const rwkvx_model *model, rwkvx_state **out_state)
     * }
     */
    public static MethodHandle rwkvx_state_create$handle() {
        return rwkvx_state_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_create(const rwkvx_model *model, rwkvx_state **out_state)
     * }
     */
    public static MemorySegment rwkvx_state_create$address() {
        return rwkvx_state_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_create(const rwkvx_model *model, rwkvx_state **out_state)
     * }
     */
    public static int rwkvx_state_create(MemorySegment model, MemorySegment out_state) {
        var mh$ = rwkvx_state_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_state_create", model, out_state);
            }
            return (int)mh$.invokeExact(model, out_state);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_state_free {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_state_free");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_free(rwkvx_state *state)
     * }
     */
    public static FunctionDescriptor rwkvx_state_free$descriptor() {
        return rwkvx_state_free.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_free(rwkvx_state *state)
     * }
     */
    public static MethodHandle rwkvx_state_free$handle() {
        return rwkvx_state_free.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_free(rwkvx_state *state)
     * }
     */
    public static MemorySegment rwkvx_state_free$address() {
        return rwkvx_state_free.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_free(rwkvx_state *state)
     * }
     */
    public static int rwkvx_state_free(MemorySegment state) {
        var mh$ = rwkvx_state_free.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_state_free", state);
            }
            return (int)mh$.invokeExact(state);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_state_reset {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_state_reset");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_reset(rwkvx_state *state)
     * }
     */
    public static FunctionDescriptor rwkvx_state_reset$descriptor() {
        return rwkvx_state_reset.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_reset(rwkvx_state *state)
     * }
     */
    public static MethodHandle rwkvx_state_reset$handle() {
        return rwkvx_state_reset.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_reset(rwkvx_state *state)
     * }
     */
    public static MemorySegment rwkvx_state_reset$address() {
        return rwkvx_state_reset.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_reset(rwkvx_state *state)
     * }
     */
    public static int rwkvx_state_reset(MemorySegment state) {
        var mh$ = rwkvx_state_reset.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_state_reset", state);
            }
            return (int)mh$.invokeExact(state);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_state_copy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_state_copy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_copy(rwkvx_state *dst, const rwkvx_state *src)
     * }
     */
    public static FunctionDescriptor rwkvx_state_copy$descriptor() {
        return rwkvx_state_copy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_copy(rwkvx_state *dst, const rwkvx_state *src)
     * }
     */
    public static MethodHandle rwkvx_state_copy$handle() {
        return rwkvx_state_copy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_copy(rwkvx_state *dst, const rwkvx_state *src)
     * }
     */
    public static MemorySegment rwkvx_state_copy$address() {
        return rwkvx_state_copy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_copy(rwkvx_state *dst, const rwkvx_state *src)
     * }
     */
    public static int rwkvx_state_copy(MemorySegment dst, MemorySegment src) {
        var mh$ = rwkvx_state_copy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_state_copy", dst, src);
            }
            return (int)mh$.invokeExact(dst, src);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_state_size {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_LONG,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_state_size");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int64_t rwkvx_state_size(const rwkvx_state *state)
     * }
     */
    public static FunctionDescriptor rwkvx_state_size$descriptor() {
        return rwkvx_state_size.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int64_t rwkvx_state_size(const rwkvx_state *state)
     * }
     */
    public static MethodHandle rwkvx_state_size$handle() {
        return rwkvx_state_size.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int64_t rwkvx_state_size(const rwkvx_state *state)
     * }
     */
    public static MemorySegment rwkvx_state_size$address() {
        return rwkvx_state_size.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int64_t rwkvx_state_size(const rwkvx_state *state)
     * }
     */
    public static long rwkvx_state_size(MemorySegment state) {
        var mh$ = rwkvx_state_size.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_state_size", state);
            }
            return (long)mh$.invokeExact(state);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_state_export {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_state_export");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_export(const rwkvx_state *state, void *dst, int64_t dst_bytes)
     * }
     */
    public static FunctionDescriptor rwkvx_state_export$descriptor() {
        return rwkvx_state_export.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_export(const rwkvx_state *state, void *dst, int64_t dst_bytes)
     * }
     */
    public static MethodHandle rwkvx_state_export$handle() {
        return rwkvx_state_export.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_export(const rwkvx_state *state, void *dst, int64_t dst_bytes)
     * }
     */
    public static MemorySegment rwkvx_state_export$address() {
        return rwkvx_state_export.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_export(const rwkvx_state *state, void *dst, int64_t dst_bytes)
     * }
     */
    public static int rwkvx_state_export(MemorySegment state, MemorySegment dst, long dst_bytes) {
        var mh$ = rwkvx_state_export.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_state_export", state, dst, dst_bytes);
            }
            return (int)mh$.invokeExact(state, dst, dst_bytes);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_state_import {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_state_import");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_import(rwkvx_state *state, const void *src, int64_t src_bytes)
     * }
     */
    public static FunctionDescriptor rwkvx_state_import$descriptor() {
        return rwkvx_state_import.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_import(rwkvx_state *state, const void *src, int64_t src_bytes)
     * }
     */
    public static MethodHandle rwkvx_state_import$handle() {
        return rwkvx_state_import.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_import(rwkvx_state *state, const void *src, int64_t src_bytes)
     * }
     */
    public static MemorySegment rwkvx_state_import$address() {
        return rwkvx_state_import.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_state_import(rwkvx_state *state, const void *src, int64_t src_bytes)
     * }
     */
    public static int rwkvx_state_import(MemorySegment state, MemorySegment src, long src_bytes) {
        var mh$ = rwkvx_state_import.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_state_import", state, src, src_bytes);
            }
            return (int)mh$.invokeExact(state, src, src_bytes);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_matmul {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_matmul");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_matmul(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *w, rwkvx_tensor *y)
     * }
     */
    public static FunctionDescriptor rwkvx_matmul$descriptor() {
        return rwkvx_matmul.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_matmul(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *w, rwkvx_tensor *y)
     * }
     */
    public static MethodHandle rwkvx_matmul$handle() {
        return rwkvx_matmul.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_matmul(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *w, rwkvx_tensor *y)
     * }
     */
    public static MemorySegment rwkvx_matmul$address() {
        return rwkvx_matmul.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_matmul(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *w, rwkvx_tensor *y)
     * }
     */
    public static int rwkvx_matmul(MemorySegment ctx, MemorySegment x, MemorySegment w, MemorySegment y) {
        var mh$ = rwkvx_matmul.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_matmul", ctx, x, w, y);
            }
            return (int)mh$.invokeExact(ctx, x, w, y);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_group_norm {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_INT,
            rwkvx_h.C_FLOAT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_group_norm");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_group_norm(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *weight, const rwkvx_tensor *bias, int32_t n_groups, float eps, rwkvx_tensor *y)
     * }
     */
    public static FunctionDescriptor rwkvx_group_norm$descriptor() {
        return rwkvx_group_norm.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_group_norm(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *weight, const rwkvx_tensor *bias, int32_t n_groups, float eps, rwkvx_tensor *y)
     * }
     */
    public static MethodHandle rwkvx_group_norm$handle() {
        return rwkvx_group_norm.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_group_norm(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *weight, const rwkvx_tensor *bias, int32_t n_groups, float eps, rwkvx_tensor *y)
     * }
     */
    public static MemorySegment rwkvx_group_norm$address() {
        return rwkvx_group_norm.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_group_norm(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *weight, const rwkvx_tensor *bias, int32_t n_groups, float eps, rwkvx_tensor *y)
     * }
     */
    public static int rwkvx_group_norm(MemorySegment ctx, MemorySegment x, MemorySegment weight, MemorySegment bias, int n_groups, float eps, MemorySegment y) {
        var mh$ = rwkvx_group_norm.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_group_norm", ctx, x, weight, bias, n_groups, eps, y);
            }
            return (int)mh$.invokeExact(ctx, x, weight, bias, n_groups, eps, y);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_wkv7 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_wkv7");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv7(rwkvx_context *ctx, const rwkvx_wkv7_params *params)
     * }
     */
    public static FunctionDescriptor rwkvx_wkv7$descriptor() {
        return rwkvx_wkv7.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv7(rwkvx_context *ctx, const rwkvx_wkv7_params *params)
     * }
     */
    public static MethodHandle rwkvx_wkv7$handle() {
        return rwkvx_wkv7.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv7(rwkvx_context *ctx, const rwkvx_wkv7_params *params)
     * }
     */
    public static MemorySegment rwkvx_wkv7$address() {
        return rwkvx_wkv7.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv7(rwkvx_context *ctx, const rwkvx_wkv7_params *params)
     * }
     */
    public static int rwkvx_wkv7(MemorySegment ctx, MemorySegment params) {
        var mh$ = rwkvx_wkv7.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_wkv7", ctx, params);
            }
            return (int)mh$.invokeExact(ctx, params);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_wkv4 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_wkv4");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv4(rwkvx_context *ctx, const rwkvx_wkv4_params *params)
     * }
     */
    public static FunctionDescriptor rwkvx_wkv4$descriptor() {
        return rwkvx_wkv4.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv4(rwkvx_context *ctx, const rwkvx_wkv4_params *params)
     * }
     */
    public static MethodHandle rwkvx_wkv4$handle() {
        return rwkvx_wkv4.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv4(rwkvx_context *ctx, const rwkvx_wkv4_params *params)
     * }
     */
    public static MemorySegment rwkvx_wkv4$address() {
        return rwkvx_wkv4.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv4(rwkvx_context *ctx, const rwkvx_wkv4_params *params)
     * }
     */
    public static int rwkvx_wkv4(MemorySegment ctx, MemorySegment params) {
        var mh$ = rwkvx_wkv4.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_wkv4", ctx, params);
            }
            return (int)mh$.invokeExact(ctx, params);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }
    private static class rwkvx_wkv5 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_wkv5");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv5(rwkvx_context *ctx, const rwkvx_wkv5_params *params)
     * }
     */
    public static FunctionDescriptor rwkvx_wkv5$descriptor() {
        return rwkvx_wkv5.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv5(rwkvx_context *ctx, const rwkvx_wkv5_params *params)
     * }
     */
    public static MethodHandle rwkvx_wkv5$handle() {
        return rwkvx_wkv5.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv5(rwkvx_context *ctx, const rwkvx_wkv5_params *params)
     * }
     */
    public static MemorySegment rwkvx_wkv5$address() {
        return rwkvx_wkv5.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_wkv5(rwkvx_context *ctx, const rwkvx_wkv5_params *params)
     * }
     */
    public static int rwkvx_wkv5(MemorySegment ctx, MemorySegment params) {
        var mh$ = rwkvx_wkv5.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_wkv5", ctx, params);
            }
            return (int)mh$.invokeExact(ctx, params);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }
    private static final int RWKVX_ATTN_FULL = (int)0L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_attn_mode.RWKVX_ATTN_FULL = 0
     * }
     */
    public static int RWKVX_ATTN_FULL() {
        return RWKVX_ATTN_FULL;
    }
    private static final int RWKVX_ATTN_SPARSE = (int)1L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_attn_mode.RWKVX_ATTN_SPARSE = 1
     * }
     */
    public static int RWKVX_ATTN_SPARSE() {
        return RWKVX_ATTN_SPARSE;
    }
    private static final int RWKVX_ATTN_SCOPE_HEAD = (int)0L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_attn_scope.RWKVX_ATTN_SCOPE_HEAD = 0
     * }
     */
    public static int RWKVX_ATTN_SCOPE_HEAD() {
        return RWKVX_ATTN_SCOPE_HEAD;
    }
    private static final int RWKVX_ATTN_SCOPE_ALL = (int)1L;
    /**
     * {@snippet lang=c :
     * enum rwkvx_attn_scope.RWKVX_ATTN_SCOPE_ALL = 1
     * }
     */
    public static int RWKVX_ATTN_SCOPE_ALL() {
        return RWKVX_ATTN_SCOPE_ALL;
    }
    private static final int RWKVX_ATTN_DIAG_NAN_SCORE = (int)1L;
    /**
     * {@snippet lang=c :
     * #define RWKVX_ATTN_DIAG_NAN_SCORE 1
     * }
     */
    public static int RWKVX_ATTN_DIAG_NAN_SCORE() {
        return RWKVX_ATTN_DIAG_NAN_SCORE;
    }

    private static class rwkvx_attention_prefill {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_attention_prefill");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_attention_prefill(rwkvx_context *ctx, rwkvx_attention_params *params)
     * }
     */
    public static FunctionDescriptor rwkvx_attention_prefill$descriptor() {
        return rwkvx_attention_prefill.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_attention_prefill(rwkvx_context *ctx, rwkvx_attention_params *params)
     * }
     */
    public static MethodHandle rwkvx_attention_prefill$handle() {
        return rwkvx_attention_prefill.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_attention_prefill(rwkvx_context *ctx, rwkvx_attention_params *params)
     * }
     */
    public static MemorySegment rwkvx_attention_prefill$address() {
        return rwkvx_attention_prefill.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_attention_prefill(rwkvx_context *ctx, rwkvx_attention_params *params)
     * }
     */
    public static int rwkvx_attention_prefill(MemorySegment ctx, MemorySegment params) {
        var mh$ = rwkvx_attention_prefill.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_attention_prefill", ctx, params);
            }
            return (int)mh$.invokeExact(ctx, params);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_attention_decode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_attention_decode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_attention_decode(rwkvx_context *ctx, rwkvx_kv_cache *cache, rwkvx_attention_params *params)
     * }
     */
    public static FunctionDescriptor rwkvx_attention_decode$descriptor() {
        return rwkvx_attention_decode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_attention_decode(rwkvx_context *ctx, rwkvx_kv_cache *cache, rwkvx_attention_params *params)
     * }
     */
    public static MethodHandle rwkvx_attention_decode$handle() {
        return rwkvx_attention_decode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_attention_decode(rwkvx_context *ctx, rwkvx_kv_cache *cache, rwkvx_attention_params *params)
     * }
     */
    public static MemorySegment rwkvx_attention_decode$address() {
        return rwkvx_attention_decode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_attention_decode(rwkvx_context *ctx, rwkvx_kv_cache *cache, rwkvx_attention_params *params)
     * }
     */
    public static int rwkvx_attention_decode(MemorySegment ctx, MemorySegment cache, MemorySegment params) {
        var mh$ = rwkvx_attention_decode.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_attention_decode", ctx, cache, params);
            }
            return (int)mh$.invokeExact(ctx, cache, params);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_kv_cache_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_kv_cache_create");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_create(rwkvx_context *ctx, const rwkvx_kv_cache_config *config, rwkvx_kv_cache **out_cache)
     * }
     */
    public static FunctionDescriptor rwkvx_kv_cache_create$descriptor() {
        return rwkvx_kv_cache_create.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_create(rwkvx_context *ctx, const rwkvx_kv_cache_config *config, rwkvx_kv_cache **out_cache)
     * }
     */
    public static MethodHandle rwkvx_kv_cache_create$handle() {
        return rwkvx_kv_cache_create.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_create(rwkvx_context *ctx, const rwkvx_kv_cache_config *config, rwkvx_kv_cache **out_cache)
     * }
     */
    public static MemorySegment rwkvx_kv_cache_create$address() {
        return rwkvx_kv_cache_create.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_create(rwkvx_context *ctx, const rwkvx_kv_cache_config *config, rwkvx_kv_cache **out_cache)
     * }
     */
    public static int rwkvx_kv_cache_create(MemorySegment ctx, MemorySegment config, MemorySegment out_cache) {
        var mh$ = rwkvx_kv_cache_create.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_kv_cache_create", ctx, config, out_cache);
            }
            return (int)mh$.invokeExact(ctx, config, out_cache);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_kv_cache_free {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_kv_cache_free");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_free(rwkvx_kv_cache *cache)
     * }
     */
    public static FunctionDescriptor rwkvx_kv_cache_free$descriptor() {
        return rwkvx_kv_cache_free.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_free(rwkvx_kv_cache *cache)
     * }
     */
    public static MethodHandle rwkvx_kv_cache_free$handle() {
        return rwkvx_kv_cache_free.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_free(rwkvx_kv_cache *cache)
     * }
     */
    public static MemorySegment rwkvx_kv_cache_free$address() {
        return rwkvx_kv_cache_free.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_free(rwkvx_kv_cache *cache)
     * }
     */
    public static int rwkvx_kv_cache_free(MemorySegment cache) {
        var mh$ = rwkvx_kv_cache_free.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_kv_cache_free", cache);
            }
            return (int)mh$.invokeExact(cache);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_kv_cache_length {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_LONG,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_kv_cache_length");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC, Linker.Option.critical(false));
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int64_t rwkvx_kv_cache_length(const rwkvx_kv_cache *cache)
     * }
     */
    public static FunctionDescriptor rwkvx_kv_cache_length$descriptor() {
        return rwkvx_kv_cache_length.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int64_t rwkvx_kv_cache_length(const rwkvx_kv_cache *cache)
     * }
     */
    public static MethodHandle rwkvx_kv_cache_length$handle() {
        return rwkvx_kv_cache_length.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int64_t rwkvx_kv_cache_length(const rwkvx_kv_cache *cache)
     * }
     */
    public static MemorySegment rwkvx_kv_cache_length$address() {
        return rwkvx_kv_cache_length.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int64_t rwkvx_kv_cache_length(const rwkvx_kv_cache *cache)
     * }
     */
    public static long rwkvx_kv_cache_length(MemorySegment cache) {
        var mh$ = rwkvx_kv_cache_length.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_kv_cache_length", cache);
            }
            return (long)mh$.invokeExact(cache);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_kv_cache_reset {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_kv_cache_reset");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_reset(rwkvx_kv_cache *cache)
     * }
     */
    public static FunctionDescriptor rwkvx_kv_cache_reset$descriptor() {
        return rwkvx_kv_cache_reset.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_reset(rwkvx_kv_cache *cache)
     * }
     */
    public static MethodHandle rwkvx_kv_cache_reset$handle() {
        return rwkvx_kv_cache_reset.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_reset(rwkvx_kv_cache *cache)
     * }
     */
    public static MemorySegment rwkvx_kv_cache_reset$address() {
        return rwkvx_kv_cache_reset.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_reset(rwkvx_kv_cache *cache)
     * }
     */
    public static int rwkvx_kv_cache_reset(MemorySegment cache) {
        var mh$ = rwkvx_kv_cache_reset.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_kv_cache_reset", cache);
            }
            return (int)mh$.invokeExact(cache);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_kv_cache_append {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG,
            rwkvx_h.C_LONG,
            rwkvx_h.C_LONG,
            rwkvx_h.C_INT
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_kv_cache_append");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_append(rwkvx_kv_cache *cache, const void *k, const void *v, int64_t n_tokens, int64_t k_stride, int64_t v_stride, int32_t memory)
     * }
     */
    public static FunctionDescriptor rwkvx_kv_cache_append$descriptor() {
        return rwkvx_kv_cache_append.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_append(rwkvx_kv_cache *cache, const void *k, const void *v, int64_t n_tokens, int64_t k_stride, int64_t v_stride, int32_t memory)
     * }
     */
    public static MethodHandle rwkvx_kv_cache_append$handle() {
        return rwkvx_kv_cache_append.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_append(rwkvx_kv_cache *cache, const void *k, const void *v, int64_t n_tokens, int64_t k_stride, int64_t v_stride, int32_t memory)
     * }
     */
    public static MemorySegment rwkvx_kv_cache_append$address() {
        return rwkvx_kv_cache_append.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_append(rwkvx_kv_cache *cache, const void *k, const void *v, int64_t n_tokens, int64_t k_stride, int64_t v_stride, int32_t memory)
     * }
     */
    public static int rwkvx_kv_cache_append(MemorySegment cache, MemorySegment k, MemorySegment v, long n_tokens, long k_stride, long v_stride, int memory) {
        var mh$ = rwkvx_kv_cache_append.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_kv_cache_append", cache, k, v, n_tokens, k_stride, v_stride, memory);
            }
            return (int)mh$.invokeExact(cache, k, v, n_tokens, k_stride, v_stride, memory);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_kv_cache_compress {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG,
            rwkvx_h.C_LONG,
            rwkvx_h.C_INT
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_kv_cache_compress");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_compress(rwkvx_context *ctx, rwkvx_kv_cache *cache, const float *q, int64_t n_q, int64_t q_stride, int32_t memory)
     * }
     */
    public static FunctionDescriptor rwkvx_kv_cache_compress$descriptor() {
        return rwkvx_kv_cache_compress.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_compress(rwkvx_context *ctx, rwkvx_kv_cache *cache, const float *q, int64_t n_q, int64_t q_stride, int32_t memory)
     * }
     */
    public static MethodHandle rwkvx_kv_cache_compress$handle() {
        return rwkvx_kv_cache_compress.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_compress(rwkvx_context *ctx, rwkvx_kv_cache *cache, const float *q, int64_t n_q, int64_t q_stride, int32_t memory)
     * }
     */
    public static MemorySegment rwkvx_kv_cache_compress$address() {
        return rwkvx_kv_cache_compress.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_kv_cache_compress(rwkvx_context *ctx, rwkvx_kv_cache *cache, const float *q, int64_t n_q, int64_t q_stride, int32_t memory)
     * }
     */
    public static int rwkvx_kv_cache_compress(MemorySegment ctx, MemorySegment cache, MemorySegment q, long n_q, long q_stride, int memory) {
        var mh$ = rwkvx_kv_cache_compress.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_kv_cache_compress", ctx, cache, q, n_q, q_stride, memory);
            }
            return (int)mh$.invokeExact(ctx, cache, q, n_q, q_stride, memory);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_hybrid_config_defaults {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_hybrid_config_defaults");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_hybrid_config_defaults(rwkvx_hybrid_config *out)
     * }
     */
    public static FunctionDescriptor rwkvx_hybrid_config_defaults$descriptor() {
        return rwkvx_hybrid_config_defaults.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_hybrid_config_defaults(rwkvx_hybrid_config *out)
     * }
     */
    public static MethodHandle rwkvx_hybrid_config_defaults$handle() {
        return rwkvx_hybrid_config_defaults.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_hybrid_config_defaults(rwkvx_hybrid_config *out)
     * }
     */
    public static MemorySegment rwkvx_hybrid_config_defaults$address() {
        return rwkvx_hybrid_config_defaults.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_hybrid_config_defaults(rwkvx_hybrid_config *out)
     * }
     */
    public static int rwkvx_hybrid_config_defaults(MemorySegment out) {
        var mh$ = rwkvx_hybrid_config_defaults.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_hybrid_config_defaults", out);
            }
            return (int)mh$.invokeExact(out);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class rwkvx_model_create_hybrid {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            rwkvx_h.C_INT,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_LONG,
            rwkvx_h.C_POINTER,
            rwkvx_h.C_POINTER
        );

        public static final MemorySegment ADDR = rwkvx_h.findOrThrow("rwkvx_model_create_hybrid");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_create_hybrid(rwkvx_context *ctx, const rwkvx_named_tensor *tensors, int64_t n_tensors, const rwkvx_hybrid_config *config, rwkvx_model **out_model)
     * }
     */
    public static FunctionDescriptor rwkvx_model_create_hybrid$descriptor() {
        return rwkvx_model_create_hybrid.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_create_hybrid(rwkvx_context *ctx, const rwkvx_named_tensor *tensors, int64_t n_tensors, const rwkvx_hybrid_config *config, rwkvx_model **out_model)
     * }
     */
    public static MethodHandle rwkvx_model_create_hybrid$handle() {
        return rwkvx_model_create_hybrid.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_create_hybrid(rwkvx_context *ctx, const rwkvx_named_tensor *tensors, int64_t n_tensors, const rwkvx_hybrid_config *config, rwkvx_model **out_model)
     * }
     */
    public static MemorySegment rwkvx_model_create_hybrid$address() {
        return rwkvx_model_create_hybrid.ADDR;
    }

    /**
     * {@snippet lang=c :
     * rwkvx_status rwkvx_model_create_hybrid(rwkvx_context *ctx, const rwkvx_named_tensor *tensors, int64_t n_tensors, const rwkvx_hybrid_config *config, rwkvx_model **out_model)
     * }
     */
    public static int rwkvx_model_create_hybrid(MemorySegment ctx, MemorySegment tensors, long n_tensors, MemorySegment config, MemorySegment out_model) {
        var mh$ = rwkvx_model_create_hybrid.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("rwkvx_model_create_hybrid", ctx, tensors, n_tensors, config, out_model);
            }
            return (int)mh$.invokeExact(ctx, tensors, n_tensors, config, out_model);
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }
}
