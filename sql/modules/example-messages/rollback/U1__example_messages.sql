-- example-messages U1: undo V1. Everything V1 made is inside the schema; dropping
-- the objects one by one (no CASCADE) stops with an error if something foreign was
-- added to the schema or depends on it, instead of deleting it silently.

DROP FUNCTION IF EXISTS example_messages.get_message_thread(uuid);
-- messages first: its read policy depends on channel_members
DROP TABLE IF EXISTS example_messages.messages;
DROP TABLE IF EXISTS example_messages.channel_members;
DROP TABLE IF EXISTS example_messages.channels;
DROP TABLE IF EXISTS example_messages.profiles;
DROP SCHEMA IF EXISTS example_messages;
