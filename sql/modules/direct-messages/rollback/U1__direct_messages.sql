-- direct-messages U1: undo V1 (no CASCADE: anything foreign in the schema stops it).

DROP FUNCTION IF EXISTS direct_messages.get_group_messages(uuid, integer, timestamptz, uuid);
DROP FUNCTION IF EXISTS direct_messages.get_messages(uuid, uuid, integer, timestamptz, uuid);
DROP TABLE IF EXISTS direct_messages.group_messages;
DROP TABLE IF EXISTS direct_messages.group_members;
DROP TABLE IF EXISTS direct_messages.groups;
DROP TABLE IF EXISTS direct_messages.messages;
-- after the tables: their policies use it
DROP FUNCTION IF EXISTS direct_messages.is_group_member(uuid);
DROP SCHEMA IF EXISTS direct_messages;
