-- installed triggers
SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal AND t.tgname LIKE ? ORDER BY 1
-- params: [cbm\_chat\_messages\_v2\_%]

-- trigger on source
DROP TRIGGER IF EXISTS "cbm_chat_messages_v2_up" ON "public"."chat_messages"

-- trigger on target
DROP TRIGGER IF EXISTS "cbm_chat_messages_v2_down" ON "public"."chat_messages_v2"

-- function up
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_up"

-- every function 1
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_up"

-- every function 2
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_up_ins"

-- every function 3
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_up_upd"

-- every function 4
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_up_del"

-- every function 5
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_down"

-- every function 6
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_down_ins"

-- every function 7
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_down_upd"

-- every function 8
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_down_del"

-- every function 9
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_guard"

-- every function 10
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_settle_up"

-- every function 11
DROP FUNCTION IF EXISTS chatbatch."cbm_chat_messages_v2_settle_down"
