package dev.chatbatch.migration;

/**
 * The PL/pgSQL bodies of the mirror triggers, v1 → v2 (up) and, after cutover, v2 → v1 ({@code down}). A
 * body runs the set-based write of {@link MirrorWrites}, collects the keys the quarantine must settle and
 * hands them to it ({@link QuarantineFunctions}) at the end. A row whose mapping or write fails goes to the
 * rejects ('error' up, 'down_error' down) and the application's statement goes on.
 *
 * <p>Statement-level bodies first mirror the whole statement set-based; only if that raises does the
 * exception handler redo the statement's rows one by one, each in a block of its own. A PL/pgSQL block
 * with an EXCEPTION clause starts a subtransaction every time it is entered: once per statement on the
 * fast path, once per row on the slow path and in row-level mode.
 */
final class MirrorBodies {

    /**
     * A statement-level body over the transition tables. Placeholders: declarations, the loop guard's entry,
     * the set-based write, append pieces, reset keys, the loop over gone old rows (or nothing), the loop over
     * new rows (or nothing), the loop guard's exit, the settle call.
     */
    private static final String STATEMENT_BODY = """
            %sBEGIN
            %s  cbv_conflict := NULL;
              BEGIN
                %s;
                %s
              EXCEPTION WHEN OTHERS THEN
                -- some row's mapping or write failed: redo the rows one by one, quarantining the failing ones
                %s
                cbv_conflict := NULL;
            %s%s  END;
            %s%s  RETURN NULL;
            END""";

    /** Old rows no new row keeps (DELETE, or a key-changing UPDATE), one by one. Placeholders: filter, row block. */
    private static final String OLD_ROWS_LOOP = """
                FOR cbv_o IN SELECT o.* FROM old_rows AS o%s LOOP
            %s    END LOOP;
            """;

    /** New rows of an UPDATE, each with its old row if any. Placeholders: a key column of o, o's and n's key tuples, row block. */
    private static final String PAIRS_LOOP = """
                FOR cbv_pair IN SELECT n AS nr, o AS orow, (%s IS NOT NULL) AS has FROM new_rows AS n LEFT JOIN old_rows AS o ON %s = %s LOOP
                  cbv_r := cbv_pair.nr; cbv_o := cbv_pair.orow; cbv_has := cbv_pair.has;
            %s    END LOOP;
            """;

    /** New rows of an INSERT, one by one. Placeholder: row block. */
    private static final String NEW_ROWS_LOOP = """
                FOR cbv_r IN SELECT * FROM new_rows LOOP
            %s    END LOOP;
            """;

    /**
     * A row-level body over NEW / OLD. Placeholders: declarations, the loop guard's entry, insert block, 2 and 3
     * OLD's and NEW's key tuples, a key-changing update's blocks (old leaving, new arriving), an update's block,
     * delete block, the loop guard's exit, settle call.
     */
    private static final String ROW_BODY = """
            %sBEGIN
            %s  cbv_conflict := NULL;
              IF TG_OP = 'INSERT' THEN
            %s  ELSIF TG_OP = 'UPDATE' THEN
                IF %s IS DISTINCT FROM %s THEN
            %s%s    ELSE
            %s    END IF;
              ELSE
            %s  END IF;
            %s%s  RETURN NULL;
            END""";

    /** One row's write in a block of its own. Placeholders: the write, append pieces, stale-version drop (or nothing), append key. */
    private static final String GUARDED_ROW = """
                  BEGIN
                %s;
                    %s
                  EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS cbv_msg = MESSAGE_TEXT, cbv_state = RETURNED_SQLSTATE;
            %s        %s
                  END;
            """;

    /** Removes the row's stale version from the other side, where it is the row's own. Placeholder: the DELETE. */
    private static final String DROP_STALE = """
                    BEGIN
                      %s;
                    EXCEPTION WHEN OTHERS THEN NULL;
                    END;
            """;

    /**
     * The loop guard's entry. From cutover until complete both mirrors are on, so a write one mirror makes
     * into the other table must not be mirrored back. The mirror marks its own writes with a
     * transaction-local setting (placeholders: the setting, the migration literal), and a mirror that finds
     * it set skips the write. pg_trigger_depth() would also stop the loop, but it cannot tell the other
     * mirror from any other trigger: a v1 write made by an application trigger on another table, or by an
     * ON DELETE CASCADE, would go unmirrored. A statement that fails inside the mirror rolls the setting back
     * with it (it is a subtransaction's or the transaction's), so it never outlives the write it marks.
     */
    private static final String LOOP_GUARD = """
              IF current_setting('%1$s', true) = %2$s THEN
                RETURN NULL; -- written by the other mirror of this migration, from the table this one mirrors into
              END IF;
              PERFORM set_config('%1$s', %2$s, true);
            """;

