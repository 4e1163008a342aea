package org.mcpjava.broker.topic;

/**
 * A small hash map from level text to a value whose lookup takes a region of a larger string, so
 * that matching a topic finds each level's child without a substring. Chained buckets, power-of-two
 * table, grows at 3/4 load and shrinks below 1/8. Not thread-safe: {@link TopicTree} guards it with its lock.
 */
final class LevelTable<V> {
    private static final int INITIAL_CAPACITY = 4;

    private static final class Entry<V> {
        final String key;
        final int hash;
        V value;
        Entry<V> next;

        Entry(String key, int hash, V value, Entry<V> next) {
            this.key = key;
            this.hash = hash;
            this.value = value;
            this.next = next;
        }
    }

    private Entry<V>[] table = newTable(INITIAL_CAPACITY);
    private int size;

    @SuppressWarnings("unchecked")
    private static <V> Entry<V>[] newTable(int capacity) {
        return (Entry<V>[]) new Entry<?>[capacity];
    }

    /** Hash of {@code s[start, end)}; the same for a key and for a region with equal text. */
    static int hash(String s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h ^ (h >>> 16);
    }

    /** The value for the level {@code s[start, end)}, or {@code null}. */
    V get(String s, int start, int end) {
        int h = hash(s, start, end);
        int len = end - start;
        for (Entry<V> e = table[h & (table.length - 1)]; e != null; e = e.next) {
            if (e.hash == h && e.key.length() == len && e.key.regionMatches(0, s, start, len)) {
                return e.value;
            }
        }
        return null;
    }

    /** The value for {@code key}, or {@code null}. */
    V get(String key) {
        return get(key, 0, key.length());
    }

    /** Sets the value for {@code key}, returning the previous one or {@code null}. */
    V put(String key, V value) {
        int h = hash(key, 0, key.length());
        int i = h & (table.length - 1);
        for (Entry<V> e = table[i]; e != null; e = e.next) {
            if (e.hash == h && e.key.equals(key)) {
                V old = e.value;
                e.value = value;
                return old;
            }
        }
        table[i] = new Entry<>(key, h, value, table[i]);
        if (++size > table.length - (table.length >>> 2)) {
            resize(table.length * 2);
        }
        return null;
    }

    /** Removes {@code key}, returning its value or {@code null}. */
    V remove(String key) {
        int h = hash(key, 0, key.length());
        int i = h & (table.length - 1);
        Entry<V> prev = null;
        for (Entry<V> e = table[i]; e != null; prev = e, e = e.next) {
            if (e.hash == h && e.key.equals(key)) {
                if (prev == null) {
                    table[i] = e.next;
                } else {
                    prev.next = e.next;
                }
                if (--size < table.length >>> 3 && table.length > INITIAL_CAPACITY) {
                    resize(table.length / 2);
                }
                return e.value;
            }
        }
        return null;
    }

    /** Number of keys. */
    int size() {
        return size;
    }

    /** Whether there are no keys. */
    boolean isEmpty() {
        return size == 0;
    }

    private void resize(int capacity) {
        Entry<V>[] old = table;
        Entry<V>[] grown = newTable(capacity);
        int mask = grown.length - 1;
        for (Entry<V> head : old) {
            for (Entry<V> e = head, next; e != null; e = next) {
                next = e.next;
                int i = e.hash & mask;
                e.next = grown[i];
                grown[i] = e;
            }
        }
        table = grown;
    }
}
