package io.rwkvx;

import io.rwkvx.backend.Backend;
import io.rwkvx.backend.BackendKind;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.backend.nativelib.NativeBackend;
import io.rwkvx.backend.reference.ReferenceBackend;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.nativelib.NativeLibrary;

/**
 * Creates backends; the only place that decides which implementation runs. It lives above
 * {@code io.rwkvx.backend} (which holds only the interfaces the implementations implement), so the
 * interfaces never depend on their implementations.
 */
final class BackendProvider {
    private BackendProvider() {}

    /**
     * @param threads compute threads for native backends, 0 = all processors
     * @param weights where native backends keep the weights of the models they load (the reference ignores it)
     */
    static Backend create(BackendKind kind, int threads, WeightPlacement weights) {
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        if (weights == null) throw new IllegalArgumentException("weight placement is null");
        return switch (kind) {
            case NATIVE -> new NativeBackend(NativeBackend.Device.AUTO, threads, false, weights);
            case NATIVE_SCALAR -> new NativeBackend(NativeBackend.Device.CPU, threads, true, weights);
            case REFERENCE -> new ReferenceBackend();
            case AUTO ->
                NativeLibrary.isAvailable()
                        ? new NativeBackend(NativeBackend.Device.AUTO, threads, false, weights)
                        : new FallbackNote(new ReferenceBackend(), NativeLibrary.unavailableReason());
        };
    }

    /** The reference backend, described with why the native one was not used. */
    private record FallbackNote(Backend inner, String reason) implements Backend {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public String describe() {
            return inner.describe() + " (native library unavailable: " + reason + ")";
        }

        @Override
        public ModelExecutor load(ModelWeights weights) {
            return inner.load(weights);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
