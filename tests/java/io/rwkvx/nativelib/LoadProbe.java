package io.rwkvx.nativelib;

/**
 * Loads the native library in a JVM of its own and says what happened: {@code LOADED <file>} and exit code 0,
 * or {@code FAILED <message>} and exit code 3. {@link NativeLibraryLoadTest} runs it with different class
 * paths and properties, since a JVM loads the library once.
 */
final class LoadProbe {
    private LoadProbe() {}

    public static void main(String[] args) {
        try {
            NativeLibrary.load();
            System.out.println("LOADED " + NativeLibrary.loadedFrom());
        } catch (RuntimeException e) {
            System.out.println("FAILED " + e.getMessage());
            System.exit(3);
        }
    }
}
