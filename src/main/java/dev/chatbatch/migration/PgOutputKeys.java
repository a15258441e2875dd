package dev.chatbatch.migration;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the keys of changed rows out of a stream of pgoutput messages (protocol version 1, as the replication
 * stream sends them, one message at a time): only Relation, Begin, Insert, Update, Delete and Commit matter;
 * every other message is skipped. Only keys are read, never the rest of a row: the applier re-syncs each key
 * from v1's current row, so what a change wrote does not matter, only that the key changed.
 *
 * <p>pgoutput sends a transaction whole, when it commits, from Begin to Commit; keys of a transaction whose
 * Commit has not arrived yet are held apart and handed out ({@link #take}) only with that Commit, so a caller
 * never applies, nor confirms, part of a transaction. One instance per replication connection: pgoutput
 * describes a relation once per connection, before its first change.
 *
 * <p>A key-changing UPDATE yields both keys (the old one from the 'K' or 'O' tuple, which pgoutput sends only
 * then, or always under REPLICA IDENTITY FULL); a DELETE yields its key from that tuple. Key values come as
 * text in the type's output format, which is how keys are bound everywhere ({@code CAST(? AS type)}).
 */
final class PgOutputKeys {

    /**
     * Committed transactions taken together: their changed keys (spec key order, as text) and the end of the
     * last Commit (the position to confirm once they are applied; 0 if none).
     */
    record Decoded(Set<List<String>> keys, long lastCommitEnd, long transactions, long changes) {
    }

    private final List<String> keyColumns;
    /** relation oid → positions of the key columns in its tuples (spec order); relations pgoutput described. */
    private final Map<Integer, int[]> relations = new HashMap<>();
    /** Keys of committed transactions not yet taken, and of the open one. */
    private Set<List<String>> committed = new LinkedHashSet<>();
    private final Set<List<String>> open = new LinkedHashSet<>();
    private boolean inTransaction;
    private long openChanges;
    private long lastCommitEnd;
    private long transactions;
    private long changes;

    PgOutputKeys(List<String> keyColumns) {
        this.keyColumns = keyColumns;
    }

    /** Decodes one message ({@code message} positioned at its type byte). */
    void accept(ByteBuffer b) {
        char type = (char) b.get();
        switch (type) {
            case 'R' -> relation(b);
            case 'B' -> {
                inTransaction = true;
                open.clear();
                openChanges = 0;
            }
            case 'I' -> {
                int rel = b.getInt();
                expect(b, 'N');
                open.add(tupleKey(rel, b));
                openChanges++;
            }
            case 'U' -> {
                int rel = b.getInt();
                char t = (char) b.get();
                if (t == 'K' || t == 'O') {
                    open.add(tupleKey(rel, b));
                    t = (char) b.get();
                }
                if (t != 'N') {
                    throw new IllegalStateException("pgoutput update message without its new tuple");
                }
                open.add(tupleKey(rel, b));
                openChanges++;
            }
            case 'D' -> {
                int rel = b.getInt();
                char t = (char) b.get();
                if (t != 'K' && t != 'O') {
                    throw new IllegalStateException("pgoutput delete message without the old key");
                }
                open.add(tupleKey(rel, b));
                openChanges++;
            }
            case 'C' -> {
                b.get(); // flags
                b.getLong(); // the commit record's position
                lastCommitEnd = b.getLong(); // the end of the commit record: confirming it skips this transaction
                committed.addAll(open);
                changes += openChanges;
                transactions++;
                open.clear();
                openChanges = 0;
                inTransaction = false;
            }
            default -> {
                // Origin, Type, Truncate (refused on v1 by its guard trigger), Message: no key in them
            }
        }
    }

    /** Whether a transaction's Begin arrived and its Commit not yet. */
    boolean inTransaction() {
        return inTransaction;
    }

    /** Changes of the committed transactions not taken yet. */
    long pendingChanges() {
        return changes;
    }

    /** Committed transactions not taken yet. */
    long pendingTransactions() {
        return transactions;
    }

    /** Hands out the committed transactions' keys and forgets them (the open transaction stays). */
    Decoded take() {
        Decoded d = new Decoded(committed, lastCommitEnd, transactions, changes);
        committed = new LinkedHashSet<>();
        transactions = 0;
        changes = 0;
        return d;
    }

    private void relation(ByteBuffer b) {
        int oid = b.getInt();
        string(b); // namespace
        string(b); // relation name
        b.get(); // replica identity
        int n = b.getShort();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            b.get(); // flags
            names.add(string(b));
            b.getInt(); // type oid
            b.getInt(); // type modifier
        }
        int[] positions = new int[keyColumns.size()];
        for (int k = 0; k < keyColumns.size(); k++) {
            positions[k] = names.indexOf(keyColumns.get(k));
            if (positions[k] < 0) {
                throw new IllegalStateException("the published table has no key column " + keyColumns.get(k));
            }
        }
        relations.put(oid, positions);
    }

    /**
     * The key of one TupleData. A key column sent as "unchanged TOAST" (a key value large enough to be stored
     * out of line, which an index key of a usable migration key never is) is refused rather than guessed.
     */
    private List<String> tupleKey(int rel, ByteBuffer b) {
        int[] positions = relations.get(rel);
        if (positions == null) {
            throw new IllegalStateException("pgoutput change for relation " + rel + " before its Relation message");
        }
        int n = b.getShort();
        String[] values = new String[n];
        boolean unchanged = false;
        for (int c = 0; c < n; c++) {
            char kind = (char) b.get();
            switch (kind) {
                case 'n' -> values[c] = null;
                case 'u' -> values[c] = null;
                case 't', 'b' -> {
                    byte[] v = new byte[b.getInt()];
                    b.get(v);
                    values[c] = new String(v, StandardCharsets.UTF_8);
                }
                default -> throw new IllegalStateException("pgoutput tuple column of unknown kind '" + kind + "'");
            }
        }
        List<String> key = new ArrayList<>(positions.length);
        for (int p : positions) {
            if (values[p] == null) {
                unchanged = true;
            }
            key.add(values[p]);
        }
        if (unchanged) {
            throw new IllegalStateException("a change to " + keyColumns + " came without its key value (a TOASTed key?)");
        }
        return key;
    }

    /** Seconds since the commit of the transaction whose Begin message this is (its timestamp: µs since 2000-01-01). */
    static Double beginAgeSeconds(byte[] begin) {
        ByteBuffer b = ByteBuffer.wrap(begin);
        if (b.get() != 'B') {
            return null;
        }
        b.getLong(); // final LSN
        long micros = b.getLong();
        long epochMicros = micros + 946_684_800_000_000L;
        return Math.max(0, (System.currentTimeMillis() * 1000 - epochMicros) / 1e6);
    }

    private static void expect(ByteBuffer b, char tag) {
        char t = (char) b.get();
        if (t != tag) {
            throw new IllegalStateException("pgoutput: expected tuple '" + tag + "', found '" + t + "'");
        }
    }

    private static String string(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // to the terminating zero byte
        }
        return new String(b.array(), start, b.position() - start - 1, StandardCharsets.UTF_8);
    }
}
