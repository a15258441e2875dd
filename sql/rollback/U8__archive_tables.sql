-- U8: undo V8. Deletes the archived sessions and memories with their tables.

DROP TABLE IF EXISTS archive.agent_memories;
DROP TABLE IF EXISTS archive.conversation_sessions;
