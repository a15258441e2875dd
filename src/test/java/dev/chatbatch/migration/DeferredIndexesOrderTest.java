package dev.chatbatch.migration;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rebuild's build order, database-free: the likely longest builds first, foreign keys left out. */
class DeferredIndexesOrderTest {

    private static DeferredIndexes.DeferredObject index(String name, int ordinal, String using) {
        return new DeferredIndexes.DeferredObject(name, "index", ordinal,
                "CREATE INDEX " + name + " ON public.chat_messages_v2 USING " + using, "pending", null, null);
    }

    @Test
    void ginAndGistFirstThenMoreKeyColumnsThenRecordedOrderAndBrinLast() {
        List<DeferredIndexes.DeferredObject> recorded = List.of(
                index("author", 0, "btree (author_id)"),
                index("brin_created", 1, "brin (created_at)"),
                index("conversation_created", 2, "btree (conversation_id, created_at)"),
                index("metadata", 3, "gin (metadata)"),
                index("session", 4, "btree (session_id) WHERE (session_id IS NOT NULL)"),
                index("lower_role", 5, "btree (lower(role), coalesce(author_id, conversation_id))"),
                index("period", 6, "gist (tstzrange(created_at, updated_at))"),
                new DeferredIndexes.DeferredObject("conversation_fk", "foreign_key", 7,
                        "FOREIGN KEY (conversation_id) REFERENCES public.conversations(id)", "pending", null, null));

        assertThat(DeferredIndexes.buildOrder(recorded)).extracting(DeferredIndexes.DeferredObject::name)
                .containsExactly("metadata", "period", "conversation_created", "lower_role", "author", "session", "brin_created");
    }

    @Test
    void aDefinitionWithoutUsingKeepsItsPlaceAmongTheBTrees() {
        List<DeferredIndexes.DeferredObject> recorded = List.of(
                index("a", 0, "btree (a)"),
                new DeferredIndexes.DeferredObject("odd", "index", 1, "CREATE INDEX odd ON t (x)", "pending", null, null),
                index("b", 2, "btree (b)"));

        assertThat(DeferredIndexes.buildOrder(recorded)).extracting(DeferredIndexes.DeferredObject::name)
                .containsExactly("a", "odd", "b");
    }
}
