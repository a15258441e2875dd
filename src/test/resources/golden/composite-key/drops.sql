-- installed triggers
SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal AND t.tgname LIKE ? ORDER BY 1
-- params: [cbm\_generic\_orders\_%]

-- trigger on source
DROP TRIGGER IF EXISTS "cbm_generic_orders_up" ON "generic"."orders"

-- trigger on target
DROP TRIGGER IF EXISTS "cbm_generic_orders_down" ON "generic"."orders_v2"

-- function up
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_up"

-- every function 1
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_up"

-- every function 2
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_up_ins"

-- every function 3
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_up_upd"

-- every function 4
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_up_del"

-- every function 5
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_down"

-- every function 6
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_down_ins"

-- every function 7
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_down_upd"

-- every function 8
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_down_del"

-- every function 9
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_guard"

-- every function 10
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_settle_up"

-- every function 11
DROP FUNCTION IF EXISTS chatbatch."cbm_generic_orders_settle_down"
