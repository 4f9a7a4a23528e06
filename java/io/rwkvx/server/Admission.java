package io.rwkvx.server;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded queue in front of the model: at most {@code maxBatch} requests generate at once, at most
 * {@code maxQueue} more wait for a place (first come, first served), and a request beyond those is refused
 * (429) at once rather than queued without bound.
 */
final class Admission {
    private final int capacity;
    private final Semaphore places;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();

    Admission(int maxBatch, int maxQueue) {
        this.capacity = maxBatch + maxQueue;
        this.places = new Semaphore(maxBatch, true);
    }

    /** Requests waiting for a place. */
    int waiting() {
        return waiting.get();
    }

    /** Requests generating now. */
    int running() {
        return running.get();
    }

    /** Joins the queue, or throws the 429 when it is full. Close the ticket when the request ends. */
    Ticket enter() throws ApiError {
        if (admitted.incrementAndGet() > capacity) {
            admitted.decrementAndGet();
            throw new ApiError(
                    429,
                    "rate_limit_exceeded",
                    null,
                    "queue_full",
                    "the server is busy: " + capacity + " requests are generating or waiting; retry later");
        }
        return new Ticket();
    }

    /** One admitted request: waiting, then running, then done. */
    final class Ticket implements AutoCloseable {
        private boolean holdsPlace;
        private boolean closed;

        /** Waits for a place to generate. */
        void awaitPlace() throws InterruptedException {
            waiting.incrementAndGet();
            try {
                places.acquire();
            } finally {
                waiting.decrementAndGet();
            }
            holdsPlace = true;
            running.incrementAndGet();
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (holdsPlace) {
                running.decrementAndGet();
                places.release();
            }
            admitted.decrementAndGet();
        }
    }
}
