/** The consumer as a module: it can name only what module io.rwkvx exports. */
module rwkvx.consumer {
    requires io.rwkvx;
}
