package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.tensor.Npy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attn}: the native attention kernels through .npy files, against a float64 reference computed
 * here (the sparse reference re-implements the canonical fp32 chunk selection of docs/rwkv-x.md §5.2).
 */
class AttnCommandTest {
    private static final int H = 2, D = 32;

    private record Inputs(int T, float[] q, float[] k, float[] v) {}

    private static Inputs inputs(int T, long seed, boolean f16, Path dir) throws IOException {
        return inputs(T, seed, f16, dir, -1, 0);
    }

    /** Random inputs; v[vAt] = vValue when vAt >= 0 (index into the (T, H, D) array). */
    private static Inputs inputs(int T, long seed, boolean f16, Path dir, int vAt, float vValue) throws IOException {
        Random r = new Random(seed);
        float[] q = new float[T * H * D], k = new float[q.length], v = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) r.nextGaussian();
            k[i] = (float) r.nextGaussian();
            v[i] = (float) r.nextGaussian();
        }
        if (vAt >= 0) v[vAt] = vValue;
        if (f16) {
            short[] k16 = new short[k.length], v16 = new short[v.length];
            for (int i = 0; i < k.length; i++) {
                k16[i] = Float.floatToFloat16(k[i]);
                v16[i] = Float.floatToFloat16(v[i]);
                k[i] = Float.float16ToFloat(k16[i]);
                v[i] = Float.float16ToFloat(v16[i]);
            }
            Npy.writeFloat16(dir.resolve("k.npy"), k16, T, H, D);
            Npy.writeFloat16(dir.resolve("v.npy"), v16, T, H, D);
        } else {
            Npy.writeFloat32(dir.resolve("k.npy"), k, T, H, D);
            Npy.writeFloat32(dir.resolve("v.npy"), v, T, H, D);
        }
        Npy.writeFloat32(dir.resolve("q.npy"), q, T, H, D);
        return new Inputs(T, q, k, v);
    }

    private static Cli attn(Path dir, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "attn",
                "--q",
                dir.resolve("q.npy").toString(),
                "--k",
                dir.resolve("k.npy").toString(),
                "--v",
                dir.resolve("v.npy").toString(),
                "--out",
                dir.resolve("o.npy").toString(),
                "--lse-out",
                dir.resolve("lse.npy").toString()));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    /** Canonical score: 8 FMA lanes (lane = d mod 8) and the fixed tree. */
    private static float canonDot(float[] q, int qo, float[] m, int mo, int n) {
        float[] p = new float[8];
        for (int d = 0; d < n; d++) p[d % 8] = Math.fma(q[qo + d], m[mo + d], p[d % 8]);
        return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
    }

    /** Keys of query t, head h: full causal, or the top-k past chunks plus the own chunk. */
    private static List<Integer> keys(Inputs x, int t, int h, boolean sparse, int B, int topk, boolean all) {
        List<Integer> keys = new ArrayList<>();
        if (sparse) {
            int hd = H * D, nc = t / B;
            float[] means = new float[nc * hd];
            for (int j = 0; j < nc * B; j++) for (int i = 0; i < hd; i++) means[(j / B) * hd + i] += x.k[j * hd + i];
            for (int i = 0; i < means.length; i++) means[i] *= 1.0f / B;
            float[] s = new float[nc];
            for (int c = 0; c < nc; c++)
                s[c] = all
                        ? canonDot(x.q, t * hd, means, c * hd, hd)
                        : canonDot(x.q, t * hd + h * D, means, c * hd + h * D, D);
            boolean[] taken = new boolean[nc];
            for (int n = 0; n < Math.min(topk, nc); n++) {
                int best = -1;
                for (int c = 0; c < nc; c++)
                    if (!taken[c] && (best < 0 || s[c] >= s[best])) best = c; // ties to the later chunk
                taken[best] = true;
            }
            for (int c = 0; c < nc; c++) if (taken[c]) for (int j = c * B; j < (c + 1) * B; j++) keys.add(j);
            for (int j = (t / B) * B; j <= t; j++) keys.add(j);
        } else {
            for (int j = 0; j <= t; j++) keys.add(j);
        }
        return keys;
    }

    private static void check(Path dir, Inputs x, boolean sparse, int B, int topk, boolean all) throws IOException {
        checkRows(dir, x, sparse, B, topk, all, (t, h, ks) -> true);
    }

    /** Which (query row, head) with keys {@code ks} a check compares. */
    private interface RowFilter {
        boolean test(int t, int h, List<Integer> ks);
    }

    /** The rows the filter accepts against the float64 reference; a non-finite output counts as infinite error. */
    private static void checkRows(Path dir, Inputs x, boolean sparse, int B, int topk, boolean all, RowFilter rows)
            throws IOException {
        Npy.Array o = Npy.read(dir.resolve("o.npy")), lse = Npy.read(dir.resolve("lse.npy"));
        assertEquals("f4", o.dtype());
        assertEquals(List.of(3L, 2L), List.of((long) o.shape().length, (long) lse.shape().length), "ranks");
        float[] of = o.toFloats(), lf = lse.toFloats();
        double scale = 1 / Math.sqrt(D), worst = 0;
        int compared = 0;
        for (int t = 0; t < x.T; t++)
            for (int h = 0; h < H; h++) {
                List<Integer> ks = keys(x, t, h, sparse, B, topk, all);
                if (!rows.test(t, h, ks)) continue;
                compared++;
                double[] s = new double[ks.size()];
                double mx = Double.NEGATIVE_INFINITY, l = 0;
                for (int i = 0; i < s.length; i++) {
                    double a = 0;
                    for (int d = 0; d < D; d++)
                        a += (double) x.q[(t * H + h) * D + d] * x.k[(ks.get(i) * H + h) * D + d];
                    s[i] = a * scale;
                    mx = Math.max(mx, s[i]);
                }
                for (int i = 0; i < s.length; i++) l += (s[i] = Math.exp(s[i] - mx));
                for (int d = 0; d < D; d++) {
                    double a = 0;
                    for (int i = 0; i < s.length; i++) a += s[i] * x.v[(ks.get(i) * H + h) * D + d];
                    worst = Math.max(worst, error(a / l, of[(t * H + h) * D + d]));
                }
                worst = Math.max(worst, error(mx + Math.log(l), lf[t * H + h]));
            }
        assertTrue(compared > 0, "no row compared");
        assertTrue(worst <= 2e-5, "max |attn - float64 reference| = " + worst + " over " + compared + " rows");
    }

    /** |got - want|, infinite when got is not finite (Math.max would let a NaN error through). */
    private static double error(double want, float got) {
        return Float.isFinite(got) ? Math.abs(got - want) : Double.POSITIVE_INFINITY;
    }

    @Test
    void fullAttentionMatchesTheReference(@TempDir Path dir) throws IOException {
        Inputs x = inputs(77, 1, false, dir);
        Cli r = attn(dir, "--mode", "full");
        assertEquals(0, r.code(), r.dump());
        check(dir, x, false, 0, 0, false);
    }

    @Test
    void sparseAttentionMatchesTheReferenceForBothScopesAndFloat16(@TempDir Path dir) throws IOException {
        Inputs x = inputs(150, 2, true, dir);
        for (String scope : new String[] {"head", "all"}) {
            Cli r = attn(
                    dir,
                    "--mode",
                    "sparse",
                    "--attn-chunk",
                    "16",
                    "--attn-top-k",
                    "2",
                    "--attn-scope",
                    scope,
                    "--threads",
                    "2");
            assertEquals(0, r.code(), r.dump());
            check(dir, x, true, 16, 2, scope.equals("all"));
        }
        Cli r = attn(dir, "--mode", "sparse", "--attn-chunk", "16", "--attn-top-k", "3", "--scalar");
        assertEquals(0, r.code(), r.dump());
        check(dir, x, true, 16, 3, false);
    }

    /**
     * Issue "Hardening", item 3: one v element set to inf at t = 10 turned rows 0..9 into NaN (the keys a
     * row masks got p = 0, and 0 * inf = NaN). Rows that cannot see token 10 (earlier rows, other heads,
     * sparse rows that did not select its chunk) equal the float64 reference and are finite; the row of
     * token 10 itself shows the inf.
     */
    @Test
    void anInfiniteValueNeverReachesRowsThatCannotSeeIt(@TempDir Path dir) throws IOException {
        final int T = 80, t10 = 10, h0 = 0, d3 = 3;
        for (boolean f16 : new boolean[] {false, true}) {
            Inputs x = inputs(T, 6, f16, dir, (t10 * H + h0) * D + d3, Float.POSITIVE_INFINITY);
            RowFilter unseen = (t, h, ks) -> h != h0 || !ks.contains(t10);
            String[][] runs = {
                {"--mode", "full"},
                {"--mode", "full", "--scalar"},
                {"--mode", "sparse", "--attn-chunk", "8", "--attn-top-k", "1"},
                {"--mode", "sparse", "--attn-chunk", "8", "--attn-top-k", "1", "--attn-scope", "all", "--scalar"},
                {"--mode", "sparse", "--attn-chunk", "512", "--attn-top-k", "3", "--threads", "2"},
            };
            for (String[] run : runs) {
                Cli r = attn(dir, run);
                assertEquals(0, r.code(), r.dump());
                boolean sparse = run[1].equals("sparse");
                int B = sparse ? Integer.parseInt(run[3]) : 0, topk = sparse ? Integer.parseInt(run[5]) : 0;
                boolean all = List.of(run).contains("all");
                checkRows(dir, x, sparse, B, topk, all, (t, h, ks) -> t < t10);
                checkRows(dir, x, sparse, B, topk, all, unseen);
                float own = Npy.read(dir.resolve("o.npy")).toFloats()[(t10 * H + h0) * D + d3];
                assertTrue(!Float.isFinite(own), List.of(run) + ": the row of token 10 shows the inf, got " + own);
            }
        }
    }

    @Test
    void badShapesAndDtypesAreOneLineErrors(@TempDir Path dir) throws IOException {
        inputs(10, 3, false, dir);
        Npy.writeFloat32(dir.resolve("v.npy"), new float[9 * H * D], 9, H, D);
        Cli r = attn(dir, "--mode", "full");
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().contains("shapes differ") && r.err().contains("(9, 2, 32)"), r.err());

        Npy.writeFloat32(dir.resolve("q.npy"), new float[10 * 40], 10, 1, 40);
        Npy.writeFloat32(dir.resolve("k.npy"), new float[10 * 40], 10, 1, 40);
        Npy.writeFloat32(dir.resolve("v.npy"), new float[10 * 40], 10, 1, 40);
        r = attn(dir, "--mode", "full");
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().contains("multiple of 16"), r.err());

        Npy.writeFloat32(dir.resolve("q.npy"), new float[64], 64);
        r = attn(dir, "--mode", "full");
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().contains("3-D"), r.err());

        String dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1, 16), }";
        ByteBuffer b = ByteBuffer.allocate(10 + dict.length() + 1 + 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (dict.length() + 1));
        b.put((dict + "\n").getBytes(StandardCharsets.ISO_8859_1));
        Files.write(dir.resolve("q.npy"), b.array());
        r = attn(dir, "--mode", "full");
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().contains("'<i4' is not supported"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void wrongArgumentsExitWith2(@TempDir Path dir) throws IOException {
        inputs(4, 4, false, dir);
        Cli r = attn(dir, "--mode", "dense");
        assertEquals(2, r.code(), r.dump());
        assertTrue(r.err().contains("--mode must be full or sparse"), r.err());
        r = attn(dir, "--mode", "sparse", "--attn-scope", "group");
        assertEquals(2, r.code(), r.dump());
        r = Cli.run("attn", "--mode", "full");
        assertEquals(2, r.code(), r.dump());
    }
}
