package org.mcpjava.codecs;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.mcpjava.codec.CodecRegistry;
import org.mcpjava.core.McpException;
import org.mcpjava.core.Payload;
import org.mcpjava.wire.ErrorCode;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Test types and helpers shared by the codec tests. */
public final class Samples {
    private Samples() {
    }

    /** A request record with nested collections and a java.time value. */
    public record Greeting(String name, int times, List<String> tags, Map<String, Long> scores, Instant at) {
        static Greeting sample() {
            return new Greeting("ada", 3, List.of("a", "b"), Map.of("x", 1L, "y", Long.MAX_VALUE),
                    Instant.parse("2025-01-02T03:04:05.123456789Z"));
        }
    }

    /** A reply record. */
    public record Reply(String text, long length) {
    }

    /** A JavaBean-style POJO. */
    public static final class Account {
        private String owner;
        private double balance;
        private boolean active;

        public Account() {
        }

        Account(String owner, double balance, boolean active) {
            this.owner = owner;
            this.balance = balance;
            this.active = active;
        }

        public String getOwner() {
            return owner;
        }

        public void setOwner(String owner) {
            this.owner = owner;
        }

        public double getBalance() {
            return balance;
        }

        public void setBalance(double balance) {
            this.balance = balance;
        }

        public boolean isActive() {
            return active;
        }

        public void setActive(boolean active) {
            this.active = active;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Account && Objects.equals(owner, ((Account) o).owner)
                    && balance == ((Account) o).balance && active == ((Account) o).active;
        }

        @Override
        public int hashCode() {
            return Objects.hash(owner, balance, active);
        }

        @Override
        public String toString() {
            return "Account(" + owner + ", " + balance + ", " + active + ")";
        }
    }

    /** Heap and direct (pooled) allocators, for {@code @MethodSource}. */
    static Stream<ByteBufAllocator> allocators() {
        return Stream.of(UnpooledByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT);
    }

    /** Encodes with codec {@code id} and decodes back, releasing the payload. */
    static <T> T roundTrip(CodecRegistry registry, ByteBufAllocator alloc, int id, Object value, Class<T> type) {
        Payload payload = registry.encode(alloc, id, value);
        try {
            assertEquals(id, payload.codec());
            return registry.decode(payload, type);
        } finally {
            payload.release();
            assertEquals(0, payload.refCnt());
        }
    }

    /** Asserts that {@code call} throws McpException with INVALID_PAYLOAD. */
    static McpException assertInvalidPayload(Supplier<?> call) {
        McpException e = assertThrows(McpException.class, call::get);
        assertEquals(ErrorCode.INVALID_PAYLOAD.code(), e.code(), e.getMessage());
        return e;
    }
}
