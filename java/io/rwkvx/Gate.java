package io.rwkvx;

/**
 * Keeps native resources alive while calls use them. Every native call and every access to memory that a
 * close would free passes through a gate ({@link #enter()} before, {@link #exit()} after); {@link #close}
 * refuses new entries, then waits until the calls in flight have left, so the caller may free what the
 * gate guards.
 *
 * <p>A model has one gate for itself (its executor, backend, arena and mapping) and one per session (the
 * session's state and logits buffer); a session call passes the model's gate, then its own. No user code
 * runs inside a gate (no callback, no user tokenizer), so {@link #close} waits at most for the native calls
 * in flight and cannot deadlock, whichever thread closes, a generation's callback included.
 */
final class Gate {
    private final String closedMessage;
    private int inFlight;
    private boolean closed;

    /** @param closedMessage the message of the {@link IllegalStateException} thrown once closed */
    Gate(String closedMessage) {
        this.closedMessage = closedMessage;
    }

    /** A call begins; throws {@link IllegalStateException} once the gate is closed. */
    synchronized void enter() {
        if (closed) throw new IllegalStateException(closedMessage);
        inFlight++;
    }

    /** The call that {@link #enter() entered} ends. */
    synchronized void exit() {
        if (--inFlight == 0 && closed) notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Throws {@link IllegalStateException} when closed (a cheap early check before preparing a call). */
    synchronized void ensureOpen() {
        if (closed) throw new IllegalStateException(closedMessage);
    }

    /**
     * Refuses new calls and waits (uninterruptibly: what it guards must not be freed under a call) for those
     * in flight.
     *
     * @return true for the first close, false when the gate was already closed
     */
    synchronized boolean close() {
        if (closed) return false;
        closed = true;
        boolean interrupted = false;
        while (inFlight > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return true;
    }
}