    /** The loop guard's exit: the writes of this mirror are done. Placeholder: the setting. */
    private static final String LOOP_RELEASE = """
              PERFORM set_config('%s', '', true);
            """;

    private final KeyRanges keys;
    private final RowMapping rows;
    private final String loopGuard;
    private final String loopRelease;
    private final MirrorWrites writes;
    private final CollectedKeys collected;

    MirrorBodies(MigrationSpec spec, ObjectNames names, KeyRanges keys, RowMapping rows) {
        this.keys = keys;
        this.rows = rows;
        this.writes = new MirrorWrites(spec, keys, rows);
        this.collected = new CollectedKeys(spec, names, keys, rows);
        this.loopGuard = LOOP_GUARD.formatted(ObjectNames.MIRRORING_SETTING, names.literal());
        this.loopRelease = LOOP_RELEASE.formatted(ObjectNames.MIRRORING_SETTING);
    }

    /**
     * A statement-level trigger body (v1 → v2, or v2 → v1 when {@code down}) over the transition tables
     * new_rows / old_rows: the set-based fast path, and only when it raises the rows one by one.
     */
    String statementBody(boolean down, boolean hasNew, boolean hasOld) {
        String newRel = hasNew ? "new_rows" : null;
        String oldRel = hasOld ? "old_rows" : null;
        int version = hasOld ? 2 : 1;
        String oldLoop = "";
        if (hasOld) {
            String gone = hasNew ? " WHERE NOT EXISTS (SELECT 1 FROM new_rows AS n WHERE " + keys.tuple("n") + " = " + keys.tuple("o") + ")" : "";
            oldLoop = OLD_ROWS_LOOP.formatted(gone, guardedRow(down, "cbv_o", null, "(SELECT cbv_o.* OFFSET 0)", version));
        }
        String newLoop = "";
        if (hasNew && hasOld) {
            newLoop = PAIRS_LOOP.formatted(keys.columns("o").get(0), keys.tuple("o"), keys.tuple("n"),
                    guardedRow(down, "cbv_r", "(SELECT cbv_r.* OFFSET 0)", "(SELECT cbv_o.* WHERE cbv_has OFFSET 0)", version));
        } else if (hasNew) {
            newLoop = NEW_ROWS_LOOP.formatted(guardedRow(down, "cbv_r", "(SELECT cbv_r.* OFFSET 0)", null, version));
        }
        return STATEMENT_BODY.formatted(collected.declarations(down), loopGuard, write(down, newRel, oldRel, version), collected.appendPieces(),
                collected.reset(), oldLoop, newLoop, loopRelease, collected.settle(down));
    }

    /**
     * A row-level trigger body: the same statements over NEW / OLD, the row in a block of its own. One row is
     * read through {@code (SELECT NEW.* OFFSET 0)}: without the fence the planner would fold the mapping of the
     * row's values as constants while planning, so a mapping that fails would fail the statement even where
     * the row is rejected by a rule or has no mirror to compare with.
     */
    String rowBody(boolean down) {
        String newRow = "(SELECT NEW.* OFFSET 0)";
        String oldRow = "(SELECT OLD.* OFFSET 0)";
        return ROW_BODY.formatted(collected.declarations(down), loopGuard, guardedRow(down, "NEW", newRow, null, 1), keys.tuple("OLD"), keys.tuple("NEW"),
                // a key-changing update is the old key leaving and the new key arriving
                guardedRow(down, "OLD", null, oldRow, 2), guardedRow(down, "NEW", newRow, null, 2),
                guardedRow(down, "NEW", newRow, oldRow, 2), guardedRow(down, "OLD", null, oldRow, 2), loopRelease, collected.settle(down));
    }

    private String write(boolean down, String newRel, String oldRel, int version) {
        return down ? writes.down(newRel, oldRel) : writes.up(newRel, oldRel, version);
    }

    /**
     * One row's mirror statement in its own block: a failure quarantines the row (the key of row variable
     * {@code row}) and removes its stale version from the other side.
     */
    private String guardedRow(boolean down, String row, String newRel, String oldRel, int version) {
        String dropStale = "";
        if (oldRel != null && newRel != null) {
            // no stale version may stay on the other side: remove it, as the writer, where it is the row's own
            dropStale = DROP_STALE.formatted(down
                    ? "DELETE FROM " + rows.source() + " AS s USING " + oldRel + " AS t WHERE " + keys.tuple("s") + " = " + keys.tuple("t")
                    : "DELETE FROM " + rows.target() + " AS t USING " + oldRel + " AS s WHERE " + keys.tuple("t") + " = " + keys.tuple("s")
                    + " AND " + rows.isMirror());
        }
        return GUARDED_ROW.formatted(write(down, newRel, oldRel, version), collected.appendPieces(), dropStale,
                collected.append(row, down ? "'down_error'" : "'error'", "cbv_msg || ' (SQLSTATE ' || cbv_state || ')'"));
    }
}
