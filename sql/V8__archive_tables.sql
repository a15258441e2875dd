-- V8: archive tables for the retention jobs (SPEC section 6):
--   session-retention copies finished sessions here before deleting them,
--   memory-decay copies expired working memories here before deleting them.
-- Same columns as the live table (LIKE, so the embedding type follows V5's choice),
-- plus archived_at. No foreign keys: archived rows outlive their parents. The
-- primary key makes a re-run of an interrupted chunk a no-op (ON CONFLICT DO NOTHING).
-- archive.chat_messages is deliberately absent: the v1->v2 migration's "complete"
-- step moves public.chat_messages into schema archive as it is.

CREATE TABLE archive.conversation_sessions (
    LIKE public.conversation_sessions INCLUDING DEFAULTS,
    archived_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id)
);

CREATE INDEX conversation_sessions_archived_at_idx ON archive.conversation_sessions (archived_at);
CREATE INDEX conversation_sessions_conversation_id_idx ON archive.conversation_sessions (conversation_id);

CREATE TABLE archive.agent_memories (
    LIKE public.agent_memories INCLUDING DEFAULTS,
    archived_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id)
);

CREATE INDEX agent_memories_archived_at_idx ON archive.agent_memories (archived_at);
CREATE INDEX agent_memories_agent_id_idx ON archive.agent_memories (agent_id);
