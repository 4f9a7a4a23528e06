package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.rwkvx.backend.BackendKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Sessions sharing one model's weights run from several threads and give the serial results. */
class ConcurrentSessionsTest {
    @Test
    void parallelSessionsMatchSerialResults() throws Exception {
        String[] prompts = {"alpha beta", "gamma", "delta epsilon zeta", "eta theta", "iota", "kappa lambda mu"};
        try (Model model = TestModels.open(TestModels.FP32, BackendKind.NATIVE)) {
            List<float[]> serial = new ArrayList<>();
            for (String p : prompts)
                try (Session s = model.newSession()) {
                    for (int t : TestModels.bytesOf(p)) s.prefill(t);
                    serial.add(s.logits());
                }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> results = new ArrayList<>();
                for (int round = 0; round < 5; round++)
                    for (String p : prompts)
                        results.add(pool.submit(() -> {
                            try (Session s = model.newSession()) {
                                for (int t : TestModels.bytesOf(p)) s.prefill(t);
                                return s.logits();
                            }
                        }));
                for (int i = 0; i < results.size(); i++)
                    assertArrayEquals(
                            serial.get(i % prompts.length),
                            results.get(i).get(),
                            "prompt " + prompts[i % prompts.length]);
            } finally {
                pool.shutdown();
            }
        }
    }
}
