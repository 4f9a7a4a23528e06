package io.rwkvx.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Test-side writer of checkpoints laid out byte for byte as {@code torch.save(state_dict, f)} writes them
 * (PyTorch 2.x, default {@code _use_new_zipfile_serialization=True}, pickle protocol 2). How each part was
 * derived from the public sources:
 *
 * <p><b>Records</b> ({@code torch/serialization.py _save}): {@code data.pkl}; in newer releases
 * {@code .format_version} ("1") and {@code .storage_alignment} ("64"); {@code byteorder} ("little");
 * {@code data/<key>} for each storage (keys "0", "1", ... in first-pickled order; written in numeric order by
 * newer releases, in lexicographic order, {@code sorted(keys)}, by older 2.x ones); then
 * {@code PyTorchStreamWriter::writeEndOfFile} ({@code caffe2/serialize/inline_container.cc}) adds
 * {@code version} ("3\n", kProducedFileFormatVersion) and {@code .data/serialization_id} (40 decimal
 * digits: a hash of the record names and a CRC combination; any 40 digits here). Every record name is
 * prefixed by the archive name: {@code archive/} when saving to a buffer, the file's base name without its
 * extension when saving to a path.
 *
 * <p><b>Zip</b> (miniz 3.0.2 {@code mz_zip_writer_add_mem_ex_v2}, writer initialised with
 * {@code MZ_ZIP_FLAG_WRITE_ZIP64}): each record is STORED; its local header has version-needed 0, flags
 * 0x0808 (sizes in a data descriptor, UTF-8 names; 0x0800 for an empty record), CRC and sizes 0; then the
 * name, a zip64 extra field only when the size or offset reaches 4 GiB, and PyTorch's padding extra field
 * ({@code detail::getPadding}: id "FB", length n, n bytes 'Z') that puts the data at a multiple of 64; the
 * data; a data descriptor {@code PK\7\8, crc, csize, usize} (32-bit sizes unless zip64). The central
 * directory repeats the entries (version made by 0, no padding field); as the writer is in zip64 mode,
 * a zip64 end record (made by 0x031E, needed 0x2D) and locator always precede the classic end record.
 *
 * <p><b>Pickle</b> (CPython {@code _pickle.c} save/save_reduce/batch_dict at protocol 2, and
 * {@code Tensor._reduce_ex_internal} / {@code _save.persistent_id}): see {@link TorchPickler}.
 *
 * <p>Checked outside the build (no torch and no device were available): Python 3.11's {@code zipfile}
 * reads the archives (CRCs valid, every record's data at a multiple of 64), and re-pickling the loaded
 * state dict with CPython's own pickler at protocol 2, using torch.save's persistent_id and a tensor
 * {@code __reduce_ex__} returning {@code (_rebuild_tensor_v2, (storage, offset, size, stride, False,
 * OrderedDict()))} under stand-in {@code torch} modules, gives the same data.pkl byte for byte. Still to do
 * when a device with torch is lent: compare with real {@code torch.save} output.
 */
final class PthTestFile {
    /** Which torch.save generation's record list to produce. */
    enum Layout {
        /** Newer PyTorch: .format_version and .storage_alignment records, storages in numeric key order. */
        CURRENT,
        /** PyTorch 2.0–2.5: no format records, storages in sorted (lexicographic) key order. */
        SORTED_KEYS
    }

    /** An untyped storage: {@code numel} elements of {@code type} (e.g. "FloatStorage"), raw little-endian bytes. */
    static final class Storage {
        final String type;
        final long numel;
        final byte[] data;
        String key; // assigned when first pickled, as _save's id_map does
        String location = "cpu";

        Storage(String type, long numel, byte[] data) {
            this.type = type;
            this.numel = numel;
            this.data = data;
        }
    }

    /** A tensor view {@code storage[offset:]} with the given size and stride (elements). */
    record TensorSpec(String name, Storage storage, long offset, long[] shape, long[] stride) {}

    /** A zip record as written: name (without the archive prefix), bytes, and whether to deflate it. */
    record Record(String name, byte[] data, boolean deflate) {}

    String archive = "archive";
    Layout layout = Layout.CURRENT;
    final List<TensorSpec> tensors = new ArrayList<>();
    /** state_dict() returns an OrderedDict with a {@code _metadata} attribute; a plain dict is what BlinkDL saves. */
    boolean orderedDict = true;

    boolean withMetadata = true;
    /** Forces zip64 extra fields on every entry (miniz writes them only beyond 4 GiB) to test that path cheaply. */
    boolean forceZip64;

    int dosTime = 0, dosDate = (44 << 9) | (1 << 5) | 1; // 2024-01-01 00:00

    /** A contiguous tensor over its own storage. */
    PthTestFile add(String name, String dtype, long[] shape, float[] values) {
        String type = switch (dtype) {
            case "F32" -> "FloatStorage";
            case "F16" -> "HalfStorage";
            case "BF16" -> "BFloat16Storage";
            default -> throw new IllegalArgumentException(dtype);
        };
        byte[] bytes = new SafetensorsTestFile()
                .add(name, dtype, shape, values)
                .entries
                .get(0)
                .data();
        tensors.add(new TensorSpec(name, new Storage(type, values.length, bytes), 0, shape, contiguousStride(shape)));
        return this;
    }

    static long[] contiguousStride(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** The synthetic model's BlinkDL checkpoint, as {@link SyntheticRwkv7#safetensors} names and types it. */
    static PthTestFile of(SyntheticRwkv7 m, String matrixDtype, String vectorDtype, String prefix) {
        PthTestFile f = new PthTestFile();
        for (Map.Entry<String, SyntheticRwkv7.Param> e : m.params.entrySet()) {
            boolean matrix = e.getValue().shape().length == 2 && !e.getKey().endsWith("r_k");
            f.add(
                    prefix + e.getKey(),
                    matrix ? matrixDtype : vectorDtype,
                    e.getValue().shape(),
                    e.getValue().values());
        }
        return f;
    }

    /** The pickle torch.save would write for this state dict (assigns storage keys). */
    byte[] pickle() {
        for (TensorSpec t : tensors) t.storage().key = null;
        return new TorchPickler().dumpStateDict(this);
    }

    /** Records in the order torch.save writes them (names without the archive prefix). */
    List<Record> records() {
        byte[] pkl = pickle();
        List<Record> out = new ArrayList<>();
        out.add(new Record("data.pkl", pkl, false));
        if (layout == Layout.CURRENT) {
            out.add(new Record(".format_version", ascii("1"), false));
            out.add(new Record(".storage_alignment", ascii("64"), false));
        }
        out.add(new Record("byteorder", ascii("little"), false));
        Map<String, Storage> byKey = new LinkedHashMap<>();
        for (TensorSpec t : tensors) byKey.putIfAbsent(t.storage().key, t.storage());
        List<String> keys = new ArrayList<>(byKey.keySet());
        if (layout == Layout.SORTED_KEYS) keys.sort(null);
        for (String k : keys) out.add(new Record("data/" + k, byKey.get(k).data, false));
        out.add(new Record("version", ascii("3\n"), false));
        out.add(new Record(".data/serialization_id", ascii("0123456789012345678901234567890123456789"), false));
        return out;
    }

    Path write(Path file) throws IOException {
        return Files.write(file, zip(archive, records(), this));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The miniz/PyTorchStreamWriter zip of {@code records} (see the class comment). */
    static byte[] zip(String archive, List<Record> records, PthTestFile opts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        int n = 0;
        for (Record r : records) {
            byte[] name = (archive + "/" + r.name()).getBytes(StandardCharsets.UTF_8);
            long offset = out.size();
            byte[] data = r.data();
            CRC32 crc = new CRC32();
            crc.update(data);
            int method = 0;
            byte[] payload = data;
            if (r.deflate()) {
                method = 8;
                Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
                d.setInput(data);
                d.finish();
                byte[] buf = new byte[data.length + 64];
                int len = d.deflate(buf);
                d.end();
                payload = java.util.Arrays.copyOf(buf, len);
            }
            boolean zip64 = opts != null && opts.forceZip64;
            // getPadding: the data must start at a multiple of 64 after header, name, zip64 extra and "FB" header.
            long start = offset + 30 + name.length + 4 + (zip64 ? 4 + 16 + 8 : 0);
            int pad = (int) ((64 - start % 64) % 64);
            ByteBuffer zip64Local = le(zip64 ? 28 : 0);
            if (zip64)
                zip64Local
                        .putShort((short) 1)
                        .putShort((short) 24)
                        .putLong(data.length)
                        .putLong(payload.length)
                        .putLong(offset);
            ByteBuffer padding = le(4 + pad).put((byte) 'F').put((byte) 'B').putShort((short) pad);
            for (int i = 0; i < pad; i++) padding.put((byte) 'Z');
            int flags = data.length > 0 ? 0x0808 : 0x0800;
            ByteBuffer lh = le(30).putInt(PthZip.LOCAL_SIG)
                    .putShort((short) (method != 0 ? 20 : 0))
                    .putShort((short) flags)
                    .putShort((short) method)
                    .putShort((short) (opts == null ? 0 : opts.dosTime))
                    .putShort((short) (opts == null ? 0 : opts.dosDate))
                    .putInt(0)
                    .putInt(0)
                    .putInt(0)
                    .putShort((short) name.length)
                    .putShort((short) (zip64Local.capacity() + padding.capacity()));
            out.writeBytes(lh.array());
            out.writeBytes(name);
            out.writeBytes(zip64Local.array());
            out.writeBytes(padding.array());
            out.writeBytes(payload);
            if (data.length > 0) {
                ByteBuffer dd = le(zip64 ? 24 : 16).putInt(0x08074b50).putInt((int) crc.getValue());
                if (zip64) dd.putLong(payload.length).putLong(data.length);
                else dd.putInt(payload.length).putInt(data.length);
                out.writeBytes(dd.array());
            }
            ByteBuffer zip64Central = le(zip64 ? 28 : 0);
            if (zip64)
                zip64Central
                        .putShort((short) 1)
                        .putShort((short) 24)
                        .putLong(data.length)
                        .putLong(payload.length)
                        .putLong(offset);
            ByteBuffer ch = le(46).putInt(PthZip.CENTRAL_SIG)
                    .putShort((short) 0)
                    .putShort((short) (method != 0 ? 20 : 0))
                    .putShort((short) flags)
                    .putShort((short) method)
                    .putShort((short) (opts == null ? 0 : opts.dosTime))
                    .putShort((short) (opts == null ? 0 : opts.dosDate))
                    .putInt((int) crc.getValue())
                    .putInt(zip64 ? -1 : payload.length)
                    .putInt(zip64 ? -1 : data.length)
                    .putShort((short) name.length)
                    .putShort((short) zip64Central.capacity())
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt(0)
                    .putInt(zip64 ? -1 : (int) offset);
            central.writeBytes(ch.array());
            central.writeBytes(name);
            central.writeBytes(zip64Central.array());
            n++;
        }
        long cdOffset = out.size(), cdSize = central.size();
        out.writeBytes(central.toByteArray());
        long z = out.size();
        out.writeBytes(le(56).putInt(PthZip.ZIP64_EOCD_SIG)
                .putLong(44)
                .putShort((short) 0x031E)
                .putShort((short) 0x2D)
                .putInt(0)
                .putInt(0)
                .putLong(n)
                .putLong(n)
                .putLong(cdSize)
                .putLong(cdOffset)
                .array());
        out.writeBytes(le(20).putInt(PthZip.ZIP64_LOCATOR_SIG)
                .putInt(0)
                .putLong(z)
                .putInt(1)
                .array());
        out.writeBytes(le(22).putInt(PthZip.EOCD_SIG)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) n)
                .putShort((short) n)
                .putInt((int) cdSize)
                .putInt((int) cdOffset)
                .putShort((short) 0)
                .array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * CPython's C pickler at protocol 2 for what torch.save pickles, with the memo keyed by object identity
     * as in CPython (literals such as 'storage', 'cpu' and 'version' are interned: one memo entry, BINGET
     * afterwards; dict keys and storage keys are distinct objects). Per object:
     * <ul>
     * <li>str: BINUNICODE (protocol 2 has no SHORT_BINUNICODE), then BINPUT i (LONG_BINPUT from 256 on);</li>
     * <li>int: BININT1 / BININT2 / BININT / LONG1 by range; never memoized; bool: NEWTRUE/NEWFALSE;</li>
     * <li>tuple: EMPTY_TUPLE (not memoized); 1–3 items then TUPLE1/2/3; else MARK items TUPLE; then BINPUT;</li>
     * <li>dict: EMPTY_DICT BINPUT, then items in batches of 1000: MARK k v ... SETITEMS, a lone item as
     *     k v SETITEM;</li>
     * <li>OrderedDict ({@code __reduce__} = (cls, (), state, None, iter(items))): GLOBAL 'collections
     *     OrderedDict' BINPUT (BINGET once memoized), EMPTY_TUPLE, REDUCE, BINPUT, items as for dict, then
     *     state and BUILD when the instance has attributes ({@code _metadata});</li>
     * <li>tensor ({@code _reduce_ex_internal}): GLOBAL 'torch._utils _rebuild_tensor_v2', the 6-tuple
     *     (storage, offset, size, stride, requires_grad=False, OrderedDict()), REDUCE, BINPUT;</li>
     * <li>storage: persistent id ('storage', torch.&lt;T&gt;Storage, key, 'cpu', numel) pickled as a 5-tuple,
     *     then BINPERSID.</li>
     * </ul>
     */
    static final class TorchPickler {
        private static final String STORAGE = "storage", CPU = "cpu", VERSION = "version", METADATA = "_metadata";
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Map<Object, Integer> memo = new IdentityHashMap<>();
        private final Map<String, Object> globals = new LinkedHashMap<>();
        private int nextKey;

        private record Global(String module, String name) {}

        private record Tuple(Object... items) {}

        private record Dict(boolean ordered, List<Object[]> items, Object state) {}

        private record Persistent(Storage storage) {}

        private record Tensor(TensorSpec spec) {}

        byte[] dumpStateDict(PthTestFile f) {
            List<Object[]> items = new ArrayList<>();
            for (TensorSpec t : f.tensors) items.add(new Object[] {new String(t.name()), new Tensor(t)});
            Object state = null;
            if (f.orderedDict && f.withMetadata) {
                // state_dict()._metadata: OrderedDict {module prefix: {'version': 1}} for the root and a child.
                List<Object[]> meta = new ArrayList<>();
                for (String p : List.of("", "blocks")) {
                    meta.add(new Object[] {
                        new String(p), new Dict(false, List.<Object[]>of(new Object[] {VERSION, 1L}), null)
                    });
                }
                state = new Dict(false, List.<Object[]>of(new Object[] {METADATA, new Dict(true, meta, null)}), null);
            }
            out.write(0x80);
            out.write(2);
            save(new Dict(f.orderedDict, items, state));
            out.write('.');
            return out.toByteArray();
        }

        private Object global(String module, String name) {
            return globals.computeIfAbsent(module + "\n" + name, k -> new Global(module, name));
        }

        private void save(Object o) {
            if (o instanceof Persistent p) {
                Storage s = p.storage();
                if (s.key == null) s.key = new String(Integer.toString(nextKey++));
                save(new Tuple(STORAGE, global("torch", s.type), s.key, s.location, s.numel));
                out.write('Q');
                return;
            }
            if (o == null) {
                out.write('N');
                return;
            }
            if (o instanceof Boolean b) {
                out.write(b ? 0x88 : 0x89);
                return;
            }
            if (o instanceof Long l) {
                saveInt(l);
                return;
            }
            Integer m = memo.get(o);
            if (m != null) {
                if (m < 256) {
                    out.write('h');
                    out.write(m);
                } else {
                    out.write('j');
                    out.writeBytes(le(4).putInt(m).array());
                }
                return;
            }
            switch (o) {
                case String s -> {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    out.write('X');
                    out.writeBytes(le(4).putInt(b.length).array());
                    out.writeBytes(b);
                    memoize(o);
                }
                case Global g -> {
                    out.write('c');
                    out.writeBytes((g.module() + "\n" + g.name() + "\n").getBytes(StandardCharsets.US_ASCII));
                    memoize(o);
                }
                case Tuple t -> {
                    int len = t.items().length;
                    if (len == 0) {
                        out.write(')');
                        return;
                    }
                    if (len > 3) out.write('(');
                    for (Object i : t.items()) save(i);
                    out.write(len > 3 ? 't' : 0x84 + len);
                    memoize(o);
                }
                case Dict d -> {
                    if (d.ordered()) {
                        save(global("collections", "OrderedDict"));
                        save(new Tuple());
                        out.write('R');
                    } else {
                        out.write('}');
                    }
                    memoize(o);
                    batchItems(d.items());
                    if (d.ordered() && d.state() != null) {
                        save(d.state());
                        out.write('b');
                    }
                }
                case Tensor t -> {
                    TensorSpec s = t.spec();
                    save(global("torch._utils", "_rebuild_tensor_v2"));
                    save(new Tuple(
                            new Persistent(s.storage()),
                            s.offset(),
                            longs(s.shape()),
                            longs(s.stride()),
                            false,
                            new Dict(true, List.of(), null)));
                    out.write('R');
                    memoize(o);
                }
                default -> throw new IllegalArgumentException(o.toString());
            }
        }

        private static Tuple longs(long[] v) {
            Object[] o = new Object[v.length];
            for (int i = 0; i < v.length; i++) o[i] = v[i];
            return new Tuple(o);
        }

        private void batchItems(List<Object[]> items) {
            for (int from = 0; from < items.size(); from += 1000) {
                List<Object[]> batch = items.subList(from, Math.min(items.size(), from + 1000));
                if (batch.size() == 1) {
                    save(batch.get(0)[0]);
                    save(batch.get(0)[1]);
                    out.write('s');
                } else {
                    out.write('(');
                    for (Object[] kv : batch) {
                        save(kv[0]);
                        save(kv[1]);
                    }
                    out.write('u');
                }
            }
        }

        private void saveInt(long v) {
            if (v >= 0 && v < 0x100) {
                out.write('K');
                out.write((int) v);
            } else if (v >= 0 && v < 0x10000) {
                out.write('M');
                out.writeBytes(le(2).putShort((short) v).array());
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                out.write('J');
                out.writeBytes(le(4).putInt((int) v).array());
            } else {
                // LONG1: minimal little-endian two's complement.
                byte[] b = le(8).putLong(v).array();
                int n = 8;
                while (n > 1 && ((b[n - 1] == 0 && b[n - 2] >= 0) || (b[n - 1] == -1 && b[n - 2] < 0))) n--;
                out.write(0x8a);
                out.write(n);
                out.write(b, 0, n);
            }
        }

        private void memoize(Object o) {
            int i = memo.size();
            memo.put(o, i);
            if (i < 256) {
                out.write('q');
                out.write(i);
            } else {
                out.write('r');
                out.writeBytes(le(4).putInt(i).array());
            }
        }
    }
}
