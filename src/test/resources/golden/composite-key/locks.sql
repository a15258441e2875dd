-- tables
LOCK TABLE "generic"."orders", "generic"."orders_v2" IN SHARE ROW EXCLUSIVE MODE

-- source
LOCK TABLE "generic"."orders" IN SHARE ROW EXCLUSIVE MODE
