package io.rwkvx.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted unpickler for the {@code data.pkl} of a torch.save checkpoint. It evaluates only the
 * pickle opcodes a state dict of tensors needs (protocols 2 to 5) and builds plain values instead of
 * Python objects; {@code GLOBAL} accepts only {@link #ALLOWED} (OrderedDict, the tensor rebuild functions
 * and the legacy storage types), so a pickle that names anything else (os.system, builtins.eval, numpy,
 * a user class) is refused before anything is built. Persistent ids become {@link StorageRef}s and
 * {@code _rebuild_tensor_v2} calls become {@link TensorRef}s; {@link PthReader} turns those into tensors.
 */
final class PthUnpickler {
    /** A Python tuple. */
    record PyTuple(List<Object> items) {}

    /** A dict or OrderedDict (insertion order kept); BUILD state (a state dict's {@code _metadata}) is dropped. */
    static final class PyDict {
        final Map<Object, Object> map = new LinkedHashMap<>();
    }

    /** An allowed global, pushed by GLOBAL / STACK_GLOBAL. */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A persistent id {@code ('storage', torch.<T>Storage, key, location, numel)}: archive entry {@code data/<key>}. */
    record StorageRef(String storageType, String key, String location, long numel) {}

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, ...)}: offset and strides in elements. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {}

    /** Storage classes torch.save names in persistent ids (TypedStorage._pickle_storage_type()). */
    static final Set<String> STORAGE_TYPES = Set.of(
            "FloatStorage",
            "HalfStorage",
            "BFloat16Storage",
            "DoubleStorage",
            "LongStorage",
            "IntStorage",
            "ShortStorage",
            "CharStorage",
            "ByteStorage",
            "BoolStorage");

    private static final Set<String> ALLOWED = allowed();

    private static Set<String> allowed() {
        List<String> a = new ArrayList<>(List.of(
                "collections.OrderedDict",
                "torch._utils._rebuild_tensor_v2",
                "torch._utils._rebuild_parameter",
                "torch._utils._rebuild_parameter_with_state"));
        for (String s : STORAGE_TYPES) a.add("torch." + s);
        return Set.copyOf(a);
    }

    private static final Object MARK = new Object();

    private final MemorySegment data;
    private final String source, entry;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private long pos, opAt;
    private int op;

    private PthUnpickler(MemorySegment data, String source, String entry) {
        this.data = data;
        this.source = source;
        this.entry = entry;
    }

    /**
     * Evaluates the pickle in {@code data} (the bytes of archive entry {@code entry} of file {@code source}).
     *
     * @return the top-level value: {@link PyDict}, {@link PyTuple}, {@link List}, {@link TensorRef},
     *         {@link String}, {@link Long}, {@link Double}, {@link Boolean} or null
     * @throws ModelFormatException for a refused global, an unknown opcode or a malformed pickle, with the byte offset
     */
    static Object load(MemorySegment data, String source, String entry) {
        return new PthUnpickler(data, source, entry).run();
    }

    private Object run() {
        while (true) {
            opAt = pos;
            op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v < 2 || v > 5) throw error("pickle protocol " + v + " is not supported (expected 2 to 5)");
                }
                case 0x95 -> bytes(8); // FRAME: a length hint only
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> { // MARK
                    marks.add(stack.size());
                }
                case '}' -> push(new PyDict()); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(new PyTuple(List.of())); // EMPTY_TUPLE
                case 'N' -> push(null); // NONE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'J' -> push((long) le(4, true)); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push(le(2, false)); // BININT2
                case 0x8a -> push(long1()); // LONG1
                case 'G' -> push(Double.longBitsToDouble(be8())); // BINFLOAT
                case 'X' -> push(utf8(le(4, false))); // BINUNICODE
                case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(le(8, false))); // BINUNICODE8
                case 0x85 -> push(new PyTuple(popN(1))); // TUPLE1
                case 0x86 -> push(new PyTuple(popN(2))); // TUPLE2
                case 0x87 -> push(new PyTuple(popN(3))); // TUPLE3
                case 't' -> push(new PyTuple(popMark())); // TUPLE
                case 'q' -> memo.put((long) u8(), top()); // BINPUT
                case 'r' -> memo.put(le(4, false), top()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(le(4, false))); // LONG_BINGET
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case 's' -> { // SETITEM
                    Object v = pop(), k = pop();
                    dict(top()).map.put(key(k), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> kv = popMark();
                    if (kv.size() % 2 != 0) throw error("SETITEMS with an odd number of items");
                    PyDict d = dict(top());
                    for (int i = 0; i < kv.size(); i += 2) d.map.put(key(kv.get(i)), kv.get(i + 1));
                }
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(top()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> vs = popMark();
                    list(top()).addAll(vs);
                }
                case 'c' -> push(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL needs two strings, found " + type(module) + " and " + type(name));
                    }
                    push(global(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop(), func = pop();
                    if (!(func instanceof Global g)) throw error("REDUCE on " + type(func) + ", not an allowed global");
                    if (!(args instanceof PyTuple t))
                        throw error("REDUCE with " + type(args) + " arguments, expected a tuple");
                    push(call(g, t.items()));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    Object target = top();
                    // OrderedDict.__reduce__ passes the instance __dict__ (a state dict's _metadata): not needed.
                    if (!(target instanceof PyDict) || !(state == null || state instanceof PyDict)) {
                        throw error("BUILD on " + type(target) + " with " + type(state)
                                + " is not supported (only a dict's attributes)");
                    }
                }
                case 'Q' -> push(storage(pop())); // BINPERSID
                default ->
                    throw new ModelFormatException(source + ": " + entry + ": unsupported pickle opcode "
                            + String.format("0x%02x", op) + (op >= 0x21 && op < 0x7f ? " ('" + (char) op + "')" : "")
                            + " at byte offset " + opAt + " (only the opcodes of tensor state dicts are supported)");
            }
        }
    }

    private Object global(String module, String name) {
        String q = module + "." + name;
        if (!ALLOWED.contains(q)) {
            throw new ModelFormatException(source + ": refusing to unpickle global '" + q
                    + "' (only tensor checkpoints are supported; " + entry + " byte offset " + opAt + ")");
        }
        return new Global(module, name);
    }

    private Object call(Global g, List<Object> args) {
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                if (!args.isEmpty())
                    throw error("OrderedDict called with arguments " + args.size() + "; expected none");
                return new PyDict();
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.size() != 6 && args.size() != 7) {
                    throw error("_rebuild_tensor_v2 with " + args.size() + " arguments; expected 6 or 7");
                }
                if (!(args.get(0) instanceof StorageRef s)) {
                    throw error("_rebuild_tensor_v2: argument 0 is " + type(args.get(0)) + ", not a storage");
                }
                if (!(args.get(1) instanceof Long offset) || offset < 0) {
                    throw error("_rebuild_tensor_v2: storage offset " + describe(args.get(1))
                            + " is not a non-negative int");
                }
                return new TensorRef(s, offset, ints(args.get(2), "size"), ints(args.get(3), "stride"));
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                // nn.Parameter(data, requires_grad, hooks[, state]): the tensor is all we need.
                if (args.isEmpty() || !(args.get(0) instanceof TensorRef t)) {
                    throw error(g.name() + ": first argument is not a tensor");
                }
                return t;
            }
            default -> throw error("global '" + g.qualified() + "' cannot be called");
        }
    }

    private StorageRef storage(Object pid) {
        if (pid instanceof PyTuple t
                && t.items().size() == 5
                && "storage".equals(t.items().get(0))
                && t.items().get(1) instanceof Global g
                && g.module().equals("torch")
                && STORAGE_TYPES.contains(g.name())
                && t.items().get(2) instanceof String key
                && t.items().get(3) instanceof String location
                && t.items().get(4) instanceof Long numel
                && numel >= 0) {
            return new StorageRef(g.name(), key, location, numel);
        }
        throw error("persistent id " + describe(pid) + " is not ('storage', torch.<T>Storage, key, location, numel)");
    }

    private long[] ints(Object v, String what) {
        if (!(v instanceof PyTuple t)) throw error("_rebuild_tensor_v2: " + what + " is " + type(v) + ", not a tuple");
        long[] out = new long[t.items().size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.items().get(i) instanceof Long l)) {
                throw error("_rebuild_tensor_v2: " + what + " holds "
                        + type(t.items().get(i)) + ", not an int");
            }
            out[i] = l;
        }
        return out;
    }

    /**
     * A dict key as Python allows it: lists and dicts are unhashable (TypeError in Python), and so is a tuple
     * holding one. Refusing them also keeps a list that contains itself (built with the memo) out of
     * {@code hashCode}, which would recurse without end.
     */
    private Object key(Object k) {
        if (!hashable(k, 0)) throw error("unhashable dict key " + type(k));
        return k; // PyTuple is a record, String/Long/Boolean/null have value equality: all hash like Python's.
    }

    private static boolean hashable(Object o, int depth) {
        if (o instanceof PyDict || o instanceof List<?>) return false;
        if (o instanceof PyTuple t) {
            // A tuple is built from finished values, so nesting is finite; the depth cap only bounds the stack.
            if (depth > 64) return false;
            for (Object i : t.items()) if (!hashable(i, depth + 1)) return false;
        }
        return true;
    }

    private PyDict dict(Object o) {
        if (o instanceof PyDict d) return d;
        throw error("SETITEM(S) on " + type(o) + ", not a dict");
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw error("APPEND(S) on " + type(o) + ", not a list");
    }

    private Object memoGet(long i) {
        if (!memo.containsKey(i)) throw error("memo entry " + i + " was never stored");
        return memo.get(i);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object top() {
        if (stack.size() <= floor()) throw error("stack underflow");
        return stack.get(stack.size() - 1);
    }

    private Object pop() {
        if (stack.size() <= floor()) throw error("stack underflow");
        return stack.remove(stack.size() - 1);
    }

    private List<Object> popN(int n) {
        if (stack.size() - floor() < n) throw error("stack underflow");
        List<Object> sub = stack.subList(stack.size() - n, stack.size());
        List<Object> out = new ArrayList<>(sub);
        sub.clear();
        return out;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) throw error("no MARK before this opcode");
        int m = marks.remove(marks.size() - 1);
        List<Object> sub = stack.subList(m, stack.size());
        List<Object> out = new ArrayList<>(sub);
        sub.clear();
        return out;
    }

    /** Objects below the innermost MARK belong to an enclosing construct. */
    private int floor() {
        return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    }

    private int u8() {
        need(1);
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, pos++));
    }

    private byte[] bytes(long n) {
        need(n);
        byte[] b = data.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
        pos += n;
        return b;
    }

    /** A little-endian integer of {@code n} bytes (n = 2, 4, 8), sign-extended when {@code signed}. */
    private long le(int n, boolean signed) {
        byte[] b = bytes(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xff);
        if (signed && n < 8) v = (v << (64 - 8 * n)) >> (64 - 8 * n);
        if (!signed && n == 8 && v < 0) throw error("length " + Long.toUnsignedString(v) + " is implausible");
        return v;
    }

    private long be8() {
        return ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getLong();
    }

    private long long1() {
        int n = u8();
        if (n > 8) throw error("LONG1 integer of " + n + " bytes does not fit in 64 bits");
        if (n == 0) return 0;
        return le8(bytes(n));
    }

    private static long le8(byte[] b) {
        long v = b[b.length - 1]; // sign-extends the most significant byte
        for (int i = b.length - 2; i >= 0; i--) v = (v << 8) | (b[i] & 0xff);
        return v;
    }

    private String utf8(long n) {
        if (n < 0 || n > data.byteSize() - pos) need(n < 0 ? Long.MAX_VALUE : n);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes(n)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error("string is not valid UTF-8");
        }
    }

    /** A GLOBAL operand: bytes up to a newline. */
    private String line() {
        long start = pos;
        while (true) {
            if (pos - start > 1024) throw error("GLOBAL name longer than 1024 bytes");
            if (u8() == '\n') break;
        }
        return new String(data.asSlice(start, pos - 1 - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private void need(long n) {
        if (n > data.byteSize() - pos) {
            throw new ModelFormatException(source + ": " + entry + " is truncated: opcode "
                    + String.format("0x%02x", op) + " at byte offset " + opAt + " needs bytes past its end ("
                    + data.byteSize() + " bytes)");
        }
    }

    private ModelFormatException error(String what) {
        return new ModelFormatException(source + ": " + entry + " byte offset " + opAt + " (opcode "
                + String.format("0x%02x", op) + "): malformed checkpoint pickle: " + what);
    }

    static String type(Object o) {
        if (o == null) return "None";
        if (o == MARK) return "a mark";
        if (o instanceof String) return "a str";
        if (o instanceof Long) return "an int";
        if (o instanceof Double) return "a float";
        if (o instanceof Boolean) return "a bool";
        if (o instanceof PyTuple) return "a tuple";
        if (o instanceof PyDict) return "a dict";
        if (o instanceof List<?>) return "a list";
        if (o instanceof Global g) return "global " + g.qualified();
        if (o instanceof StorageRef) return "a storage";
        if (o instanceof TensorRef) return "a tensor";
        return o.getClass().getSimpleName();
    }

    /** A short description of a value for a message: never the whole (possibly self-containing) value. */
    static String describe(Object o) {
        if (o instanceof String s) return "'" + s + "'";
        if (o instanceof Long l) return l.toString();
        if (o instanceof PyTuple t) {
            List<String> parts = new ArrayList<>();
            for (Object i : t.items())
                parts.add(i instanceof String s ? "'" + s + "'" : i instanceof Long l ? l.toString() : type(i));
            return "(" + String.join(", ", parts) + ")";
        }
        return type(o);
    }

    @Override
    public String toString() {
        return source + ": " + entry + " at " + pos + ", stack " + Arrays.toString(stack.toArray());
    }
}
