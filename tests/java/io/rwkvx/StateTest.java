package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.common.RwkvxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** State snapshots: restore, fork, reset, save/load files, and every way a state file can be wrong. */
class StateTest {
    @TempDir
    Path dir;

    private final int[] prompt = TestModels.bytesOf("The state of a recurrent model");
    private final int[] more = TestModels.bytesOf(" carries on");

    @ParameterizedTest
    @EnumSource(
            value = BackendKind.class,
            names = {"NATIVE", "REFERENCE"})
    void savedStateContinuesExactlyLikeTheOriginal(BackendKind kind) {
        try (Model model = TestModels.open(TestModels.FP32, kind)) {
            ModelChecks.assertStateContinuesExactly(model, dir.resolve("s.state"), prompt, more);
        }
    }

    @Test
    void snapshotsAndForksAreIndependent() {
        try (Model model = TestModels.open(TestModels.FP32, BackendKind.NATIVE);
                Session s = model.newSession()) {
            float[] afterPrompt = s.prefill(prompt);
            State snap = s.snapshot();
            try (Session fork = s.fork()) {
                assertArrayEquals(afterPrompt, fork.logits(), "fork keeps the logits");
                float[] forkNext = fork.prefill(more);
                float[] origNext = s.prefill(more);
                assertArrayEquals(origNext, forkNext, "fork and original evolve identically");
                fork.prefill(prompt); // diverge the fork; the original must not notice
            }
            s.restore(snap);
            assertArrayEquals(afterPrompt, s.logits(), "restore brings back the logits");
            float[] again = s.prefill(more);
            try (Session fresh = model.newSession()) {
                fresh.prefill(prompt);
                assertArrayEquals(fresh.prefill(more), again, "restored state equals a fresh evaluation");
            }
        }
    }

    @Test
    void aStateFromAnotherModelIsRejected() {
        Path file = dir.resolve("fp32.state");
        try (Model fp32 = TestModels.open(TestModels.FP32, BackendKind.NATIVE);
                Session s = fp32.newSession()) {
            s.prefill(prompt);
            s.saveState(file);
        }
        try (Model fp16 = TestModels.open(TestModels.FP16, BackendKind.NATIVE);
                Session s = fp16.newSession()) {
            RwkvxException e = assertThrows(RwkvxException.class, () -> s.loadState(file));
            assertTrue(
                    e.getMessage().contains("another model") && e.getMessage().contains(file.toString()),
                    e.getMessage());
        }
    }

    @Test
    void corruptTruncatedAndForeignFilesAreRejectedWithReasons() throws Exception {
        Path good = dir.resolve("good.state");
        try (Model model = TestModels.open(TestModels.FP32, BackendKind.NATIVE);
                Session s = model.newSession()) {
            s.prefill(prompt);
            s.saveState(good);
        }
        byte[] bytes = Files.readAllBytes(good);

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x10;
        assertLoadFails(flipped, "checksum mismatch");
        assertLoadFails(Arrays.copyOf(bytes, bytes.length - 100), "truncated or corrupt");
        assertLoadFails(Arrays.copyOf(bytes, 20), "not a state file");
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertLoadFails(magic, "bad magic");
        byte[] version = bytes.clone();
        version[8] = 99;
        assertLoadFails(version, "format version 99");
    }

    @Test
    void nonFiniteStateValuesAreRejectedByTheNativeLibrary() {
        try (Model model = TestModels.open(TestModels.FP32, BackendKind.NATIVE);
                Session s = model.newSession()) {
            s.prefill(prompt);
            State snap = s.snapshot();
            float[] rec = snap.recurrent();
            rec[5] = Float.NaN;
            State bad = new State(snap.architecture(), snap.modelFingerprint(), snap.dims(), rec, snap.logits());
            RwkvxException e = assertThrows(RwkvxException.class, () -> s.restore(bad));
            assertTrue(e.getMessage().contains("#5 is not finite"), e.getMessage());
        }
    }

    private void assertLoadFails(byte[] content, String fragment) throws Exception {
        Path f = dir.resolve("bad-" + fragment.replaceAll("\\W", "_") + ".state");
        Files.write(f, content);
        RwkvxException e = assertThrows(RwkvxException.class, () -> State.load(f));
        assertTrue(
                e.getMessage().contains(fragment) && e.getMessage().contains(f.toString()),
                "expected '" + fragment + "' in: " + e.getMessage());
    }
}
